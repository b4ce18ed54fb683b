"""Who may see and do what: the one place role rules live (views, API, admin and exports use it)."""

from django.contrib.auth.models import AnonymousUser, User

ADMIN, SUPERVISOR, ANALYST, CLA, VIEWER = "admin", "supervisor", "analyst", "cla", "viewer"
ROLES = (ADMIN, SUPERVISOR, ANALYST, CLA, VIEWER)

# Roles whose work needs focal points' names and phone numbers (calling back, recruiting).
IDENTITY_ROLES = frozenset({ADMIN, SUPERVISOR, ANALYST, CLA})
# Roles that edit network membership (focal points, memberships, networks, places).
MEMBERSHIP_EDITORS = frozenset({ADMIN})


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_kengele_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {ADMIN}
        user._kengele_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def can_see_identity(user) -> bool:
    """May this user read focal points' names and phone numbers? Viewers never may."""
    return bool(roles_of(user) & IDENTITY_ROLES)


def can_edit_membership(user) -> bool:
    return bool(roles_of(user) & MEMBERSHIP_EDITORS)


def mask_phone(phone: str | None) -> str:
    """'+243991234567' -> '+243 ••• ••• 567': enough to tell two numbers apart, not to call."""
    if not phone:
        return ""
    return f"{phone[:4]} ••• ••• {phone[-3:]}"


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return " ".join(part[:1] + "." for part in name.split())


# Django model permissions per role, for the admin site and DRF's model permissions:
# app label -> "*" (everything) or the actions allowed ("view", "add", "change", "delete").
ROLE_PERMISSIONS: dict[str, dict[str, str | tuple[str, ...]]] = {
    ADMIN: {"networks": "*", "alerts": "*", "triage": "*", "lpc": "*", "cla": "*", "auth": "*"},
    SUPERVISOR: {
        "networks": ("view",),
        "alerts": ("view", "add", "change"),
        "triage": ("view", "add", "change"),
        "lpc": ("view",),
        "cla": ("view",),
    },
    ANALYST: {
        "networks": ("view",),
        "alerts": ("view", "add", "change"),
        "triage": ("view", "add", "change"),
        "lpc": ("view",),
        "cla": ("view",),
    },
    CLA: {
        "networks": ("view",),
        "alerts": ("view", "add"),
        "triage": ("view",),
        "lpc": ("view", "add", "change"),
        "cla": ("view", "add", "change"),
    },
    VIEWER: {"triage": ("view",)},
}


# --- Which alerts a person may see ----------------------------------------------------------
# Supervisors, admins and viewers see every alert (viewers without who reported it). Analysts
# with areas see the alerts placed in them, the ones no place was found for and the ones
# assigned to them; an analyst without areas sees everything (a small mission). CLAs see the
# alerts placed in their places and those they raised themselves.
ALL_ALERT_ROLES = frozenset({ADMIN, SUPERVISOR, VIEWER})


def alert_visibility(user):
    """A Q object limiting Alert querysets to what `user` may see, or None for everything."""
    from django.db.models import Q

    cached = getattr(user, "_kengele_alert_visibility", False)
    if cached is not False:
        return cached
    roles = roles_of(user)
    scope = Q(pk__in=[])  # no role: nothing
    if roles & ALL_ALERT_ROLES:
        scope = None
    elif ANALYST in roles:
        from networks.selectors import location_ids_within_any
        from triage.selectors import analyst_area_ids

        areas = analyst_area_ids(user=user)
        if not areas:
            scope = None
        else:
            places = location_ids_within_any(areas)  # one query per level, all areas at once
            scope = Q(location_id__in=places) | Q(location__isnull=True) | Q(assignee=user)
            if CLA in roles:
                scope |= _cla_scope(user)
    elif CLA in roles:
        scope = _cla_scope(user)
    if user is not None and user.is_authenticated:
        user._kengele_alert_visibility = scope
    return scope


def _cla_scope(user):
    from django.db.models import Q

    from cla.selectors import cla_place_ids

    return Q(location_id__in=cla_place_ids(user=user)) | Q(created_by=user)


def alerts_visible(queryset, user):
    """`queryset` narrowed to the alerts `user` may see (the API, dashboard, map and exports)."""
    scope = alert_visibility(user)
    return queryset if scope is None else queryset.filter(scope)
