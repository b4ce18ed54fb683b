"""Which alerts a person may see, for the apps below the access layer (committee meetings and
field visits show the alerts raised from them). The rule is defined once, in access.alerts; it
registers itself here when it loads (AccessConfig.ready). Until then nobody sees any alert."""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from .models import Alert

# user -> a Q on Alert limiting what they see, or None for every alert.
AlertScope = Callable[..., Q | None]


def _nothing(user) -> Q | None:
    return Q(pk__in=[])


_rule: dict[str, AlertScope] = {"scope": _nothing}


def alert_scope_register(scope: AlertScope) -> None:
    """`scope(user)` gives a Q on Alert, or None when the user sees every alert."""
    _rule["scope"] = scope


def alerts_visible_to(queryset: QuerySet[Alert], user) -> QuerySet[Alert]:
    """`queryset` narrowed to the alerts `user` may see."""
    scope = _rule["scope"](user)
    return queryset if scope is None else queryset.filter(scope)
