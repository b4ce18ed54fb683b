"""Roles and what each may do: the one table every view, API endpoint, admin page and export
reads. A view names the capability it needs; it never lists roles itself."""

from django.contrib.auth.models import AnonymousUser, User

ADMIN, SUPERVISOR, ANALYST, CLA, VIEWER = "admin", "supervisor", "analyst", "cla", "viewer"
# Conduct and discipline staff: the only readers of complaints of sexual exploitation and abuse
# (conduct app). An admin gives and takes the role but never reads a complaint.
CONDUCT = "conduct"
ROLES = (ADMIN, SUPERVISOR, ANALYST, CLA, VIEWER, CONDUCT)

# Capability -> the roles that hold it.
CAPABILITIES: dict[str, frozenset[str]] = {
    # Sign in to the dashboard, the committees' and the visits' pages, and read the API.
    "use": frozenset(ROLES),
    # Every alert, whatever its place (the others see their areas' or places' alerts).
    "see_all_alerts": frozenset({ADMIN, SUPERVISOR, VIEWER}),
    # Focal points' and reporters' names and phone numbers (calling back, recruiting): those of
    # one's areas or places (access.identities) ...
    "see_identity": frozenset({ADMIN, SUPERVISOR, ANALYST, CLA}),
    # ... or everyone's.
    "see_all_identities": frozenset({ADMIN, SUPERVISOR}),
    # More than IDENTITY_READS_PER_HOUR of them in an hour (the roster's export, a handover).
    "read_identities_in_bulk": frozenset({ADMIN}),
    # Raise an alert by hand (a call taken, a visit, a meeting).
    "raise_alert": frozenset({ADMIN, SUPERVISOR, ANALYST, CLA}),
    # Act on alerts: triage corrections, status, replies, claims, incidents, the triage banner.
    "work_alerts": frozenset({ADMIN, SUPERVISOR, ANALYST}),
    # Be given alerts to handle.
    "be_assigned": frozenset({ADMIN, SUPERVISOR, ANALYST}),
    "read_broadcasts": frozenset({ADMIN, SUPERVISOR, ANALYST}),
    "send_broadcasts": frozenset({ADMIN, SUPERVISOR}),
    # Missed deadlines of everyone's alerts, and who is on duty where.
    "supervise": frozenset({ADMIN, SUPERVISOR}),
    # The Django admin site (what it shows there follows ROLE_PERMISSIONS).
    "use_admin_site": frozenset({ADMIN, SUPERVISOR}),
    # Every field visit and committee record (CLAs read their own).
    "read_all_field_records": frozenset({ADMIN, SUPERVISOR, ANALYST}),
    "read_field_records": frozenset({ADMIN, SUPERVISOR, ANALYST, CLA}),
    "write_field_records": frozenset({ADMIN, CLA}),
    # Change anyone's visits and committees (a CLA changes those they work on).
    "edit_any_field_record": frozenset({ADMIN}),
    # Hand a CLA's committees, networks, places and open follow-ups to a successor, and read
    # the history of such handovers (a CLA reads those they gave or received).
    "hand_over_cla_work": frozenset({ADMIN, SUPERVISOR}),
    # Town hall meetings, their concerns and commitments: of one's areas or places
    # (access.engagement), or all of them for who sees every alert.
    "read_town_halls": frozenset(ROLES),
    "record_town_halls": frozenset({ADMIN, SUPERVISOR, ANALYST, CLA}),
    # Joint protection teams and assessment missions: operational (a team's make-up, findings
    # on violations), so for the mission's staff who work alerts, by area likewise.
    "read_deployments": frozenset({ADMIN, SUPERVISOR, ANALYST}),
    "record_deployments": frozenset({ADMIN, SUPERVISOR, ANALYST}),
    # Network membership: focal points, memberships, networks, places; and the audit trail.
    "edit_membership": frozenset({ADMIN}),
    "read_audit_trail": frozenset({ADMIN}),
    # Perception polls: results (of one's areas or places, access.polls), building a poll,
    # sending it by SMS, and asking it in the field.
    "read_polls": frozenset(ROLES),
    "build_polls": frozenset({ADMIN, SUPERVISOR, ANALYST}),
    "send_polls": frozenset({ADMIN, SUPERVISOR}),
    "record_poll_interviews": frozenset({ADMIN, CLA}),
    # Complaints of sexual exploitation and abuse (conduct app): read them, their audit trail
    # and the CBCM members' registry. Nobody else, admins and supervisors included.
    "read_complaints": frozenset({CONDUCT}),
    # Enter a complaint a CBCM member brought (the receipt shows its reference, not its text).
    "submit_complaint": frozenset({CONDUCT, CLA}),
}

# Django model permissions per role, for the admin site and DRF's model permissions:
# app label -> "*" (everything) or the actions allowed ("view", "add", "change", "delete").
ROLE_PERMISSIONS: dict[str, dict[str, str | tuple[str, ...]]] = {
    ADMIN: {
        "networks": "*",
        "alerts": "*",
        "triage": "*",
        "lpc": "*",
        "cla": "*",
        "engagement": "*",
        "polls": "*",
        "auth": "*",
    },
    SUPERVISOR: {
        "networks": ("view",),
        "alerts": ("view", "add", "change"),
        "triage": ("view", "add", "change"),
        "lpc": ("view",),
        "cla": ("view",),
        "engagement": ("view", "add", "change"),
        "polls": ("view",),
    },
    ANALYST: {
        "networks": ("view",),
        "alerts": ("view", "add", "change"),
        "triage": ("view", "add", "change"),
        "lpc": ("view",),
        "cla": ("view",),
        "engagement": ("view",),
        "polls": ("view",),
    },
    CLA: {
        "networks": ("view",),
        "alerts": ("view", "add"),
        "triage": ("view",),
        "lpc": ("view", "add", "change"),
        "cla": ("view", "add", "change"),
        "engagement": ("view",),
    },
    VIEWER: {"triage": ("view",)},
    # Complaints are read through the conduct pages only; no model permission anywhere.
    CONDUCT: {},
}

# The roles each user holds, kept on the user object for the request it came with.
_ROLES_ATTRIBUTE = "kengele_roles"


def roles_of(user: User | AnonymousUser | None) -> frozenset[str]:
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _ROLES_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {ADMIN}
        setattr(user, _ROLES_ATTRIBUTE, cached)
    return cached


def has_role(user, role: str) -> bool:
    """Does `user` hold `role` itself (for rules about one's own records: a CLA's visits)?"""
    return role in roles_of(user)


def can(user, capability: str) -> bool:
    return bool(roles_of(user) & CAPABILITIES[capability])


def roles_with(capability: str) -> tuple[str, ...]:
    """The roles holding `capability`, in ROLES order (for queries on users' groups)."""
    return tuple(role for role in ROLES if role in CAPABILITIES[capability])


def can_see_identity(user) -> bool:
    """May this user read focal points' names and phone numbers? Viewers never may."""
    return can(user, "see_identity")


def can_edit_membership(user) -> bool:
    return can(user, "edit_membership")


def mask_phone(phone: str | None) -> str:
    """'+243991234567' -> '+243 ••• ••• 567': enough to tell two numbers apart, not to call."""
    if not phone:
        return ""
    return f"{phone[:4]} ••• ••• {phone[-3:]}"


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return " ".join(part[:1] + "." for part in name.split())
