"""The lpc app's rows in the network handover archive (see networks.handover): committees,
their members, meetings and action points, loaded back through this app's services."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from networks.handover.context import (
    ExportContext,
    ImportContext,
    Kind,
    Row,
    iso,
    row_where,
    text,
    to_date,
)

from .constants import ATTENDANCE_FIELDS
from .models import LPC, ActionPoint, LPCMeeting, LPCMember
from .services import (
    action_point_create,
    action_point_update,
    lpc_create,
    lpc_meeting_create,
    lpc_member_create,
)


def _codes(value) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(_("a list of codes is expected"))
    return [text(code) for code in value]


# --- Committees ------------------------------------------------------------------------------


def dump_lpcs(ctx: ExportContext) -> Iterator[Row]:
    for lpc in LPC.objects.select_related("cla").prefetch_related("places").order_by("pk"):
        yield {
            "id": ctx.local_id("lpcs", lpc.pk),
            "name": lpc.name,
            "kind": lpc.kind,
            "places": ctx.refs("places", [place.pk for place in lpc.places.all()]),
            "founded_on": iso(lpc.founded_on),
            "status": lpc.status,
            "cla": ctx.user(lpc.cla, cla=True),
            "funding_source": lpc.funding_source,
        }


def check_lpcs(ctx: ImportContext) -> list[str]:
    names = {row.get("name"): line for line, row in ctx.rows("lpcs")}
    taken = LPC.objects.filter(name__in=[name for name in names if isinstance(name, str)])
    return [
        row_where("lpcs", names[name])
        + _("a committee named %(name)s already exists here.") % {"name": name}
        for name in sorted(taken.values_list("name", flat=True))
    ]


def load_lpcs(ctx: ImportContext) -> None:
    for line, row in ctx.rows("lpcs"):
        with ctx.row("lpcs", line):
            lpc = lpc_create(
                by=None,
                places=ctx.get_many("places", row.get("places", [])),
                name=text(row["name"]),
                kind=text(row["kind"]),
                founded_on=to_date(row.get("founded_on")),
                status=text(row["status"]),
                cla=ctx.user(row.get("cla")),
                funding_source=text(row.get("funding_source", "")),
            )
            ctx.put("lpcs", row["id"], lpc)
            ctx.report.created["lpcs"] += 1


# --- Members ---------------------------------------------------------------------------------


def dump_members(ctx: ExportContext) -> Iterator[Row]:
    for member in LPCMember.objects.order_by("lpc_id", "pk"):
        yield {
            "id": ctx.local_id("lpc_members", member.pk),
            "lpc": ctx.ref("lpcs", member.lpc_id),
            "name": member.name,
            "role": member.role,
            "gender": member.gender,
            "age_band": member.age_band,
            "group": member.group,
            "community_name": member.community_name,
            "joined_on": iso(member.joined_on),
            "left_on": iso(member.left_on),
        }


def load_members(ctx: ImportContext) -> None:
    for line, row in ctx.rows("lpc_members"):
        with ctx.row("lpc_members", line):
            member = lpc_member_create(
                lpc=ctx.get("lpcs", row["lpc"]),
                by=None,
                name=text(row["name"]),
                role=text(row["role"]),
                gender=text(row["gender"]),
                age_band=text(row["age_band"]),
                group=text(row.get("group", "")),
                community_name=text(row.get("community_name", "")),
                joined_on=to_date(row.get("joined_on")),
                left_on=to_date(row.get("left_on")),
            )
            ctx.put("lpc_members", row["id"], member)
            ctx.report.created["lpc_members"] += 1


# --- Meetings and action points --------------------------------------------------------------


def dump_meetings(ctx: ExportContext) -> Iterator[Row]:
    meetings = (
        LPCMeeting.objects.select_related("recorded_by")
        .prefetch_related("members_present")
        .order_by("lpc_id", "held_on", "pk")
    )
    for meeting in meetings:
        yield {
            "id": ctx.local_id("lpc_meetings", meeting.pk),
            "lpc": ctx.ref("lpcs", meeting.lpc_id),
            "held_on": iso(meeting.held_on),
            "place": ctx.ref("places", meeting.place_id),
            "attendance": meeting.attendance,
            "members_present": ctx.refs(
                "lpc_members", [member.pk for member in meeting.members_present.all()]
            ),
            "minutes": meeting.minutes,
            "categories": meeting.categories,
            "risk_factors": meeting.risk_factors,
            "decisions": meeting.decisions,
            "recorded_by": ctx.user(meeting.recorded_by),
        }


def load_meetings(ctx: ImportContext) -> None:
    for line, row in ctx.rows("lpc_meetings"):
        with ctx.row("lpc_meetings", line):
            attendance = row.get("attendance") or {}
            if not isinstance(attendance, dict) or set(attendance) - set(ATTENDANCE_FIELDS):
                raise ValueError(
                    _("attendance counts only %(fields)s")
                    % {"fields": ", ".join(ATTENDANCE_FIELDS)}
                )
            held_on = to_date(row["held_on"])
            if held_on is None:
                raise KeyError("held_on")
            meeting = lpc_meeting_create(
                lpc=ctx.get("lpcs", row["lpc"]),
                by=ctx.user(row.get("recorded_by")),
                held_on=held_on,
                attendance=attendance,
                members_present=ctx.get_many("lpc_members", row.get("members_present", [])),
                place=ctx.get_optional("places", row.get("place")),
                minutes=text(row.get("minutes", "")),
                categories=_codes(row.get("categories", [])),
                risk_factors=_codes(row.get("risk_factors", [])),
                decisions=text(row.get("decisions", "")),
            )
            ctx.put("lpc_meetings", row["id"], meeting)
            ctx.report.created["lpc_meetings"] += 1


def dump_action_points(ctx: ExportContext) -> Iterator[Row]:
    points = sorted(
        ActionPoint.objects.order_by("pk"),
        key=lambda point: ctx.ref("lpc_meetings", point.meeting_id),
    )
    for point in points:
        yield {
            "meeting": ctx.ref("lpc_meetings", point.meeting_id),
            "description": point.description,
            "owner": point.owner,
            "due_on": iso(point.due_on),
            "status": point.status,
            "follow_up": point.follow_up,
            "done_on": iso(point.done_on),
        }


def load_action_points(ctx: ImportContext) -> None:
    for line, row in ctx.rows("action_points"):
        with ctx.row("action_points", line):
            meeting = ctx.get("lpc_meetings", row["meeting"])
            point = action_point_create(
                meeting=meeting,
                by=None,
                description=text(row["description"]),
                due_on=to_date(row["due_on"]),
                owner=text(row.get("owner", "")),
            )
            status, follow_up = text(row["status"]), text(row.get("follow_up", ""))
            if status != ActionPoint.Status.OPEN or follow_up:
                action_point_update(
                    action_point=point,
                    by=None,
                    status=status,
                    follow_up=follow_up,
                    done_on=to_date(row.get("done_on")),
                )
            ctx.report.created["action_points"] += 1


KINDS = (
    Kind("lpcs", dump=dump_lpcs, load=load_lpcs, check=check_lpcs),
    Kind("lpc_members", dump=dump_members, load=load_members),
    Kind("lpc_meetings", dump=dump_meetings, load=load_meetings),
    Kind("action_points", dump=dump_action_points, load=load_action_points),
)
