"""Demo data for community engagement: two town hall meetings at Oicha (the first raised two
concerns, one sent to the analysts as an alert, and made two promises; the second brought one
answer back, the other promise is overdue), and a joint protection team sent after an
escalated alert, with its findings and what came of its two recommendations.

Idempotent: the meetings are known by their notes, the team by the fixed MessageSid of the
alert it answered. Dates are counted back from today, so the overdue promise stays overdue.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from alerts.channels.base import InboundSMS
from alerts.models import Alert, ResponseUnit
from alerts.services import alert_escalate, alert_update, inbound_receive
from networks.models import FocalPoint, Location
from triage.services import alert_triage

from .models import Deployment, Recommendation, TownHall
from .services import (
    CommitmentInput,
    ConcernInput,
    commitment_answer,
    deployment_create,
    recommendation_follow,
    town_hall_create,
)

PLACE = "Oicha"
FIRST_NOTES = "Réunion trimestrielle avec les représentants des quartiers d'Oicha."
SECOND_NOTES = "Réunion de suivi : retour sur les engagements de la réunion précédente."
ALERT_SID = "SMDEMOJPT0001"
ALERT_TEXT = (
    "Attaque d'hommes armés à Eringeti cette nuit, des maisons brûlées et deux personnes "
    "enlevées, les gens fuient vers Oicha"
)
FINDINGS = (
    "Six maisons incendiées, deux civils enlevés puis relâchés. Les déplacés d'Eringeti "
    "dorment à l'école d'Oicha; la route des champs n'est pas patrouillée la nuit."
)


def _place(name: str) -> Location | None:
    return Location.objects.filter(name=name).exclude(kind="province").order_by("id").first()


def seed() -> int:
    """Returns how many objects it made (0 on a second run)."""
    analyst = User.objects.filter(username="analyst").first()
    supervisor = User.objects.filter(username="supervisor").first()
    place = _place(PLACE)
    if analyst is None or supervisor is None or place is None:
        return 0
    return _town_halls(place, analyst, supervisor) + _deployment(place, analyst, supervisor)


def _town_halls(place: Location, analyst: User, supervisor: User) -> int:
    if TownHall.objects.filter(place=place, notes=FIRST_NOTES).exists():
        return 0
    today = timezone.localdate()
    first = town_hall_create(
        by=analyst,
        place=place,
        held_on=today - dt.timedelta(days=30),
        convener=supervisor,
        participants={
            "women": 24,
            "youth": 15,
            "authorities": 4,
            "civil_society": 6,
            "displaced": 11,
        },
        notes=FIRST_NOTES,
        concerns=[
            ConcernInput(
                text="Des hommes armés sont vus chaque soir près des champs sur la route de "
                "Mbau; les femmes n'osent plus y aller.",
                categories=("armed_presence",),
                risk_factors=("RF1",),
                raise_alert=True,
            ),
            ConcernInput(
                text="Les familles déplacées à l'école demandent de l'eau et de la lumière "
                "au point d'eau la nuit.",
                categories=("displacement",),
            ),
        ],
        commitments=[
            CommitmentInput(
                text="Patrouille de nuit sur la route des champs de Mbau",
                owner=supervisor,
                due_on=today - dt.timedelta(days=20),
            ),
            CommitmentInput(
                text="Rencontre avec l'administrateur du territoire sur l'éclairage du point d'eau",
                owner=analyst,
                due_on=today - dt.timedelta(days=10),
            ),
        ],
    )
    second = town_hall_create(
        by=analyst,
        place=place,
        held_on=today - dt.timedelta(days=7),
        convener=supervisor,
        participants={"women": 18, "youth": 9, "authorities": 3, "civil_society": 4},
        notes=SECOND_NOTES,
    )
    patrol = first.commitments.order_by("due_on").first()
    commitment_answer(
        commitment=patrol,
        answer="Les patrouilles de nuit passent sur la route des champs depuis le 2e jour "
        "après la réunion, trois nuits par semaine.",
        at=second,
        by=analyst,
    )
    return 2


def _reporter(place: Location) -> FocalPoint | None:
    return (
        FocalPoint.objects.filter(
            active=True,
            opted_out_at__isnull=True,
            at_risk_since__isnull=True,
            home_location=place,
        )
        .order_by("id")
        .first()
    )


def _deployment(place: Location, analyst: User, supervisor: User) -> int:
    if Deployment.objects.filter(alerts__messages__provider_sid=ALERT_SID).exists():
        return 0
    unit = ResponseUnit.objects.filter(active=True).order_by("order", "id").first()
    alert = Alert.objects.filter(messages__provider_sid=ALERT_SID).first()
    if alert is None:
        reporter = _reporter(place)
        if reporter is None or unit is None:
            return 0
        received = timezone.now() - dt.timedelta(days=6)
        sms = InboundSMS(
            provider_sid=ALERT_SID,
            sender=reporter.phone,
            recipient="+15005550006",
            body=ALERT_TEXT,
            raw={"MessageSid": ALERT_SID, "Body": ALERT_TEXT, "demo": "true"},
            received_at=received,
        )
        alert = inbound_receive(sms=sms).alert
        if alert is None:
            return 0
    if alert.triaged_at is None:
        alert = alert_triage(alert=alert)
    if alert.status in (Alert.Status.NEW, Alert.Status.TRIAGED):
        alert = alert_update(
            alert=alert, by=analyst, status=Alert.Status.ACKNOWLEDGED, assignee=analyst
        )
    if alert.status == Alert.Status.ACKNOWLEDGED:
        alert = alert_update(alert=alert, by=analyst, status=Alert.Status.VERIFIED)
    if alert.status != Alert.Status.ESCALATED and unit is not None:
        alert_escalate(
            alert=alert, unit=unit, by=supervisor, note="Demande d'une équipe conjointe (JPT)."
        )
    alert.refresh_from_db()
    today = timezone.localdate()
    deployment = deployment_create(
        by=supervisor,
        kind=Deployment.Kind.JPT,
        area=alert.location or place,
        started_on=today - dt.timedelta(days=4),
        ended_on=today - dt.timedelta(days=2),
        team={"military": 6, "police": 2, "civilians": 3, "investigators": 1},
        alerts=[alert],
        incidents=[alert.incident] if alert.incident_id else [],
        findings=FINDINGS,
        recommendations=[
            "Patrouilles de nuit entre Oicha et Eringeti",
            "Assistance aux familles déplacées logées à l'école d'Oicha",
        ],
    )
    patrols, assistance = deployment.recommendations.order_by("id")
    recommendation_follow(
        recommendation=patrols,
        status=Recommendation.Status.DONE,
        follow_up="Patrouilles de nuit en place depuis trois nuits (compagnie de la base d'Oicha).",
    )
    recommendation_follow(
        recommendation=assistance,
        status=Recommendation.Status.IN_PROGRESS,
        follow_up="Transmis aux partenaires humanitaires; distribution prévue la semaine "
        "prochaine.",
    )
    return 1
