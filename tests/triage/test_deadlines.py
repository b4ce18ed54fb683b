"""Deadlines to acknowledge, per priority; escalation of missed ones to supervisors, once."""

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from alerts.channels.backends import LocmemBackend
from alerts.models import Alert, AlertEvent, Message
from alerts.services import alert_create, alert_transition, message_deliver
from networks.services import focal_point_create
from tests.factories import UserFactory
from triage.models import AnalystProfile, Incident
from triage.services import (
    alert_deadline_reset,
    alert_triage,
    alerts_escalate_overdue,
    deadline_for,
)
from triage.tasks import escalate_overdue

from .support import at, make_gazetteer, triaged_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def supervisors():
    """Two supervisors with a number (one reads English), one without; an analyst with one."""
    made = []
    for username, phone, language in (
        ("sam", "+243990000001", "fr"),
        ("sue", "+243990000002", "en"),
        ("sid", "", "fr"),
    ):
        user = UserFactory(username=username, role="supervisor")
        AnalystProfile.objects.create(user=user, phone=phone, language=language)
        made.append(user)
    ana = UserFactory(username="ana", role="analyst")
    AnalystProfile.objects.create(user=ana, phone="+243990000003")
    return made


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def overdue_alert(places, *, priority: int = 1, minutes_late: int = 5, **fields) -> Alert:
    received = ago(minutes=minutes_late + 10)
    return Alert.objects.create(
        source="sms",
        text="Attaque en cours",
        status=fields.pop("status", Alert.Status.TRIAGED),
        priority=priority,
        location=places.mbau,
        received_at=received,
        sla_due_at=received + dt.timedelta(minutes=10),
        **fields,
    )


def notices() -> list[Message]:
    return list(Message.objects.filter(kind="notice", direction="outbound").order_by("id"))


# --- Deadlines -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "minutes"), [(1, 10), (2, 60), (3, 24 * 60), (4, None), (None, None)]
)
def test_the_deadline_follows_the_priority(priority, minutes):
    received = at(0)
    due = deadline_for(priority=priority, received_at=received)
    assert due == (received + dt.timedelta(minutes=minutes) if minutes else None)


def test_the_targets_are_a_setting(settings):
    settings.ACK_TARGET_MINUTES = {1: 5, 2: 30, 3: 120, 4: 600}
    assert deadline_for(priority=4, received_at=at(0)) == at(10)


def test_triage_sets_the_deadline_from_when_the_alert_was_received(places):
    received = timezone.now() - dt.timedelta(minutes=3)
    p1 = alert_triage(
        alert=alert_create(source="web", text="Hommes armés à Mbau, on tire", received_at=received)
    )
    p4 = alert_triage(alert=alert_create(source="web", text="Bonjour, merci beaucoup"))
    assert p1.priority == 1 and p1.sla_due_at == received + dt.timedelta(minutes=10)
    assert p4.priority == 4 and p4.sla_due_at is None
    p1.refresh_from_db()
    assert p1.sla_due_at == received + dt.timedelta(minutes=10)


def test_a_priority_change_resets_the_deadline_and_the_breach(places):
    alert = triaged_alert(location=places.mbau, priority=3, received_at=ago(hours=2))
    Alert.objects.filter(pk=alert.pk).update(
        sla_due_at=alert.received_at + dt.timedelta(days=1), sla_escalated_at=timezone.now()
    )
    alert.refresh_from_db()
    alert.priority = 1
    alert.save()
    alert_deadline_reset(alert=alert)
    alert.refresh_from_db()
    assert alert.sla_due_at == alert.received_at + dt.timedelta(minutes=10)
    assert alert.sla_escalated_at is None
    assert Incident.objects.get().priority == 1  # the incident follows


# --- Escalation ---------------------------------------------------------------------------------


def test_an_overdue_alert_is_escalated_once_with_an_sms_to_each_supervisor(
    places, supervisors, focal_point
):
    alert = overdue_alert(places, reporter=focal_point, sender=focal_point.phone)
    assert alerts_escalate_overdue() == 1
    assert alerts_escalate_overdue() == 0  # the next beat: nothing new
    escalate_overdue()  # the beat's task, once more
    alert.refresh_from_db()
    assert alert.sla_escalated_at is not None
    sent = notices()
    assert len(sent) == 2  # sam and sue; sid has no number, ana is no supervisor
    for message in sent:
        message_deliver(message_id=message.pk)
    assert [sms["to"] for sms in LocmemBackend.outbox] == ["+243990000001", "+243990000002"]
    for sms in LocmemBackend.outbox:
        assert alert.reference in sms["body"] and "P1" in sms["body"]
        assert "Mbau (Beni)" in sms["body"]
        assert focal_point.phone not in sms["body"] and "Kavira" not in sms["body"]
    assert "was not acknowledged" in LocmemBackend.outbox[1]["body"]  # sue reads English
    event = AlertEvent.objects.get(alert=alert, kind="sla_breached")
    assert event.after == {"supervisors_to_notify": 2}


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Alert.Status.ACKNOWLEDGED, "acknowledged_at": timezone.now()},
        {"status": Alert.Status.CLOSED, "acknowledged_at": timezone.now()},
        {"sla_escalated_at": timezone.now()},
    ],
)
def test_acknowledged_or_already_escalated_alerts_are_left_alone(places, supervisors, fields):
    overdue_alert(places, **fields)
    assert alerts_escalate_overdue() == 0
    assert notices() == []


def test_alerts_not_yet_due_or_without_a_deadline_are_left_alone(places, supervisors):
    Alert.objects.create(
        source="sms", status="triaged", priority=2, sla_due_at=timezone.now() + dt.timedelta(1)
    )
    Alert.objects.create(source="sms", status="triaged", priority=4, sla_due_at=None)
    assert alerts_escalate_overdue() == 0


def test_a_new_breach_after_a_priority_change_is_escalated_again(places, supervisors):
    alert = overdue_alert(places, priority=2, minutes_late=5)
    alerts_escalate_overdue()
    alert.refresh_from_db()
    alert.priority = 1
    alert_deadline_reset(alert=alert)
    assert alerts_escalate_overdue() == 1
    assert len(notices()) == 2  # within the digest period: it waits for the next digest
    assert alerts_escalate_overdue(now=timezone.now() + dt.timedelta(minutes=15)) == 0
    assert len(notices()) == 4
    assert AlertEvent.objects.filter(alert=alert, kind="sla_breached").count() == 2


def test_a_supervisor_who_opted_out_is_skipped_without_failing(places, supervisors):
    from alerts.models import OptOut
    from core.crypto import lookup_hash

    OptOut.objects.create(phone_hash=lookup_hash("+243990000001"))
    overdue_alert(places)
    assert alerts_escalate_overdue() == 1
    assert [m.peer for m in notices()] == ["+243990000002"]


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_the_same_moment_notify_once():
    places = make_gazetteer()
    user = UserFactory(username="sam", role="supervisor")
    AnalystProfile.objects.create(user=user, phone="+243990000001")
    alert = overdue_alert(places)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def beat():
        try:
            barrier.wait(5)
            results.append(alerts_escalate_overdue())
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(results) == [0, 1]
    assert len(notices()) == 1
    assert AlertEvent.objects.filter(alert=alert, kind="sla_breached").count() == 1


def test_the_beat_runs_the_escalation_every_minute_on_the_housekeeping_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["escalate-overdue"]
    assert entry["task"] == escalate_overdue.name == "triage.tasks.escalate_overdue"
    assert entry["schedule"] == 60.0 and entry["options"]["queue"] == "default"
    from config.celery import app

    # The beat's queue wins over the route that sends triage's tasks to the "triage" queue.
    route = app.amqp.router.route(dict(entry["options"]), entry["task"])
    assert route["queue"].name == "default"


# --- On the dashboard -----------------------------------------------------------------------------


def test_supervisors_see_the_breached_alerts_on_the_queue_and_the_alert_page(
    client, places, supervisors
):
    alert = overdue_alert(places)
    quiet = overdue_alert(places, priority=2)
    alerts_escalate_overdue()
    Alert.objects.filter(pk=quiet.pk).update(status="acknowledged", acknowledged_at=timezone.now())
    client.cookies["django_language"] = "en"
    client.force_login(supervisors[0])
    html = client.get("/dashboard/").content.decode()
    assert "banner-breach" in html and "1 alert missed its deadline" in html
    assert alert.reference in html.split("banner-breach")[1].split("</section>")[0]
    assert quiet.reference not in html.split("banner-breach")[1].split("</section>")[0]
    page = client.get(f"/dashboard/alerts/{alert.pk}/").content.decode()
    assert "banner-breach" in page and "Supervisors were alerted" in page

    client.force_login(UserFactory(username="alf", role="analyst"))
    assert "banner-breach" not in client.get("/dashboard/").content.decode()
    assert "banner-breach" in client.get(f"/dashboard/alerts/{alert.pk}/").content.decode()

    alert_transition(alert=alert, to="acknowledged", by=supervisors[0])
    client.force_login(supervisors[0])
    assert "banner-breach" not in client.get("/dashboard/").content.decode()
    assert "banner-breach" not in client.get(f"/dashboard/alerts/{alert.pk}/").content.decode()


def test_the_overdue_tab_only_counts_alerts_not_yet_acknowledged(client, places):
    late = overdue_alert(places)
    late_new = overdue_alert(places, status=Alert.Status.NEW)
    taken_up = overdue_alert(
        places, status=Alert.Status.ACKNOWLEDGED, acknowledged_at=timezone.now()
    )
    checked = overdue_alert(places, status=Alert.Status.VERIFIED, acknowledged_at=timezone.now())
    client.force_login(UserFactory(username="ana", role="analyst"))
    response = client.get("/dashboard/", {"view": "overdue"})
    shown = {a.reference for a in response.context["rows"]}
    assert shown == {late.reference, late_new.reference}
    assert response.context["counts"]["open"] == 2
    html = client.get("/dashboard/").content.decode()
    row = html.split(taken_up.reference)[0].rsplit("<tr", 1)[1]
    assert "is-overdue" not in row
    row = html.split(checked.reference)[0].rsplit("<tr", 1)[1]
    assert "is-overdue" not in row
    row = html.split(f">{late.reference}<")[0].rsplit("<tr", 1)[1]
    assert "is-overdue" in row


def test_a_beat_task_never_notifies_for_a_reporter_number(places, supervisors):
    reporter = focal_point_create(name="Kahindo Mbusa", phone="+243991112233")
    overdue_alert(places, reporter=reporter, sender="+243991112233")
    alerts_escalate_overdue()
    for message in notices():
        assert "991112233" not in message.body and message.alert_id is None
