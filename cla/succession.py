"""Handing one CLA's work to a successor in one go (CLAs rotate often): the committees they
support, the networks they are responsible for, the places assigned to them, and the open
follow-ups in their hands. Not to be confused with networks.handover, the archive that carries
a deployment's data to another server.

History is never rewritten: visits stay the work of whoever made them (a follow-up changes
hands through its own `assigned_to`), and each handover is recorded once, with what moved, in
a CLAHandover row and the audit trail. Visits kept on a phone and not yet sent
(cla/static/cla/offline.js) are not on the server: no handover can move them.
"""

import uuid

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.roles import CLA, has_role
from lpc.services import lpcs_reassign_cla
from networks.audit import USER, Action, audit_record
from networks.services import networks_reassign_cla

from .constants import MAX_HANDOVER_NOTE
from .models import CLAHandover, CLAProfile, FollowUp
from .selectors import follow_ups_held

# What the audit trail calls each kind of object that changed hands.
TARGET_TYPES = {
    "lpcs": "lpc.lpc",
    "networks": "networks.network",
    "places": "networks.location",
    "follow_ups": "cla.followup",
}


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _check(*, from_cla: User, to_cla: User, note: str) -> None:
    """The refusals that need no lock: to oneself, to someone who is not an active CLA."""
    if from_cla.pk == to_cla.pk:
        raise ValidationError(
            {
                "to_cla": ValidationError(
                    _("A CLA cannot hand their work over to themselves."), code="oneself"
                )
            }
        )
    if not to_cla.is_active:
        raise ValidationError(
            {
                "to_cla": ValidationError(
                    _("%(name)s's account is closed: choose an active CLA."),
                    code="inactive",
                    params={"name": _name(to_cla)},
                )
            }
        )
    if not has_role(to_cla, CLA):
        raise ValidationError(
            {
                "to_cla": ValidationError(
                    _("%(name)s is not a CLA: only a CLA can take over a CLA's work."),
                    code="not_cla",
                    params={"name": _name(to_cla)},
                )
            }
        )
    if len(note) > MAX_HANDOVER_NOTE:
        raise ValidationError(
            {
                "note": ValidationError(
                    _("At most %(max)s characters."),
                    code="max_length",
                    params={"max": MAX_HANDOVER_NOTE},
                )
            }
        )


def _by_key(*, key: uuid.UUID, from_cla: User, to_cla: User) -> CLAHandover | None:
    handover = CLAHandover.objects.filter(idempotency_key=key).first()
    if handover is not None and (handover.from_cla_id, handover.to_cla_id) != (
        from_cla.pk,
        to_cla.pk,
    ):
        raise ValidationError(
            {
                "idempotency_key": ValidationError(
                    _("This key was already used for another handover."), code="key_taken"
                )
            }
        )
    return handover


def _places_hand_over(*, from_cla: User, to_cla: User) -> tuple[list[int], int | None]:
    """Add the outgoing CLA's places to the successor's (and their base, when the successor
    has none), and take them from the outgoing CLA, whose access to those places' alerts and
    people ends here. Returns the places' ids and the base given, if any."""
    outgoing = CLAProfile.objects.select_for_update().filter(user=from_cla).first()
    if outgoing is None:
        return [], None
    place_ids = sorted(outgoing.assigned_places.values_list("pk", flat=True))
    successor = CLAProfile.objects.select_for_update().filter(user=to_cla).first()
    if successor is None and not place_ids and outgoing.base_id is None:
        return [], None
    successor = successor or CLAProfile.objects.create(user=to_cla)
    successor.assigned_places.add(*place_ids)
    base_id = None
    if successor.base_id is None and outgoing.base_id is not None:
        successor.base_id = base_id = outgoing.base_id
        successor.save(update_fields=["base"])
    outgoing.assigned_places.clear()
    return place_ids, base_id


def _follow_ups_hand_over(*, from_cla: User, to_cla: User) -> list[int]:
    ids = list(
        follow_ups_held(user=from_cla)
        .select_related(None)
        .prefetch_related(None)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    FollowUp.objects.filter(pk__in=ids).update(assigned_to=to_cla)
    return ids


def _audit(*, handover: CLAHandover, moved: dict) -> None:
    """One entry naming both CLAs (with everything that moved), and one per kind of object
    that changed hands, so that each committee's or network's trail shows it."""
    common = {"handover": handover.pk, "from": handover.from_cla_id, "to": handover.to_cla_id}
    audit_record(
        actor=handover.by,
        action=Action.CLA_HANDOVER,
        target_type=USER,
        target_ids=[handover.from_cla_id, handover.to_cla_id],
        details={**common, **moved},
    )
    for kind, target_type in TARGET_TYPES.items():
        if moved[kind]:
            audit_record(
                actor=handover.by,
                action=Action.CLA_HANDOVER,
                target_type=target_type,
                target_ids=moved[kind],
                details=common,
            )


def cla_handover_perform(
    *,
    from_cla: User,
    to_cla: User,
    by: User,
    note: str = "",
    idempotency_key: uuid.UUID | None = None,
) -> tuple[CLAHandover, bool]:
    """Hand everything `from_cla` holds to `to_cla` in one transaction, and record it.

    Returns (handover, created). The same idempotency key again returns the handover stored
    the first time and moves nothing, even when both arrive at once; a second handover with
    nothing left to move is refused. Who may call it is the caller's to check (capability
    "hand_over_cla_work").
    """
    note = (note or "").strip()
    key = idempotency_key or uuid.uuid4()
    stored = _by_key(key=key, from_cla=from_cla, to_cla=to_cla)
    if stored is not None:
        return stored, False
    _check(from_cla=from_cla, to_cla=to_cla, note=note)
    try:
        with transaction.atomic():
            # Both accounts locked, in id order: two handovers touching the same CLA wait for
            # each other (and never deadlock), and the checks read them as they are now.
            locked = {
                user.pk: user
                for user in User.objects.select_for_update()
                .filter(pk__in=[from_cla.pk, to_cla.pk])
                .order_by("pk")
            }
            stored = _by_key(key=key, from_cla=from_cla, to_cla=to_cla)
            if stored is not None:
                return stored, False
            _check(from_cla=locked[from_cla.pk], to_cla=locked[to_cla.pk], note=note)
            lpc_ids = lpcs_reassign_cla(from_cla=from_cla, to_cla=to_cla)
            network_ids = networks_reassign_cla(from_cla=from_cla, to_cla=to_cla)
            place_ids, base_id = _places_hand_over(from_cla=from_cla, to_cla=to_cla)
            follow_up_ids = _follow_ups_hand_over(from_cla=from_cla, to_cla=to_cla)
            if not (lpc_ids or network_ids or place_ids or follow_up_ids):
                raise ValidationError(
                    _(
                        "%(name)s has nothing left to hand over: no committee, network, place "
                        "or open follow-up."
                    ),
                    code="nothing",
                    params={"name": _name(from_cla)},
                )
            moved = {
                "lpcs": lpc_ids,
                "networks": network_ids,
                "places": place_ids,
                "follow_ups": follow_up_ids,
                "base": base_id,
            }
            handover = CLAHandover.objects.create(
                from_cla=from_cla,
                to_cla=to_cla,
                by=by,
                note=note,
                lpc_count=len(lpc_ids),
                network_count=len(network_ids),
                place_count=len(place_ids),
                follow_up_count=len(follow_up_ids),
                moved=moved,
                idempotency_key=key,
            )
            _audit(handover=handover, moved=moved)
    except IntegrityError as exc:
        # The same handover sent twice at once: the first one stored answers the second.
        stored = _by_key(key=key, from_cla=from_cla, to_cla=to_cla)
        if stored is not None:
            return stored, False
        raise ValidationError(
            _("Someone else changed this work at the same moment: please try again."),
            code="conflict",
        ) from exc
    return handover, True
