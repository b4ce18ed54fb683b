"""The cla app's rows in the network handover archive (see networks.handover): CLA profiles and
the field-visit history (visits, recruits, equipment handed out, follow-ups).

Visits are stored through field_visit_create without their recruits: recruiting registers and
enrols people, which the focal points' and memberships' own rows have already done. Recruits
and equipment are linked to those rows here instead.
"""

import uuid
from collections.abc import Iterator

from django.utils.translation import gettext as _

from networks.handover.context import (
    ExportContext,
    HandoverError,
    ImportContext,
    Kind,
    Row,
    iso,
    keep_created_at,
    row_where,
    text,
    to_date,
    to_datetime,
)

from .models import CLAProfile, FieldVisit, FollowUp, Recruitment, VisitEquipment
from .services import cla_profile_save, field_visit_create, follow_up_create, follow_up_mark_done


def _codes(value) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(_("a list of codes is expected"))
    return [text(code) for code in value]


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(_("a head count is a whole number"))
    return value


# --- Profiles --------------------------------------------------------------------------------


def dump_profiles(ctx: ExportContext) -> Iterator[Row]:
    profiles = CLAProfile.objects.select_related("user").prefetch_related("assigned_places")
    for profile in profiles.order_by("pk"):
        yield {
            "user": ctx.user(profile.user, cla=True),
            "base": ctx.ref("places", profile.base_id),
            "languages": profile.languages,
            "assigned_places": ctx.refs("places", [p.pk for p in profile.assigned_places.all()]),
            "notes": profile.notes,
        }


def load_profiles(ctx: ImportContext) -> None:
    """A user who already has a profile here keeps it (the report says so)."""
    for line, row in ctx.rows("cla_profiles"):
        with ctx.row("cla_profiles", line):
            user = ctx.user(row["user"])
            if user is None:
                raise KeyError("user")
            if CLAProfile.objects.filter(user=user).exists():
                ctx.report.notes.append(
                    _("%(username)s already had a CLA profile here: it was kept as it was.")
                    % {"username": user.get_username()}
                )
                ctx.report.reused["cla_profiles"] += 1
                continue
            profile = cla_profile_save(
                user=user,
                base=ctx.get_optional("places", row.get("base")),
                languages=_codes(row.get("languages", [])),
                assigned_places=ctx.get_many("places", row.get("assigned_places", [])),
            )
            notes = text(row.get("notes", ""))
            if notes:
                CLAProfile.objects.filter(pk=profile.pk).update(notes=notes)
            ctx.report.created["cla_profiles"] += 1


# --- Visits ----------------------------------------------------------------------------------


def dump_visits(ctx: ExportContext) -> Iterator[Row]:
    visits = (
        FieldVisit.objects.select_related("cla")
        .prefetch_related("places", "networks", "lpcs")
        .order_by("visited_on", "pk")
    )
    for visit in visits:
        yield {
            "id": ctx.local_id("field_visits", visit.pk),
            "key": str(visit.idempotency_key),
            "cla": ctx.user(visit.cla, cla=True),
            "visited_on": iso(visit.visited_on),
            "places": ctx.refs("places", [p.pk for p in visit.places.all()]),
            "purpose": visit.purpose,
            "women_met": visit.women_met,
            "men_met": visit.men_met,
            "others_met": visit.others_met,
            "organisations_met": visit.organisations_met,
            "networks": ctx.refs("networks", [n.pk for n in visit.networks.all()]),
            "lpcs": ctx.refs("lpcs", [lpc.pk for lpc in visit.lpcs.all()]),
            "observations": visit.observations,
            "categories": visit.categories,
            "risk_factors": visit.risk_factors,
            "created_at": iso(visit.created_at),
        }


def _key(value) -> uuid.UUID:
    return uuid.UUID(text(value))


def check_visits(ctx: ImportContext) -> list[str]:
    keys: dict[uuid.UUID, int] = {}
    for line, row in ctx.rows("field_visits"):
        with ctx.row("field_visits", line):
            keys[_key(row["key"])] = line
    taken = FieldVisit.objects.filter(idempotency_key__in=list(keys))
    return [
        row_where("field_visits", keys[key])
        + _("this visit (%(key)s) is already recorded here.") % {"key": key}
        for key in sorted(taken.values_list("idempotency_key", flat=True))
    ]


def load_visits(ctx: ImportContext) -> None:
    for line, row in ctx.rows("field_visits"):
        with ctx.row("field_visits", line):
            cla = ctx.user(row["cla"])
            if cla is None:
                raise KeyError("cla")
            visit, created = field_visit_create(
                cla=cla,
                idempotency_key=_key(row["key"]),
                visited_on=to_date(row["visited_on"]),
                places=ctx.get_many("places", row["places"]),
                purpose=text(row["purpose"]),
                women_met=_count(row.get("women_met", 0)),
                men_met=_count(row.get("men_met", 0)),
                others_met=_count(row.get("others_met", 0)),
                organisations_met=text(row.get("organisations_met", "")),
                networks=ctx.get_many("networks", row.get("networks", [])),
                lpcs=ctx.get_many("lpcs", row.get("lpcs", [])),
                observations=text(row.get("observations", "")),
                categories=_codes(row.get("categories", [])),
                risk_factors=_codes(row.get("risk_factors", [])),
            )
            if not created:  # the same key twice in the archive
                raise HandoverError(_("this visit appears twice."))
            keep_created_at(visit, row.get("created_at"))
            ctx.put("field_visits", row["id"], visit)
            ctx.report.created["field_visits"] += 1


# --- Recruits, equipment handed out, follow-ups ----------------------------------------------


def dump_recruitments(ctx: ExportContext) -> Iterator[Row]:
    """Only recruits whose focal point is in the archive (those who gave their consent)."""
    recruitments = [
        recruitment
        for recruitment in Recruitment.objects.order_by("pk")
        if ctx.has("focal_points", recruitment.focal_point_id)
    ]
    for recruitment in sorted(recruitments, key=lambda r: ctx.ref("field_visits", r.visit_id)):
        yield {
            "visit": ctx.ref("field_visits", recruitment.visit_id),
            "focal_point": ctx.ref("focal_points", recruitment.focal_point_id),
            "created": recruitment.created,
            "network": ctx.ref("networks", recruitment.network_id),
        }


def load_recruitments(ctx: ImportContext) -> None:
    for line, row in ctx.rows("recruitments"):
        with ctx.row("recruitments", line):
            recruitment = Recruitment(
                visit=ctx.get("field_visits", row["visit"]),
                focal_point=ctx.get("focal_points", row["focal_point"]),
                created=bool(row.get("created", True)),
                network=ctx.get_optional("networks", row.get("network")),
            )
            recruitment.full_clean()
            recruitment.save()
            ctx.report.created["recruitments"] += 1


def dump_visit_equipment(ctx: ExportContext) -> Iterator[Row]:
    links = [
        link
        for link in VisitEquipment.objects.order_by("pk")
        if ctx.has("equipment", link.equipment_id)
    ]
    for link in sorted(links, key=lambda link: ctx.ref("field_visits", link.visit_id)):
        yield {
            "visit": ctx.ref("field_visits", link.visit_id),
            "equipment": ctx.ref("equipment", link.equipment_id),
        }


def load_visit_equipment(ctx: ImportContext) -> None:
    for line, row in ctx.rows("visit_equipment"):
        with ctx.row("visit_equipment", line):
            link = VisitEquipment(
                visit=ctx.get("field_visits", row["visit"]),
                equipment=ctx.get("equipment", row["equipment"]),
            )
            link.full_clean()
            link.save()
            ctx.report.created["visit_equipment"] += 1


def dump_follow_ups(ctx: ExportContext) -> Iterator[Row]:
    follow_ups = sorted(
        FollowUp.objects.select_related("done_by", "assigned_to").order_by("pk"),
        key=lambda follow_up: ctx.ref("field_visits", follow_up.visit_id),
    )
    for follow_up in follow_ups:
        yield {
            "visit": ctx.ref("field_visits", follow_up.visit_id),
            "description": follow_up.description,
            "due_on": iso(follow_up.due_on),
            "done_at": iso(follow_up.done_at),
            "done_by": ctx.user(follow_up.done_by),
            "assigned_to": ctx.user(follow_up.assigned_to, cla=True),
            "created_at": iso(follow_up.created_at),
        }


def load_follow_ups(ctx: ImportContext) -> None:
    for line, row in ctx.rows("follow_ups"):
        with ctx.row("follow_ups", line):
            due_on = to_date(row["due_on"])
            if due_on is None:
                raise KeyError("due_on")
            follow_up = follow_up_create(
                visit=ctx.get("field_visits", row["visit"]),
                description=text(row["description"]),
                due_on=due_on,
                assigned_to=ctx.user(row.get("assigned_to")),
            )
            done_at = to_datetime(row.get("done_at"))
            if done_at is not None:
                follow_up_mark_done(
                    follow_up=follow_up, by=ctx.user(row.get("done_by")), at=done_at
                )
            keep_created_at(follow_up, row.get("created_at"))
            ctx.report.created["follow_ups"] += 1


KINDS = (
    Kind("cla_profiles", dump=dump_profiles, load=load_profiles),
    Kind("field_visits", dump=dump_visits, load=load_visits, check=check_visits),
    Kind("recruitments", dump=dump_recruitments, load=load_recruitments),
    Kind("visit_equipment", dump=dump_visit_equipment, load=load_visit_equipment),
    Kind("follow_ups", dump=dump_follow_ups, load=load_follow_ups),
)
