"""Everything that changes the cla app's state: profiles, visits, recruits, follow-ups, alerts."""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Alert
from alerts.services import alert_create
from networks.models import Equipment, FocalPoint, Location, Network
from networks.selectors import focal_point_by_phone
from networks.services import focal_point_create, membership_start, phones_normalise

from .constants import (
    ALERT_TEXT_MAX_LENGTH,
    EARLIEST_VISIT_DATE,
    MAX_FOLLOW_UPS_PER_VISIT,
    MAX_RECRUITS_PER_VISIT,
)
from .models import (
    CLAProfile,
    FieldVisit,
    FollowUp,
    Recruitment,
    VisitAlert,
    VisitEquipment,
)


@dataclass(frozen=True)
class EquipmentData:
    kind: str
    amount: Decimal | None = None
    serial: str = ""


@dataclass(frozen=True)
class RecruitData:
    """A person recruited during a visit: an existing focal point, or the details of a new one.

    A number that is already registered links to its focal point instead of creating a second.
    """

    phone: str = ""
    name: str = ""
    focal_point: FocalPoint | None = None
    consent: bool = False
    language: str = FocalPoint.Language.FRENCH
    gender: str = FocalPoint.Gender.UNDISCLOSED
    age_band: str = FocalPoint.AgeBand.UNKNOWN
    role: str = FocalPoint.Role.OTHER
    home_location: Location | None = None
    network: Network | None = None
    equipment: tuple[EquipmentData, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class FollowUpData:
    description: str
    due_on: dt.date


# --- Profiles --------------------------------------------------------------------------------


def cla_profile_save(
    *,
    user: User,
    base: Location | None = None,
    languages: Sequence[str] = (),
    assigned_places: Iterable[Location] = (),
) -> CLAProfile:
    """Create or replace a CLA's profile (base, languages spoken, places assigned)."""
    profile = CLAProfile.objects.filter(user=user).first() or CLAProfile(user=user)
    profile.base = base
    profile.languages = list(dict.fromkeys(languages))
    profile.full_clean()
    profile.save()
    profile.assigned_places.set(list(assigned_places))
    return profile


# --- Visits ----------------------------------------------------------------------------------


def _check_visit_date(visited_on: dt.date) -> None:
    if visited_on > timezone.localdate():
        raise ValidationError(
            {"visited_on": ValidationError(_("A visit cannot be in the future."), code="future")}
        )
    if visited_on < EARLIEST_VISIT_DATE:
        raise ValidationError(
            {
                "visited_on": ValidationError(
                    _("A visit cannot be before %(date)s."),
                    code="too_old",
                    params={"date": EARLIEST_VISIT_DATE},
                )
            }
        )


def _check_follow_up(data: FollowUpData, visited_on: dt.date) -> None:
    if not (data.description or "").strip():
        raise ValidationError(
            {"description": ValidationError(_("Say what is to be done."), code="required")}
        )
    if data.due_on < visited_on:
        raise ValidationError(
            {
                "due_on": ValidationError(
                    _("A follow-up cannot be due before the visit (%(date)s)."),
                    code="before_visit",
                    params={"date": visited_on},
                )
            }
        )


def _visit_by_key(*, key: uuid.UUID, cla: User) -> FieldVisit | None:
    visit = FieldVisit.objects.filter(idempotency_key=key).first()
    if visit is not None and visit.cla_id != cla.pk:
        raise ValidationError(
            {
                "idempotency_key": ValidationError(
                    _("This draft key was already used for another person's visit."),
                    code="key_taken",
                )
            }
        )
    return visit


def field_visit_create(
    *,
    cla: User,
    idempotency_key: uuid.UUID,
    visited_on: dt.date,
    places: Iterable[Location],
    purpose: str = FieldVisit.Purpose.NETWORK_SUPPORT,
    women_met: int = 0,
    men_met: int = 0,
    others_met: int = 0,
    organisations_met: str = "",
    networks: Iterable[Network] = (),
    lpcs: Iterable = (),
    observations: str = "",
    categories: Sequence[str] = (),
    risk_factors: Sequence[str] = (),
    recruits: Sequence[RecruitData] = (),
    follow_ups: Sequence[FollowUpData] = (),
    alert_text: str = "",
    alert_location: Location | None = None,
) -> tuple[FieldVisit, bool]:
    """Store a visit with its recruits, equipment, follow-ups and (optionally) an alert.

    Returns (visit, created). A draft sent again with the same idempotency key returns the
    visit stored the first time and changes nothing, even when both arrive at once: the
    unique key decides, and the loser reads the winner's visit.
    """
    existing = _visit_by_key(key=idempotency_key, cla=cla)
    if existing is not None:
        return existing, False
    places = list(places)
    if not places:
        raise ValidationError(
            {"places": ValidationError(_("Name at least one place visited."), code="required")}
        )
    _check_visit_date(visited_on)
    if len(recruits) > MAX_RECRUITS_PER_VISIT:
        raise ValidationError(
            {
                "recruits": ValidationError(
                    _("At most %(max)s recruits per visit."),
                    code="too_many",
                    params={"max": MAX_RECRUITS_PER_VISIT},
                )
            }
        )
    if len(follow_ups) > MAX_FOLLOW_UPS_PER_VISIT:
        raise ValidationError(
            {
                "follow_ups": ValidationError(
                    _("At most %(max)s follow-ups per visit."),
                    code="too_many",
                    params={"max": MAX_FOLLOW_UPS_PER_VISIT},
                )
            }
        )
    for data in follow_ups:
        _check_follow_up(data, visited_on)
    visit = FieldVisit(
        cla=cla,
        idempotency_key=idempotency_key,
        visited_on=visited_on,
        purpose=purpose,
        women_met=women_met,
        men_met=men_met,
        others_met=others_met,
        organisations_met=(organisations_met or "").strip(),
        observations=(observations or "").strip(),
        categories=list(dict.fromkeys(categories)),
        risk_factors=list(dict.fromkeys(risk_factors)),
    )
    visit.full_clean(exclude=["idempotency_key", "cla"])
    try:
        with transaction.atomic():
            visit.save()
            visit.places.set(places)
            visit.networks.set(list(networks))
            visit.lpcs.set(list(lpcs))
            for data in recruits:
                recruit_add(visit=visit, data=data, by=cla)
            for data in follow_ups:
                FollowUp.objects.create(
                    visit=visit, description=data.description.strip(), due_on=data.due_on
                )
            if (alert_text or "").strip():
                visit_alert_raise(visit=visit, text=alert_text, by=cla, location=alert_location)
    except IntegrityError as exc:
        # Another request stored the same draft first; or, rarer, registered one of these
        # numbers in the meantime, which sending again resolves by linking to it.
        existing = _visit_by_key(key=idempotency_key, cla=cla)
        if existing is not None:
            return existing, False
        raise ValidationError(
            _("Someone else saved related data at the same moment: please send again."),
            code="conflict",
        ) from exc
    return visit, True


# Fields a visit's author may change after the fact (recruits and alerts are added, not edited).
EDITABLE_FIELDS = (
    "visited_on",
    "purpose",
    "women_met",
    "men_met",
    "others_met",
    "organisations_met",
    "observations",
    "categories",
    "risk_factors",
)


@transaction.atomic
def field_visit_update(
    *,
    visit: FieldVisit,
    by: User,
    places: Iterable[Location] | None = None,
    networks: Iterable[Network] | None = None,
    lpcs: Iterable | None = None,
    recruits: Sequence[RecruitData] = (),
    follow_ups: Sequence[FollowUpData] = (),
    **changes,
) -> FieldVisit:
    """Correct a visit and add recruits or follow-ups to it. Fields not given stay as they are."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"field_visit_update() cannot change {sorted(unknown)}")
    for name, value in changes.items():
        if name in ("categories", "risk_factors"):
            value = list(dict.fromkeys(value))
        elif name in ("organisations_met", "observations"):
            value = (value or "").strip()
        setattr(visit, name, value)
    if "visited_on" in changes:
        _check_visit_date(visit.visited_on)
        earliest_due = visit.follow_ups.order_by("due_on").values_list("due_on", flat=True).first()
        if earliest_due is not None and earliest_due < visit.visited_on:
            raise ValidationError(
                {
                    "visited_on": ValidationError(
                        _("A follow-up of this visit is due on %(date)s, before this date."),
                        code="after_follow_up",
                        params={"date": earliest_due},
                    )
                }
            )
    for data in follow_ups:
        _check_follow_up(data, visit.visited_on)
    if visit.recruitments.count() + len(recruits) > MAX_RECRUITS_PER_VISIT:
        raise ValidationError(
            {
                "recruits": ValidationError(
                    _("At most %(max)s recruits per visit."),
                    code="too_many",
                    params={"max": MAX_RECRUITS_PER_VISIT},
                )
            }
        )
    if visit.follow_ups.count() + len(follow_ups) > MAX_FOLLOW_UPS_PER_VISIT:
        raise ValidationError(
            {
                "follow_ups": ValidationError(
                    _("At most %(max)s follow-ups per visit."),
                    code="too_many",
                    params={"max": MAX_FOLLOW_UPS_PER_VISIT},
                )
            }
        )
    visit.full_clean(exclude=["idempotency_key", "cla"])
    if places is not None:
        places = list(places)
        if not places:
            raise ValidationError(
                {"places": ValidationError(_("Name at least one place visited."), code="required")}
            )
    visit.save()
    if places is not None:
        visit.places.set(places)
    if networks is not None:
        visit.networks.set(list(networks))
    if lpcs is not None:
        visit.lpcs.set(list(lpcs))
    for data in recruits:
        recruit_add(visit=visit, data=data, by=by)
    for data in follow_ups:
        FollowUp.objects.create(
            visit=visit, description=data.description.strip(), due_on=data.due_on
        )
    return visit


# --- Recruits --------------------------------------------------------------------------------


def _recruit_focal_point(*, data: RecruitData, visit: FieldVisit) -> tuple[FocalPoint, bool]:
    if data.focal_point is not None:
        return data.focal_point, False
    numbers, errors = phones_normalise(phone=data.phone)
    if errors:
        raise ValidationError({"phone": errors["phone"]})
    known = focal_point_by_phone(numbers["phone"])
    if known is not None:
        return FocalPoint.objects.get(pk=known.pk), False
    if not (data.name or "").strip():
        raise ValidationError(
            {"name": ValidationError(_("A new focal point needs a name."), code="required")}
        )
    if not data.consent:
        raise ValidationError(
            {
                "consent": ValidationError(
                    _("A new focal point must have agreed to be registered."),
                    code="no_consent",
                )
            }
        )
    focal_point = focal_point_create(
        name=data.name,
        phone=numbers["phone"],
        language=data.language,
        gender=data.gender,
        age_band=data.age_band,
        role=data.role,
        home_location=data.home_location,
        consent_at=visit.visited_on,
    )
    return focal_point, True


def recruit_add(*, visit: FieldVisit, data: RecruitData, by: User) -> Recruitment:
    """Register (or link) one recruit of a visit, join them to a network, record their kit.

    Recruiting the same person twice in one visit keeps one recruitment and adds the kit.
    """
    focal_point, created = _recruit_focal_point(data=data, visit=visit)
    recruitment = Recruitment.objects.filter(visit=visit, focal_point=focal_point).first()
    if recruitment is None:
        recruitment = Recruitment.objects.create(
            visit=visit, focal_point=focal_point, created=created, network=data.network
        )
    if data.network is not None:
        membership_start(focal_point=focal_point, network=data.network, joined_on=visit.visited_on)
        if recruitment.network_id is None:
            recruitment.network = data.network
            recruitment.save(update_fields=["network"])
    for kit in data.equipment:
        equipment_hand_out(visit=visit, focal_point=focal_point, data=kit, by=by)
    return recruitment


def equipment_hand_out(
    *, visit: FieldVisit, focal_point: FocalPoint, data: EquipmentData, by: User
) -> Equipment:
    """Record what a CLA gave a focal point during a visit, dated the day of the visit."""
    if data.kind == Equipment.Kind.AIRTIME and not (data.amount and data.amount > 0):
        raise ValidationError(
            {"amount": ValidationError(_("Airtime needs an amount above 0."), code="required")}
        )
    equipment = Equipment(
        focal_point=focal_point,
        kind=data.kind,
        given_on=visit.visited_on,
        amount=data.amount,
        serial=(data.serial or "").strip(),
        given_by=by,
    )
    equipment.full_clean()
    equipment.save()
    VisitEquipment.objects.create(visit=visit, equipment=equipment)
    return equipment


# --- Follow-ups ------------------------------------------------------------------------------


def follow_up_create(
    *, visit: FieldVisit, description: str, due_on: dt.date, assigned_to: User | None = None
) -> FollowUp:
    """Add a follow-up to a visit; `assigned_to` when it is in other hands than the visit's CLA
    (handed over: see cla.succession)."""
    data = FollowUpData(description=description, due_on=due_on)
    _check_follow_up(data, visit.visited_on)
    if visit.follow_ups.count() >= MAX_FOLLOW_UPS_PER_VISIT:
        raise ValidationError(
            _("At most %(max)s follow-ups per visit."),
            code="too_many",
            params={"max": MAX_FOLLOW_UPS_PER_VISIT},
        )
    return FollowUp.objects.create(
        visit=visit, description=description.strip(), due_on=due_on, assigned_to=assigned_to
    )


def follow_up_mark_done(
    *, follow_up: FollowUp, by: User, at: dt.datetime | None = None
) -> FollowUp:
    """Mark a follow-up done; one already done keeps its first date."""
    if follow_up.done_at is None:
        follow_up.done_at = at or timezone.now()
        follow_up.done_by = by
        follow_up.save(update_fields=["done_at", "done_by"])
    return follow_up


# --- Alerts ----------------------------------------------------------------------------------


@transaction.atomic
def visit_alert_raise(
    *, visit: FieldVisit, text: str, by: User, location: Location | None = None
) -> Alert:
    """Raise an alert from a visit into the analysts' queue (source "cla"), triaged like an SMS
    once committed. A visit to one place puts the alert there unless another place is given."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(
            {"text": ValidationError(_("Describe what you want to report."), code="required")}
        )
    if len(text) > ALERT_TEXT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": ValidationError(
                    _("At most %(max)s characters."),
                    code="max_length",
                    params={"max": ALERT_TEXT_MAX_LENGTH},
                )
            }
        )
    if location is None:
        places = list(visit.places.all()[:2])
        location = places[0] if len(places) == 1 else None
    alert = alert_create(source=Alert.Source.CLA, text=text, created_by=by, location=location)
    VisitAlert.objects.create(visit=visit, alert=alert)
    return alert
