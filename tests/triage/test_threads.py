"""Threads are triaged: a reporter's text after an analyst's answer is read by triage, which
raises the alert (never lowers it) or opens a follow-up alert for another event."""

import datetime as dt
import threading

import pytest
from celery.signals import before_task_publish
from django.db import connections
from django.utils import timezone

from alerts.models import Alert, AlertEvent, Message
from alerts.services import alert_transition
from config.celery import app
from networks.services import focal_point_create
from tests.factories import UserFactory
from tests.outages import broker_at
from triage.models import AnalystProfile, Incident
from triage.services import alerts_escalate_overdue, deadline_for, thread_message_triage
from triage.tasks import triage_alert, triage_message

from .support import make_gazetteer, triaged_alert

pytestmark = pytest.mark.django_db

KILLING = "Ils tirent sur les maisons maintenant, il y a des morts"
CALM = "Merci, c'est calme maintenant"
ELSEWHERE = "Des hommes armés ont enlevé trois femmes à Uvira"


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def reporter(places):
    return focal_point_create(
        name="Kavira Masika", phone="+243991234567", language="fr", home_location=places.mbau
    )


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def answered_alert(places, reporter, *, priority=3, categories=("armed_presence",), **fields):
    """A triaged alert about Mbau that an analyst has answered by SMS."""
    received = ago(minutes=30)
    alert = triaged_alert(
        location=places.mbau,
        categories=categories,
        priority=priority,
        reporter=reporter,
        sender=reporter.phone,
        sender_hash=reporter.phone_hash,
        sender_known=True,
        received_at=received,
        sla_due_at=deadline_for(priority=priority, received_at=received),
        risk_factors=["RF1"],
        text="Hommes armés vus près du marché",
        **fields,
    )
    Message.objects.create(
        alert=alert,
        direction=Message.Direction.OUTBOUND,
        kind=Message.Kind.REPLY,
        body="Merci. Restez à l'abri, où sont-ils maintenant ?",
        status=Message.Status.DELIVERED,
        created_at=ago(minutes=20),
    )
    return alert


def reporter_writes(alert: Alert, text: str, *, minutes_ago: float = 1) -> Message:
    """What intake leaves when a text joins the thread: the message waiting for triage and the
    alert marked."""
    at = ago(minutes=minutes_ago)
    message = Message.objects.create(
        alert=alert,
        direction=Message.Direction.INBOUND,
        body=text,
        status=Message.Status.RECEIVED,
        peer=alert.sender,
        triage_pending=True,
        created_at=at,
    )
    Alert.objects.filter(pk=alert.pk).update(new_message_at=at)
    return message


def notices() -> list[Message]:
    return list(Message.objects.filter(kind=Message.Kind.NOTICE).order_by("pk"))


@pytest.fixture
def assignee():
    user = UserFactory(username="ana", role="analyst")
    AnalystProfile.objects.create(user=user, phone="+243990000003", language="en")
    return user


@pytest.fixture
def supervisor():
    user = UserFactory(username="sam", role="supervisor")
    AnalystProfile.objects.create(user=user, phone="+243990000001", language="fr")
    return user


# --- Same event ----------------------------------------------------------------------------------


def test_it_raises_the_priority_resets_the_deadline_and_adds_categories_on_a_report_of_killing(
    places, reporter
):
    alert = answered_alert(places, reporter, priority=3)
    message = reporter_writes(alert, KILLING)
    thread_message_triage(message_id=message.pk)
    alert.refresh_from_db()
    message.refresh_from_db()
    assert alert.priority == 1
    assert alert.categories == ["attack", "armed_presence"]
    assert set(alert.risk_factors) > {"RF1"}
    assert alert.sla_due_at == message.created_at + dt.timedelta(minutes=10)
    assert alert.sla_escalated_at is None
    assert alert.new_message_at == message.created_at  # still unread
    assert message.triage_pending is False and message.alert_id == alert.pk
    event = alert.events.get(kind=AlertEvent.Kind.NEW_MESSAGE)
    assert event.before == {"priority": 3, "categories": ["armed_presence"]}
    assert event.after["priority"] == 1
    assert event.after["categories"] == ["attack", "armed_presence"]
    assert "P3" in event.note and "P1" in event.note
    assert Incident.objects.get(pk=alert.incident_id).priority == 1  # the incident follows


def test_a_calmer_text_never_lowers_the_priority_nor_removes_categories(places, reporter):
    alert = answered_alert(places, reporter, priority=1, categories=("attack",))
    due = alert.sla_due_at
    message = reporter_writes(alert, CALM)
    thread_message_triage(message_id=message.pk)
    alert.refresh_from_db()
    assert alert.priority == 1
    assert alert.categories == ["attack"]
    assert alert.risk_factors == ["RF1"]
    assert alert.sla_due_at == due
    event = alert.events.get(kind=AlertEvent.Kind.NEW_MESSAGE)
    assert event.before == event.after == {"priority": 1, "categories": ["attack"]}
    assert not Message.objects.get(pk=message.pk).triage_pending


def test_running_the_task_twice_changes_nothing_the_second_time(places, reporter, assignee):
    alert = answered_alert(places, reporter, priority=3, assignee=assignee)
    message = reporter_writes(alert, KILLING)
    triage_message(message.pk)
    alert.refresh_from_db()
    first = (alert.priority, alert.categories, alert.sla_due_at, alert.updated_at)
    events, sent = alert.events.count(), len(notices())
    triage_message(message.pk)
    alert.refresh_from_db()
    assert (alert.priority, alert.categories, alert.sla_due_at, alert.updated_at) == first
    assert alert.events.count() == events
    assert len(notices()) == sent == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_triage_the_text_once():
    places = make_gazetteer()
    reporter = focal_point_create(
        name="Kavira Masika", phone="+243991234567", language="fr", home_location=places.mbau
    )
    user = UserFactory(username="ana", role="analyst")
    AnalystProfile.objects.create(user=user, phone="+243990000003")
    alert = answered_alert(places, reporter, priority=3, assignee=user)
    message = reporter_writes(alert, KILLING)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(5)
            triage_message(message.pk)
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert alert.events.filter(kind=AlertEvent.Kind.NEW_MESSAGE).count() == 1
    assert len(notices()) == 1
    assert Alert.objects.get(pk=alert.pk).priority == 1


def test_it_does_nothing_for_a_message_gone_or_already_triaged(places, reporter):
    alert = answered_alert(places, reporter)
    message = reporter_writes(alert, KILLING)
    Message.objects.filter(pk=message.pk).update(triage_pending=False)
    assert thread_message_triage(message_id=message.pk) is None
    assert thread_message_triage(message_id=message.pk + 1000) is None
    alert.refresh_from_db()
    assert alert.priority == 3
    assert not alert.events.filter(kind=AlertEvent.Kind.NEW_MESSAGE).exists()


def test_a_text_in_the_thread_of_an_alert_not_triaged_yet_waits_for_it(places, reporter):
    alert = answered_alert(places, reporter)
    Alert.objects.filter(pk=alert.pk).update(triaged_at=None, status=Alert.Status.NEW)
    message = reporter_writes(alert, KILLING)
    assert thread_message_triage(message_id=message.pk) is None
    assert Message.objects.get(pk=message.pk).triage_pending  # the sweeper brings it back


def test_the_task_is_routed_to_the_triage_queue():
    route = app.amqp.router.route({}, "triage.tasks.triage_message")
    assert route["queue"].name == "triage"


# --- Notices -------------------------------------------------------------------------------------


def test_the_assignee_gets_one_notice_in_their_language_without_the_reporter(
    places, reporter, assignee, supervisor
):
    alert = answered_alert(places, reporter, priority=3, assignee=assignee)
    triage_message(reporter_writes(alert, KILLING).pk)
    [notice] = notices()
    assert notice.peer == "+243990000003" and notice.alert_id is None
    assert alert.reference in notice.body and "P1" in notice.body and "Mbau (Beni)" in notice.body
    assert "new message from the reporter" in notice.body  # English, as their profile asks
    assert reporter.phone not in notice.body and reporter.name not in notice.body


def test_a_calm_text_still_tells_the_assignee_but_not_the_supervisors(
    places, reporter, assignee, supervisor
):
    alert = answered_alert(places, reporter, priority=2, assignee=assignee)
    triage_message(reporter_writes(alert, CALM).pk)
    assert [n.peer for n in notices()] == ["+243990000003"]


def test_a_raise_with_nobody_assigned_tells_the_supervisors(places, reporter, supervisor):
    alert = answered_alert(places, reporter, priority=3)
    triage_message(reporter_writes(alert, KILLING).pk)
    [notice] = notices()
    assert notice.peer == "+243990000001"
    assert "nouveau message" in notice.body.lower() and "P1" in notice.body


def test_a_calm_text_with_nobody_assigned_tells_nobody(places, reporter, supervisor):
    alert = answered_alert(places, reporter, priority=2)
    triage_message(reporter_writes(alert, CALM).pk)
    assert notices() == []


# --- Acknowledged alerts whose priority rose ------------------------------------------------------


def test_an_acknowledged_alert_raised_by_an_unread_text_is_escalated_at_its_new_deadline(
    places, reporter, supervisor
):
    alert = answered_alert(places, reporter, priority=3)
    alert_transition(
        alert=alert, to=Alert.Status.ACKNOWLEDGED, by=UserFactory(username="ana", role="analyst")
    )
    message = reporter_writes(alert, KILLING, minutes_ago=12)  # 10 minutes for P1: missed
    triage_message(message.pk)
    notices_before = len(notices())
    assert alerts_escalate_overdue() == 1
    alert.refresh_from_db()
    assert alert.sla_escalated_at is not None
    [breach] = notices()[notices_before:]
    assert breach.peer == "+243990000001"
    assert "nouveau message" in breach.body and "n'a pas été lu" in breach.body  # GSM-7 apostrophe


def test_a_calm_text_on_an_acknowledged_alert_past_its_deadline_escalates_nothing(
    places, reporter, supervisor
):
    alert = answered_alert(places, reporter, priority=1, categories=("attack",))
    alert_transition(
        alert=alert, to=Alert.Status.ACKNOWLEDGED, by=UserFactory(username="ana", role="analyst")
    )
    triage_message(reporter_writes(alert, CALM).pk)  # the old deadline passed before it
    assert alerts_escalate_overdue() == 0


# --- Another event -------------------------------------------------------------------------------


@pytest.fixture
def published():
    """Triage tasks handed to the broker (through Celery's own publish), as (args, queue)."""
    sent = []

    def record(sender=None, body=None, routing_key=None, **kwargs):
        if sender == triage_alert.name:
            sent.append((tuple(body[0]), routing_key))

    before_task_publish.connect(record, weak=False)
    try:
        with broker_at("memory://"):  # kombu's in-process broker: nothing left on a real queue
            yield sent
    finally:
        before_task_publish.disconnect(record)


def test_a_text_about_another_place_opens_a_follower_alert_queued_for_triage(
    places, reporter, published, django_capture_on_commit_callbacks
):
    alert = answered_alert(places, reporter, priority=3)
    message = reporter_writes(alert, ELSEWHERE)
    with django_capture_on_commit_callbacks(execute=True):
        follower = thread_message_triage(message_id=message.pk)
    assert follower is not None and follower.pk != alert.pk
    follower.refresh_from_db()
    message.refresh_from_db()
    assert follower.thread_parent_id == alert.pk
    assert follower.source == Alert.Source.SMS and follower.text == ELSEWHERE
    assert follower.reporter_id == reporter.pk and follower.sender == reporter.phone
    assert follower.sender_hash == reporter.phone_hash and follower.sender_known
    assert follower.received_at == message.created_at
    assert follower.status == Alert.Status.NEW and follower.triaged_at is None
    assert message.alert_id == follower.pk and not message.triage_pending
    assert published == [((follower.pk,), "triage")]
    alert.refresh_from_db()
    assert alert.priority == 3 and alert.categories == ["armed_presence"]  # left as it was
    assert list(alert.followers.all()) == [follower]
    parent_event = alert.events.get(kind=AlertEvent.Kind.FOLLOW_UP)
    assert parent_event.after["reference"] == follower.reference
    assert follower.events.get(kind=AlertEvent.Kind.FOLLOW_UP).after["reference"] == (
        alert.reference
    )


def test_the_follower_goes_through_the_usual_triage(places, reporter, published):
    alert = answered_alert(places, reporter, priority=3)
    follower = thread_message_triage(message_id=reporter_writes(alert, ELSEWHERE).pk)
    triage_alert(follower.pk)
    follower.refresh_from_db()
    assert follower.priority == 1 and follower.location_id == places.uvira.pk
    assert follower.incident_id is not None and follower.incident_id != alert.incident_id


def test_violence_in_a_thread_about_a_land_dispute_is_another_event(places, reporter, published):
    alert = answered_alert(places, reporter, categories=("intercommunal_tension",))
    follower = thread_message_triage(message_id=reporter_writes(alert, KILLING).pk)
    assert follower.pk != alert.pk and follower.thread_parent_id == alert.pk


def test_a_text_after_the_alert_was_closed_meanwhile_opens_a_follower(places, reporter, published):
    alert = answered_alert(places, reporter)
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.CLOSED, closed_at=ago(minutes=1))
    follower = thread_message_triage(message_id=reporter_writes(alert, KILLING).pk)
    assert follower.pk != alert.pk and follower.thread_parent_id == alert.pk


def test_a_place_named_near_the_alerts_is_the_same_event(places, reporter):
    alert = answered_alert(places, reporter, priority=3)
    message = reporter_writes(alert, "Attaque à Oicha, on tire")  # 8 km from Mbau, same territory
    assert thread_message_triage(message_id=message.pk).pk == alert.pk
    alert.refresh_from_db()
    assert alert.priority == 1 and not alert.followers.exists()


def test_a_place_named_where_the_alert_had_only_the_reporters_home_places_it(places, reporter):
    alert = answered_alert(places, reporter, priority=2)
    Alert.objects.filter(pk=alert.pk).update(location_is_fallback=True)
    message = reporter_writes(alert, "Attaque à Eringeti, on tire")
    assert thread_message_triage(message_id=message.pk).pk == alert.pk
    alert.refresh_from_db()
    assert alert.location_id == places.eringeti.pk and not alert.location_is_fallback
    assert alert.priority == 1
