"""Everything that changes the lpc app's state. Views, API, admin and demo call these.

Each function checks the business rules (full_clean and the cross-row rules below) and raises
django.core.exceptions.ValidationError, keyed by field, when they are broken. Who may call them
is decided by the caller, with lpc.permissions.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Alert
from alerts.services import alert_create
from core.taxonomy import CATEGORY_LABELS
from networks.models import Location

from .constants import ATTENDANCE_FIELDS
from .models import LPC, ActionPoint, LPCMeeting, LPCMember, MeetingAlert

LPC_FIELDS = ("name", "kind", "founded_on", "status", "cla", "funding_source")
# What a member record holds, as these functions take it and the form and the API show it.
MEMBER_FIELDS = (
    "name",
    "role",
    "gender",
    "age_band",
    "group",
    "community_name",
    "joined_on",
    "left_on",
)
MEETING_FIELDS = ("held_on", "place", "minutes", "categories", "risk_factors", "decisions")
ACTION_POINT_FIELDS = ("description", "owner", "due_on", "status", "follow_up", "done_on")


@dataclass
class ActionPointInput:
    """One action point as a meeting form or API call gives it; `action_point` when it exists."""

    description: str
    due_on: dt.date
    owner: str = ""
    status: str = ActionPoint.Status.OPEN
    follow_up: str = ""
    done_on: dt.date | None = None
    action_point: ActionPoint | None = None


def _unknown(fields: dict, allowed: Sequence[str]) -> None:
    extra = set(fields) - set(allowed)
    if extra:
        raise TypeError(f"unexpected fields: {', '.join(sorted(extra))}")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


# --- Committees -----------------------------------------------------------------------------


@transaction.atomic
def lpc_create(*, by: User | None, places: Iterable[Location] = (), **fields) -> LPC:
    _unknown(fields, LPC_FIELDS)
    lpc = LPC(**{name: _strip(value) for name, value in fields.items()})
    lpc.full_clean()
    lpc.save()
    lpc.places.set(list(places))
    return lpc


@transaction.atomic
def lpc_update(*, lpc: LPC, by: User | None, places: Iterable[Location] | None = None, **fields):
    _unknown(fields, LPC_FIELDS)
    for name, value in fields.items():
        setattr(lpc, name, _strip(value))
    lpc.full_clean()
    lpc.save()
    if places is not None:
        lpc.places.set(list(places))
    return lpc


@transaction.atomic
def lpcs_reassign_cla(*, from_cla: User, to_cla: User) -> list[int]:
    """Give every committee `from_cla` supports to `to_cla` (a CLA's handover, cla.succession):
    the rows are locked, changed, and their ids returned, inside the caller's transaction."""
    ids = list(
        LPC.objects.select_for_update()
        .filter(cla=from_cla)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    LPC.objects.filter(pk__in=ids).update(cla=to_cla, updated_at=timezone.now())
    return ids


# --- Members --------------------------------------------------------------------------------


def _member_tidy(member: LPCMember) -> None:
    member.name = (member.name or "").strip()
    member.community_name = (member.community_name or "").strip()
    if member.group != LPCMember.Group.COMMUNITY:
        member.community_name = ""


def lpc_member_create(*, lpc: LPC, by: User | None, **fields) -> LPCMember:
    _unknown(fields, MEMBER_FIELDS)
    member = LPCMember(lpc=lpc, **fields)
    _member_tidy(member)
    member.full_clean()
    member.save()
    return member


def lpc_member_update(*, member: LPCMember, by: User | None, **fields) -> LPCMember:
    _unknown(fields, MEMBER_FIELDS)
    for name, value in fields.items():
        setattr(member, name, value)
    _member_tidy(member)
    member.full_clean()
    member.save()
    return member


# --- Meetings and action points -------------------------------------------------------------


def _members_check(lpc: LPC, members: Iterable[LPCMember], held_on: dt.date) -> list[LPCMember]:
    members = list(members)
    strangers = [m for m in members if m.lpc_id != lpc.pk]
    if strangers:
        raise ValidationError(
            {"members_present": _("Only members of this committee can be recorded as present.")}
        )
    absent = [m for m in members if m.joined_on and m.joined_on > held_on]
    gone = [m for m in members if m.left_on and m.left_on < held_on]
    if absent or gone:
        raise ValidationError(
            {
                "members_present": _(
                    "Some members present had not joined yet or had already left on that day."
                )
            }
        )
    return members


def _attendance_set(meeting: LPCMeeting, attendance: dict[str, int] | None) -> None:
    if attendance is None:
        return
    unknown = set(attendance) - set(ATTENDANCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown attendance fields: {', '.join(sorted(unknown))}")
    for name, count in attendance.items():
        setattr(meeting, name, count or 0)


def _meeting_save(meeting: LPCMeeting) -> None:
    # The day first: the model's own uniqueness message names fields, not the problem.
    if (
        LPCMeeting.objects.filter(lpc_id=meeting.lpc_id, held_on=meeting.held_on)
        .exclude(pk=meeting.pk)
        .exists()
    ):
        raise ValidationError(
            {"held_on": _("This committee already has a meeting recorded on that day.")}
        )
    meeting.full_clean()
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as exc:  # the same meeting saved twice at once (a double submit)
        raise ValidationError(
            {"held_on": _("This committee already has a meeting recorded on that day.")}
        ) from exc


def _action_point_apply(point: ActionPoint, meeting: LPCMeeting, item: ActionPointInput) -> None:
    point.meeting = meeting
    point.opened_on = meeting.held_on
    point.description = (item.description or "").strip()
    point.owner = (item.owner or "").strip()
    point.due_on = item.due_on
    point.status = item.status
    point.follow_up = (item.follow_up or "").strip()
    point.done_on = item.done_on
    _done_date_settle(point)


def action_point_done_on(
    *, status: str, done_on: dt.date | None, opened_on: dt.date | None
) -> dt.date | None:
    """A point marked done gets today's date unless one is given; any other status has none."""
    if status != ActionPoint.Status.DONE:
        return None
    if done_on is not None:
        return done_on
    today = timezone.localdate()
    return max(today, opened_on) if opened_on else today


def _done_date_settle(point: ActionPoint) -> None:
    point.done_on = action_point_done_on(
        status=point.status, done_on=point.done_on, opened_on=point.opened_on
    )


def _action_points_save(
    meeting: LPCMeeting, items: Sequence[ActionPointInput]
) -> list[ActionPoint]:
    errors: list[dict] = []
    points = []
    for item in items:
        point = item.action_point or ActionPoint()
        if point.pk and point.meeting_id != meeting.pk:
            raise ValidationError(
                {"action_points": _("An action point belongs to another meeting.")}
            )
        _action_point_apply(point, meeting, item)
        try:
            point.full_clean(exclude=["meeting"])
            errors.append({})
        except ValidationError as exc:
            errors.append(exc.message_dict)
        points.append(point)
    if any(errors):
        raise ValidationError({"action_points": _row_errors(errors)})
    for point in points:
        point.save()
    return points


def _row_errors(errors: list[dict]) -> list[str]:
    return [
        _("Action point %(number)s: %(message)s") % {"number": index, "message": message}
        for index, row in enumerate(errors, start=1)
        for messages in row.values()
        for message in messages
    ]


def action_points_follow_meeting(*, meeting: LPCMeeting, skip: Iterable[int] = ()) -> None:
    """A meeting moved to another day carries its other action points with it; one whose due
    date would then come before the meeting is an error, not a silent change."""
    for point in meeting.action_points.exclude(pk__in=skip):
        if point.opened_on == meeting.held_on:
            continue
        point.opened_on = meeting.held_on
        if point.due_on < meeting.held_on or (point.done_on and point.done_on < meeting.held_on):
            raise ValidationError(
                {
                    "held_on": _(
                        "An action point of this meeting is due (or done) before the new date."
                    )
                }
            )
        point.save(update_fields=["opened_on", "updated_at"])


def _not_in_future(held_on: dt.date | None) -> None:
    if held_on and held_on > timezone.localdate():
        raise ValidationError(
            {"held_on": _("A meeting is recorded once it has been held: not in the future.")}
        )


@transaction.atomic
def lpc_meeting_create(
    *,
    lpc: LPC,
    by: User | None,
    held_on: dt.date,
    attendance: dict[str, int] | None = None,
    members_present: Iterable[LPCMember] = (),
    action_points: Sequence[ActionPointInput] = (),
    **fields,
) -> LPCMeeting:
    """Record a meeting with its head counts, members present and action points, all at once."""
    _unknown(fields, MEETING_FIELDS)
    _not_in_future(held_on)
    meeting = LPCMeeting(lpc=lpc, held_on=held_on, recorded_by=by, **fields)
    _attendance_set(meeting, attendance)
    present = _members_check(lpc, members_present, held_on)
    _meeting_save(meeting)
    meeting.members_present.set(present)
    _action_points_save(meeting, action_points)
    return meeting


@transaction.atomic
def lpc_meeting_update(
    *,
    meeting: LPCMeeting,
    by: User | None,
    attendance: dict[str, int] | None = None,
    members_present: Iterable[LPCMember] | None = None,
    action_points: Sequence[ActionPointInput] = (),
    **fields,
) -> LPCMeeting:
    """Change a meeting; `action_points` lists those to add (no `action_point`) or change.

    Action points not listed stay as they are: one no longer wanted is dropped, not deleted.
    """
    _unknown(fields, MEETING_FIELDS)
    if "held_on" in fields:
        _not_in_future(fields["held_on"])
    for name, value in fields.items():
        setattr(meeting, name, value)
    _attendance_set(meeting, attendance)
    _meeting_save(meeting)
    if members_present is not None:
        meeting.members_present.set(_members_check(meeting.lpc, members_present, meeting.held_on))
    else:
        _members_check(meeting.lpc, meeting.members_present.all(), meeting.held_on)
    action_points_follow_meeting(
        meeting=meeting, skip=[item.action_point.pk for item in action_points if item.action_point]
    )
    _action_points_save(meeting, action_points)
    return meeting


def action_point_create(
    *, meeting: LPCMeeting, by: User | None, description: str, due_on: dt.date, owner: str = ""
) -> ActionPoint:
    (point,) = _action_points_save(
        meeting, [ActionPointInput(description=description, due_on=due_on, owner=owner)]
    )
    return point


def action_point_update(*, action_point: ActionPoint, by: User | None, **fields) -> ActionPoint:
    """Follow an action point up: its status, notes, due date, owner or description.

    Marking it done without a date records today; reopening or dropping it clears the date.
    """
    _unknown(fields, ACTION_POINT_FIELDS)
    for name, value in fields.items():
        setattr(action_point, name, _strip(value))
    action_point.opened_on = action_point.meeting.held_on
    _done_date_settle(action_point)
    action_point.full_clean(exclude=["meeting"])
    action_point.save()
    return action_point


# --- Alerts ---------------------------------------------------------------------------------


@transaction.atomic
def meeting_alert_raise(
    *, meeting: LPCMeeting, text: str, by: User | None, location: Location | None = None
) -> Alert:
    """Send what a meeting heard to the analysts' queue, exactly as an SMS would arrive.

    Without a place, triage finds one in the text (as it does for an SMS).
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what the alert is about.")})
    alert = alert_create(source=Alert.Source.LPC, text=text, created_by=by, location=location)
    MeetingAlert.objects.create(meeting=meeting, alert=alert, raised_by=by)
    return alert


def meeting_alert_text(*, meeting: LPCMeeting) -> str:
    """A first draft of an alert from the meeting's risks, for the secretary to complete."""
    labels = CATEGORY_LABELS
    risks = ", ".join(str(labels[c]) for c in meeting.categories if c in labels and c != "other")
    place = meeting.place or next(iter(meeting.lpc.places.all()), None)
    parts = [
        _("Meeting of %(lpc)s on %(date)s")
        % {"lpc": meeting.lpc.name, "date": meeting.held_on.strftime("%d/%m/%Y")}
    ]
    if place is not None:
        parts.append(_("at %(place)s") % {"place": place.name})
    text = " ".join(parts) + "."
    if risks:
        text += " " + _("Risks discussed: %(risks)s.") % {"risks": risks}
    return text
