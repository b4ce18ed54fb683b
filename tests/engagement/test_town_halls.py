"""Town hall meetings: who came (counts by group), what was raised (an alert when it needs the
analysts), what the mission promised, and the answer brought back at a later meeting."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alerts.models import Alert
from engagement import services
from engagement.models import Commitment, Concern
from engagement.selectors import commitments_overdue, later_meetings, town_hall_list
from tests.factories import TownHallFactory
from triage.services import alert_triage_by_id

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_it_records_participants_concerns_and_commitments(gazetteer, users):
    town_hall = services.town_hall_create(
        by=users["analyst"],
        place=gazetteer["oicha"],
        held_on=TODAY - dt.timedelta(days=2),
        convener=users["analyst"],
        participants={"women": 30, "youth": 12, "authorities": 3, "civil_society": 5},
        concerns=[
            services.ConcernInput(
                text="Des hommes armés rôdent près des champs",
                categories=("armed_presence",),
                risk_factors=("RF1",),
            )
        ],
        commitments=[
            services.CommitmentInput(
                text="Patrouille de nuit sur la route des champs",
                owner=users["supervisor"],
                due_on=TODAY + dt.timedelta(days=10),
            )
        ],
    )
    assert town_hall.participants == 50
    concern = town_hall.concerns.get()
    assert (concern.categories, concern.risk_factors, concern.alert) == (
        ["armed_presence"],
        ["RF1"],
        None,
    )
    commitment = town_hall.commitments.get()
    assert (commitment.owner, commitment.status) == (users["supervisor"], "open")
    assert town_hall_list().get(pk=town_hall.pk).open_commitments == 1


def test_an_unknown_category_or_risk_factor_is_refused(gazetteer, users):
    town_hall = TownHallFactory(place=gazetteer["oicha"], convener=users["analyst"])
    for data, field in (
        (services.ConcernInput(text="x", categories=("invasion",)), "categories"),
        (services.ConcernInput(text="x", risk_factors=("RF99",)), "risk_factors"),
        (services.ConcernInput(text="  "), "text"),
    ):
        with pytest.raises(ValidationError) as caught:
            services.concern_add(town_hall=town_hall, data=data, by=users["analyst"])
        assert field in caught.value.message_dict
    assert not Concern.objects.exists()


def test_a_meeting_in_the_future_is_refused(gazetteer, users):
    with pytest.raises(ValidationError) as caught:
        services.town_hall_create(
            by=users["analyst"],
            place=gazetteer["oicha"],
            held_on=TODAY + dt.timedelta(days=1),
            convener=users["analyst"],
        )
    assert "held_on" in caught.value.message_dict


def test_a_concern_raises_a_town_hall_alert_into_the_triage_queue(
    gazetteer, users, django_capture_on_commit_callbacks
):
    town_hall = TownHallFactory(place=gazetteer["mbau"], convener=users["analyst"])
    with django_capture_on_commit_callbacks() as callbacks:
        concern = services.concern_add(
            town_hall=town_hall,
            data=services.ConcernInput(
                text="Des hommes armés ont été vus à Mbau hier soir", raise_alert=True
            ),
            by=users["cla"],
        )
    assert len(callbacks) == 1  # triage queued once committed, as for an SMS
    alert = concern.alert
    assert (alert.source, alert.status, alert.created_by, alert.location) == (
        "town_hall",
        "new",
        users["cla"],
        gazetteer["mbau"],
    )
    alert_triage_by_id(alert_id=alert.pk)
    alert = Alert.objects.get(pk=alert.pk)
    assert alert.status == "triaged" and "armed_presence" in alert.categories
    assert alert.town_hall_concern == concern
    with pytest.raises(ValidationError):
        services.concern_alert_raise(concern=concern, by=users["cla"])
    assert Alert.objects.count() == 1


def test_a_commitment_is_answered_at_a_later_meeting_in_the_same_place(gazetteer, users):
    first = TownHallFactory(
        place=gazetteer["oicha"], convener=users["analyst"], held_on=TODAY - dt.timedelta(days=40)
    )
    commitment = services.commitment_add(
        town_hall=first,
        text="Réparer le pont",
        owner=users["analyst"],
        due_on=TODAY - dt.timedelta(days=10),
    )
    elsewhere = TownHallFactory(place=gazetteer["mbau"], convener=users["analyst"])
    later = TownHallFactory(place=gazetteer["oicha"], convener=users["analyst"])
    assert list(later_meetings(commitment=commitment, town_halls=town_hall_list())) == [later]

    for at in (first, elsewhere):
        with pytest.raises(ValidationError):
            services.commitment_answer(
                commitment=commitment, answer="Fait", at=at, by=users["analyst"]
            )
    with pytest.raises(ValidationError):
        services.commitment_answer(commitment=commitment, answer="  ", at=later, by=users["cla"])

    services.commitment_answer(
        commitment=commitment, answer="Le génie a réparé le pont", at=later, by=users["analyst"]
    )
    commitment.refresh_from_db()
    assert (commitment.status, commitment.answered_at, commitment.answer) == (
        "answered",
        later,
        "Le génie a réparé le pont",
    )
    with pytest.raises(ValidationError):
        services.commitment_answer(commitment=commitment, answer="Encore", at=later, by=None)


def test_the_database_refuses_an_answered_commitment_without_its_answer(gazetteer, users):
    town_hall = TownHallFactory(place=gazetteer["oicha"], convener=users["analyst"])
    commitment = services.commitment_add(
        town_hall=town_hall, text="x", owner=users["analyst"], due_on=TODAY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).update(status="answered")


def test_overdue_commitments_are_the_open_ones_past_their_date(gazetteer, users):
    town_hall = TownHallFactory(
        place=gazetteer["oicha"], convener=users["analyst"], held_on=TODAY - dt.timedelta(days=30)
    )
    late = services.commitment_add(
        town_hall=town_hall, text="late", owner=users["analyst"], due_on=TODAY - dt.timedelta(1)
    )
    services.commitment_add(town_hall=town_hall, text="today", owner=users["analyst"], due_on=TODAY)
    answered = services.commitment_add(
        town_hall=town_hall, text="done", owner=users["analyst"], due_on=TODAY - dt.timedelta(5)
    )
    services.commitment_answer(
        commitment=answered,
        answer="ok",
        at=TownHallFactory(place=gazetteer["oicha"], convener=users["analyst"]),
        by=users["analyst"],
    )
    assert list(commitments_overdue(town_halls=town_hall_list())) == [late]


def test_a_commitment_cannot_fall_due_before_its_meeting(gazetteer, users):
    town_hall = TownHallFactory(place=gazetteer["oicha"], convener=users["analyst"])
    with pytest.raises(ValidationError):
        services.commitment_add(
            town_hall=town_hall,
            text="x",
            owner=users["analyst"],
            due_on=town_hall.held_on - dt.timedelta(days=1),
        )
