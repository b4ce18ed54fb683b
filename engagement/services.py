"""Everything that changes the engagement app's state: town halls with their concerns and
commitments, the answers brought back, deployments with their findings and recommendations.
Each alert a deployment answers records it in the alert's history."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertEvent
from alerts.services import alert_create, alert_event_record
from networks.models import Location
from triage.models import Incident

from .constants import TEXT_MAX_LENGTH
from .models import Commitment, Concern, Deployment, Recommendation, TownHall


@dataclass(frozen=True)
class ConcernInput:
    text: str
    categories: tuple[str, ...] = ()
    risk_factors: tuple[str, ...] = ()
    raise_alert: bool = False


@dataclass(frozen=True)
class CommitmentInput:
    text: str
    owner: User
    due_on: dt.date


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: ValidationError(_("This field is required."), "required")})
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError({field: _("At most %(max)s characters.") % {"max": TEXT_MAX_LENGTH}})
    return value


def _not_in_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


# --- Town halls -------------------------------------------------------------------------------


@transaction.atomic
def town_hall_create(
    *,
    by: User,
    place: Location,
    held_on: dt.date,
    convener: User,
    participants: dict[str, int] | None = None,
    notes: str = "",
    concerns: Iterable[ConcernInput] = (),
    commitments: Iterable[CommitmentInput] = (),
) -> TownHall:
    """Record a town hall; a concern marked `raise_alert` goes to the analysts' queue at once."""
    _not_in_future(held_on, "held_on")
    participants = participants or {}
    unknown = set(participants) - set(TownHall.GROUPS)
    if unknown:
        raise TypeError(f"unknown participant groups: {', '.join(sorted(unknown))}")
    town_hall = TownHall(
        place=place,
        held_on=held_on,
        convener=convener,
        notes=_text(notes, "notes", required=False),
        created_by=by,
        **participants,
    )
    town_hall.full_clean()
    town_hall.save()
    for concern in concerns:
        concern_add(town_hall=town_hall, data=concern, by=by)
    for commitment in commitments:
        commitment_add(
            town_hall=town_hall,
            text=commitment.text,
            owner=commitment.owner,
            due_on=commitment.due_on,
        )
    return town_hall


@transaction.atomic
def concern_add(*, town_hall: TownHall, data: ConcernInput, by: User) -> Concern:
    concern = Concern(
        town_hall=town_hall,
        text=_text(data.text, "text"),
        categories=list(dict.fromkeys(data.categories)),
        risk_factors=list(dict.fromkeys(data.risk_factors)),
    )
    concern.full_clean(exclude=["alert"])
    concern.save()
    if data.raise_alert:
        concern_alert_raise(concern=concern, by=by)
    return concern


@transaction.atomic
def concern_alert_raise(*, concern: Concern, by: User) -> Alert:
    """Send a concern to the analysts' queue as an alert of source "town_hall", placed at the
    meeting's place and triaged like an SMS once committed (as committees' and visits' alerts
    are). A concern raises one alert at most."""
    locked = (
        Concern.objects.select_for_update().select_related("town_hall__place").get(pk=concern.pk)
    )
    if locked.alert_id is not None:
        raise ValidationError(_("This concern already raised an alert."))
    town_hall = locked.town_hall
    text = _("Town hall at %(place)s on %(date)s: %(text)s") % {
        "place": town_hall.place.name,
        "date": town_hall.held_on.strftime("%d/%m/%Y"),
        "text": concern.text,
    }
    alert = alert_create(
        source=Alert.Source.TOWN_HALL, text=text, created_by=by, location=town_hall.place
    )
    Concern.objects.filter(pk=concern.pk).update(alert=alert)
    concern.alert = alert
    return alert


def commitment_add(*, town_hall: TownHall, text: str, owner: User, due_on: dt.date) -> Commitment:
    if due_on < town_hall.held_on:
        raise ValidationError(
            {"due_on": _("A commitment falls due after the meeting it was made at.")}
        )
    commitment = Commitment(
        town_hall=town_hall, text=_text(text, "text"), owner=owner, due_on=due_on
    )
    commitment.full_clean()
    commitment.save()
    return commitment


@transaction.atomic
def commitment_answer(*, commitment: Commitment, answer: str, at: TownHall, by: User) -> Commitment:
    """The answer the mission brought back to the community, at a later meeting in the same
    place. Answered once: the answer is what the community heard."""
    commitment = (
        Commitment.objects.select_for_update().select_related("town_hall").get(pk=commitment.pk)
    )
    if commitment.status == Commitment.Status.ANSWERED:
        raise ValidationError(_("This commitment has already been answered."))
    made_at = commitment.town_hall
    if at.pk == made_at.pk or at.held_on < made_at.held_on:
        raise ValidationError(
            {
                "at": _(
                    "The answer is given at a later meeting than the one the promise was made at."
                )
            }
        )
    if at.place_id != made_at.place_id:
        raise ValidationError({"at": _("The answer is given to the same community (same place).")})
    commitment.answer = _text(answer, "answer")
    commitment.answered_at = at
    commitment.status = Commitment.Status.ANSWERED
    commitment.save(update_fields=["answer", "answered_at", "status"])
    return commitment


# --- Deployments ------------------------------------------------------------------------------


def _deployment_sent_record(deployment: Deployment, alerts: Iterable[Alert], by: User) -> None:
    for alert in alerts:
        alert_event_record(
            alert=alert,
            kind=AlertEvent.Kind.DEPLOYMENT_SENT,
            by=by,
            after={"deployment": deployment.pk, "kind": deployment.kind},
        )


@transaction.atomic
def deployment_create(
    *,
    by: User,
    kind: str,
    area: Location,
    started_on: dt.date,
    ended_on: dt.date | None = None,
    team: dict[str, int] | None = None,
    alerts: Iterable[Alert] = (),
    incidents: Iterable[Incident] = (),
    findings: str = "",
    recommendations: Iterable[str] = (),
) -> Deployment:
    """Record a team or mission sent: each alert it answers gets "deployment sent" in its
    history (its time from escalation is the statistics page's)."""
    team = team or {}
    unknown = set(team) - {"military", "police", "civilians", "investigators"}
    if unknown:
        raise TypeError(f"unknown team components: {', '.join(sorted(unknown))}")
    deployment = Deployment(
        kind=kind,
        area=area,
        started_on=started_on,
        ended_on=ended_on,
        findings=_text(findings, "findings", required=False),
        created_by=by,
        **team,
    )
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": _("A deployment ends after it starts.")})
    deployment.full_clean()
    deployment.save()
    alerts = list(alerts)
    deployment.alerts.set(alerts)
    deployment.incidents.set(list(incidents))
    _deployment_sent_record(deployment, alerts, by)
    for text in recommendations:
        if (text or "").strip():
            recommendation_add(deployment=deployment, text=text)
    if deployment.findings:
        _findings_record(deployment, alerts, by)
    return deployment


@transaction.atomic
def deployment_alerts_link(*, deployment: Deployment, alerts: Iterable[Alert], by: User) -> None:
    """Alerts the deployment also answers (added later): each records it once."""
    already = set(deployment.alerts.values_list("pk", flat=True))
    new = [alert for alert in alerts if alert.pk not in already]
    deployment.alerts.add(*new)
    _deployment_sent_record(deployment, new, by)


def _findings_record(deployment: Deployment, alerts: Iterable[Alert], by: User) -> None:
    # The findings themselves stay with the deployment: the alert's history is read by every
    # role that sees the alert, viewers included.
    for alert in alerts:
        alert_event_record(
            alert=alert,
            kind=AlertEvent.Kind.DEPLOYMENT_FINDINGS,
            by=by,
            after={"deployment": deployment.pk},
        )


@transaction.atomic
def deployment_findings_record(
    *, deployment: Deployment, findings: str, by: User, ended_on: dt.date | None = None
) -> Deployment:
    """What the team found, when it is back: each alert it answered hears of it in its history."""
    deployment.findings = _text(findings, "findings")
    if ended_on is not None:
        if ended_on < deployment.started_on:
            raise ValidationError({"ended_on": _("A deployment ends after it starts.")})
        deployment.ended_on = ended_on
    deployment.save(update_fields=["findings", "ended_on"])
    _findings_record(deployment, deployment.alerts.all(), by)
    return deployment


def recommendation_add(*, deployment: Deployment, text: str) -> Recommendation:
    return Recommendation.objects.create(deployment=deployment, text=_text(text, "text"))


def recommendation_follow(
    *, recommendation: Recommendation, status: str, follow_up: str = ""
) -> Recommendation:
    if status not in Recommendation.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    recommendation.status = status
    recommendation.follow_up = _text(follow_up, "follow_up", required=False)
    recommendation.save(update_fields=["status", "follow_up", "updated_at"])
    return recommendation
