"""The audit trail: recording who did or saw what (services) and reading it back (selectors).

Every export, every page or response that shows focal points' names and numbers unmasked, every
login and every change of membership or role goes through `audit_record`. Entries hold ids and
field names, never the names or numbers themselves: what someone typed in a search box is
recorded as "[text]", and any long digit run in the details is masked.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

import django_filters
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.redact import mask_numbers
from core.requests import client_ip, current_request
from core.roles import can_see_identity

from .constants import MAX_ID
from .models import AuditEntry

Action = AuditEntry.Action
FOCAL_POINT = "networks.focalpoint"
MEMBERSHIP = "networks.membership"
USER = "auth.user"
# Filters whose value is whatever someone typed (it may be a name or a number).
FREE_TEXT_FILTERS = frozenset({"q", "search"})
FREE_TEXT = "[text]"


def _ids_text(ids: Iterable[Any]) -> str:
    cleaned = [str(i).replace(",", "").replace("\x00", "").strip() for i in ids if i is not None]
    cleaned = [i for i in cleaned if i]
    unique = list(dict.fromkeys(cleaned))
    return f",{','.join(unique)}," if unique else ""


def _storable(value: Any) -> Any:
    """Details as JSON every database keeps: text without NUL characters (PostgreSQL refuses
    them) and without phone numbers, dates and other objects as text."""
    if isinstance(value, dict):
        return {_storable(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_storable(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_numbers(str(value).replace("\x00", ""))


def _filters_storable(filters: dict | str | None) -> dict | str:
    """An export's filters, with what was typed in a search box left out (only that there was
    a search)."""
    if not isinstance(filters, dict):
        return filters or {}
    return {
        key: (FREE_TEXT if key in FREE_TEXT_FILTERS and value not in ("", [], [""]) else value)
        for key, value in filters.items()
    }


def _person(user) -> AbstractBaseUser | None:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    return user


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target_type: str = "",
    target_ids: Iterable[Any] = (),
    details: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Write one entry. `actor` None means anonymous or the system; without a `request`, the one
    being served (if any) gives the address."""
    request = request or current_request()
    return AuditEntry.objects.create(
        actor=_person(actor),
        action=action,
        target_type=target_type,
        target_ids=_ids_text(target_ids),
        ip_address=client_ip(request),
        details=_storable(details or {}),
    )


def audit_identities_shown(
    *, request: HttpRequest, focal_point_ids: Iterable[int | None], where: str, **details: Any
) -> AuditEntry | None:
    """Record that this response shows these focal points' names and numbers in clear.

    Nothing is written when the user sees them masked, or when no focal point is shown: call it
    wherever identities are displayed and let it decide.
    """
    ids = [pk for pk in focal_point_ids if pk is not None]
    if not ids or not can_see_identity(request.user):
        return None
    return audit_record(
        actor=request.user,
        action=Action.IDENTITY_VIEWED,
        target_type=FOCAL_POINT,
        target_ids=ids,
        details={"where": where, **details},
        request=request,
    )


def audit_identity_reads_refused(
    *, request: HttpRequest, focal_point_ids: Iterable[int], where: str, read: int, limit: int
) -> AuditEntry:
    """Record that a response would have shown more names and numbers than one person may read
    in an hour, and was refused: what was asked, how many were read already, the limit."""
    return audit_record(
        actor=request.user,
        action=Action.IDENTITY_LIMIT,
        target_type=FOCAL_POINT,
        target_ids=focal_point_ids,
        details={"where": where, "already_read": read, "limit": limit},
        request=request,
    )


def audit_export_record(
    *,
    request: HttpRequest | None,
    actor: AbstractBaseUser | None = None,
    export: str,
    target_type: str,
    target_ids: Iterable[Any] = (),
    filters: dict | str | None = None,
    identities: bool = False,
    count: int | None = None,
) -> AuditEntry:
    """Record an export: what (`export`, e.g. "focal_points_csv"), with which filters, how many
    rows, and whether names and numbers went out unmasked. Every export calls this."""
    ids = list(target_ids)
    return audit_record(
        actor=actor or getattr(request, "user", None),
        action=Action.EXPORT,
        target_type=target_type,
        target_ids=ids,
        details={
            "export": export,
            "filters": _filters_storable(filters),
            "identities": identities,
            "count": len(ids) if count is None else count,
        },
        request=request,
    )


# --- Reading the trail -----------------------------------------------------------------------


def audit_entry_list() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor")


def identity_ids_read(*, actor, since: dt.datetime) -> set[str]:
    """The focal points whose names and numbers `actor` was shown since `since`, each once."""
    rows = AuditEntry.objects.filter(
        actor=actor, action=Action.IDENTITY_VIEWED, target_type=FOCAL_POINT, at__gte=since
    ).values_list("target_ids", flat=True)
    return {part for ids in rows for part in ids.split(",") if part}


def identity_refusals(*, since: dt.datetime) -> QuerySet[AuditEntry]:
    """Bulk reads of names and numbers refused since `since`, the latest first."""
    return audit_entry_list().filter(action=Action.IDENTITY_LIMIT, at__gte=since)


def audit_entries_about(
    *,
    target_type: str,
    target_id: int | str,
    action: str | None = None,
    at_after: dt.datetime | None = None,
    at_before: dt.datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Entries naming one object, e.g. who saw focal point 12's number last month."""
    entries = audit_entry_list().filter(
        target_type=target_type, target_ids__contains=f",{target_id},"
    )
    if action:
        entries = entries.filter(action=action)
    if at_after:
        entries = entries.filter(at__gte=at_after)
    if at_before:
        entries = entries.filter(at__lt=at_before)
    return entries


class _UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """A moment the database can compare with: PostgreSQL refuses UTC offsets beyond ±15:59,
    and the moment must stay within years 1-9999 once converted to UTC."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class _UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _UtcDateTimeField


class AuditEntryFilter(django_filters.FilterSet):
    actor = django_filters.NumberFilter(min_value=1, max_value=MAX_ID)
    action = django_filters.ChoiceFilter(choices=Action.choices)
    target_type = django_filters.CharFilter(max_length=60)
    target_id = django_filters.CharFilter(
        method="filter_target_id",
        max_length=40,
        help_text=_("An object's id; with target_type, everything recorded about that object."),
    )
    at_after = _UtcDateTimeFilter(field_name="at", lookup_expr="gte")
    at_before = _UtcDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_target_id(self, queryset, name, value):
        value = value.strip().replace(",", "")
        if not value:
            return queryset
        return queryset.filter(target_ids__contains=f",{value},")
