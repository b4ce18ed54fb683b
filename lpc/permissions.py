"""Who may see and change which committee records, built on core.roles.

- Admins do everything.
- CLAs create committees and edit those they support or whose places lie where they work
  (as the cla app says, through cla_places_register): the committee, its members, meetings,
  action points, alerts.
- Supervisors and analysts read everything but change nothing here.
- Viewers see figures only: the committee list with its counts and the representation report,
  never members' names, the groups they represent, minutes or action points.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from core.roles import CLA, can, can_see_identity, has_role

from .models import LPC

AnyUser = User | AnonymousUser


def _no_places(*, user: AnyUser) -> set[int]:
    return set()


# Where a CLA works is the cla app's to say: it sits above this app and registers its answer
# when it loads (ClaConfig.ready). Without it, a CLA works on no committee's places.
_cla_places = {"provider": _no_places}


def cla_places_register(provider) -> None:
    """`provider(user=...)` gives the ids of the places a CLA works in."""
    _cla_places["provider"] = provider


def can_read_records(user: AnyUser) -> bool:
    """Minutes, decisions, action points and meeting pages: everyone but viewers."""
    return can(user, "read_field_records")


def can_see_member_names(user: AnyUser) -> bool:
    return can_see_identity(user)


def cla_place_ids_of(user: AnyUser) -> set[int]:
    """The places a CLA works in, read once per request (kept on the user, as roles are)."""
    cached = getattr(user, "kengele_lpc_place_ids", None)
    if cached is None:
        cached = _cla_places["provider"](user=user)
        if user.is_authenticated:
            user.kengele_lpc_place_ids = cached
    return cached


def _works_on(user: AnyUser, lpc: LPC) -> bool:
    if lpc.cla_id is not None and lpc.cla_id == user.pk:
        return True
    if not lpc.pk:
        return False
    # A list of members asks for each row: answer once per committee and request.
    answers = getattr(user, "kengele_lpc_works_on", None)
    if answers is None:
        answers = {}
        if user.is_authenticated:
            user.kengele_lpc_works_on = answers
    if lpc.pk not in answers:
        ids = cla_place_ids_of(user)
        answers[lpc.pk] = bool(ids) and lpc.places.filter(pk__in=ids).exists()
    return answers[lpc.pk]


def can_edit_lpc(user: AnyUser, lpc: LPC) -> bool:
    """May this user change this committee and everything recorded about it?"""
    if can(user, "edit_any_field_record"):
        return True
    return has_role(user, CLA) and _works_on(user, lpc)


def can_create_lpc(user: AnyUser) -> bool:
    return can(user, "write_field_records")


def can_place_lpc(user: AnyUser, *, cla_id: int | None, place_ids: set[int]) -> bool:
    """Would a committee with this supporting CLA and these places be this user's to edit?

    Checked before saving, so a CLA cannot move a committee (or create one) out of their reach.
    """
    if can(user, "edit_any_field_record"):
        return True
    if not has_role(user, CLA):
        return False
    return cla_id == user.pk or bool(place_ids & cla_place_ids_of(user))


def can_see_member_groups(user: AnyUser, lpc: LPC) -> bool:
    """The group a member represents is sensitive: admins, and the CLAs working with the
    committee, see it; everyone else sees only the report's totals."""
    return can_edit_lpc(user, lpc)


def lpcs_editable_by(user: AnyUser, queryset: QuerySet[LPC] | None = None) -> QuerySet[LPC]:
    queryset = LPC.objects.all() if queryset is None else queryset
    if can(user, "edit_any_field_record"):
        return queryset
    if not has_role(user, CLA):
        return queryset.none()
    editable = LPC.objects.filter(Q(cla_id=user.pk) | Q(places__in=cla_place_ids_of(user))).values(
        "pk"
    )
    return queryset.filter(pk__in=editable)
