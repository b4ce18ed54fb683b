"""Missed deadlines reach supervisors as digests: one SMS per person per period, a few per
hour at most, counting the breaches and naming the most urgent; the dashboard lists them all."""

import datetime as dt
import threading

import factory
import pytest
from django.db import connections
from django.utils import timezone

from alerts.models import Alert, AlertEvent, Message
from alerts.segments import count_segments
from networks.models import Location
from networks.services import focal_point_create
from tests.factories import UserFactory
from triage.models import AnalystProfile, EscalationSMS
from triage.services import alerts_escalate_overdue

from .support import make_gazetteer

pytestmark = pytest.mark.django_db

NOW = timezone.now()


class OverdueAlertFactory(factory.django.DjangoModelFactory):
    """A triaged alert whose deadline passed `minutes_late` minutes before NOW."""

    class Meta:
        model = Alert
        exclude = ("minutes_late",)

    minutes_late = 5
    source = Alert.Source.SMS
    text = "Hommes armés, on tire"
    status = Alert.Status.TRIAGED
    priority = 2
    received_at = factory.LazyAttribute(lambda o: o.sla_due_at - dt.timedelta(minutes=10))
    sla_due_at = factory.LazyAttribute(lambda o: NOW - dt.timedelta(minutes=o.minutes_late))


class AnalystProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnalystProfile

    user = factory.SubFactory(UserFactory)
    language = AnalystProfile.Language.FRENCH


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def sam(db):
    """The one supervisor, reading French, with a number."""
    user = UserFactory(username="sam", role="supervisor")
    AnalystProfileFactory(user=user, phone="+243990000001")
    return user


def minutes(n: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=n)


def texts_to(phone: str) -> list[Message]:
    return [
        m
        for m in Message.objects.filter(kind="notice", direction="outbound").order_by("id")
        if m.peer == phone
    ]


SAM = "+243990000001"


# --- Grouped ---------------------------------------------------------------------------------


def test_500_breaches_in_one_run_are_each_marked_once_and_make_one_sms(places, sam):
    alerts = OverdueAlertFactory.create_batch(500, location=places.mbau)
    assert alerts_escalate_overdue(now=NOW) == 500

    sent = texts_to(SAM)
    assert len(sent) == 1
    assert sent[0].body.startswith("Kengele : 500 nouvelles alertes en retard (P2 : 500).")
    assert count_segments(sent[0].body).segments <= 3
    assert Alert.objects.filter(sla_escalated_at=NOW).count() == 500
    events = AlertEvent.objects.filter(kind="sla_breached")
    assert events.count() == 500
    assert set(events.values_list("alert_id", flat=True)) == {a.pk for a in alerts}

    for minute in range(1, 30):  # the beat goes on: nothing new, nothing sent
        assert alerts_escalate_overdue(now=minutes(minute)) == 0
    assert len(texts_to(SAM)) == 1


def test_a_lone_p1_after_a_quiet_spell_is_texted_at_once(places, sam):
    EscalationSMS.objects.create(user=sam, sent_at=minutes(-20), alert_count=4)
    alert = OverdueAlertFactory(priority=1, location=places.mbau)
    alerts_escalate_overdue(now=NOW)
    [sms] = texts_to(SAM)
    assert sms.body == (
        f"Kengele : l'alerte {alert.reference} (P1, Mbau (Beni)) n'a pas été prise en charge "
        f"avant {timezone.localtime(alert.sla_due_at):%H:%M}. Veuillez vous en occuper sur le "
        "tableau de bord."
    )


def test_breaches_inside_the_period_make_one_digest_at_the_first_run_after_it(places, sam):
    first = OverdueAlertFactory(priority=2, location=places.mbau)
    alerts_escalate_overdue(now=NOW)
    assert len(texts_to(SAM)) == 1

    second = OverdueAlertFactory(priority=2, location=places.oicha, sla_due_at=minutes(1))
    third = OverdueAlertFactory(priority=1, location=places.kasugho, sla_due_at=minutes(4))
    for minute in (2, 5, 10, 14):
        alerts_escalate_overdue(now=minutes(minute))
    assert len(texts_to(SAM)) == 1  # both breaches are marked but wait for the digest
    assert Alert.objects.filter(sla_escalated_at__isnull=False).count() == 3

    alerts_escalate_overdue(now=minutes(15))
    sent = texts_to(SAM)
    assert len(sent) == 2
    assert sent[1].body == (
        "Kengele : 2 nouvelles alertes en retard (P1 : 1, P2 : 1). 3 en retard au total. "
        f"Plus urgentes : {third.reference} (P1, Kasugho), {second.reference} (P2, Oicha). "
        "Voir le tableau de bord."
    )
    assert first.reference not in sent[1].body  # told already
    alerts_escalate_overdue(now=minutes(31))
    assert len(texts_to(SAM)) == 2  # nothing new since


def test_breaches_attended_to_before_their_digest_are_left_out_of_it(places, sam):
    OverdueAlertFactory(location=places.mbau)
    alerts_escalate_overdue(now=NOW)
    taken = OverdueAlertFactory(location=places.oicha, sla_due_at=minutes(1))
    alerts_escalate_overdue(now=minutes(2))
    Alert.objects.filter(pk=taken.pk).update(status="acknowledged", acknowledged_at=minutes(3))
    alerts_escalate_overdue(now=minutes(16))
    assert len(texts_to(SAM)) == 1  # the only pending breach was taken up: nothing to say


# --- Capped ----------------------------------------------------------------------------------


def test_the_hourly_cap_holds_across_runs_and_its_last_sms_says_so(places, sam, settings):
    settings.ESCALATION_DIGEST_MINUTES = 1
    settings.ESCALATION_SMS_PER_HOUR = 3
    for minute in range(60):  # a new breach every minute for an hour
        OverdueAlertFactory(location=places.mbau, sla_due_at=minutes(minute - 0.5))
        assert alerts_escalate_overdue(now=minutes(minute)) == 1

    sent = texts_to(SAM)
    assert len(sent) == 3
    assert "Limite de SMS" not in sent[1].body
    resume = f"{timezone.localtime(minutes(60)):%H:%M}"
    assert sent[2].body.endswith(
        f"Limite de SMS atteinte : le prochain après {resume}. Toutes les alertes en retard "
        "sont sur le tableau de bord."
    )
    assert Alert.objects.filter(sla_escalated_at__isnull=False).count() == 60
    assert AlertEvent.objects.filter(kind="sla_breached").count() == 60

    OverdueAlertFactory(location=places.mbau, sla_due_at=minutes(59.5))
    alerts_escalate_overdue(now=minutes(60))  # the first SMS of the hour has left the window
    sent = texts_to(SAM)
    assert len(sent) == 4
    assert sent[3].body.startswith("Kengele : 58 nouvelles alertes en retard (P2 : 58).")


def test_at_most_the_hourly_cap_with_the_default_settings_through_a_long_flood(places, sam):
    for minute in range(0, 60, 2):
        OverdueAlertFactory.create_batch(20, location=places.mbau, sla_due_at=minutes(minute - 1))
        alerts_escalate_overdue(now=minutes(minute))
    assert Alert.objects.filter(sla_escalated_at__isnull=False).count() == 600
    assert len(texts_to(SAM)) == 4  # at 0, 16, 32 and 48 minutes: the beats after each period


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_mark_each_breach_once_and_text_once():
    places = make_gazetteer()
    user = UserFactory(username="sam", role="supervisor")
    AnalystProfileFactory(user=user, phone=SAM)
    OverdueAlertFactory.create_batch(450, location=places.mbau)  # three batches each
    barrier = threading.Barrier(2)
    results, errors = [], []

    def beat():
        try:
            barrier.wait(5)
            results.append(alerts_escalate_overdue(now=NOW))
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(results) == 450
    assert AlertEvent.objects.filter(kind="sla_breached").count() == 450
    assert len(texts_to(SAM)) == 1
    # Breaches the other run committed after the digest wait for the next one: none is lost.
    alerts_escalate_overdue(now=minutes(15))
    assert sum(EscalationSMS.objects.values_list("alert_count", flat=True)) == 450


# --- What the digest says --------------------------------------------------------------------


def test_the_digest_names_the_worst_p1_first_and_never_who_reported(places, settings):
    settings.ESCALATION_SMS_PER_HOUR = 1  # this one is the last of the hour: it says so
    sue = UserFactory(username="sue", role="supervisor")
    AnalystProfileFactory(user=sue, phone="+243990000002", language="en")
    reporter = focal_point_create(name="Kahindo Mbusa", phone="+243991112233")
    oldest_p2 = OverdueAlertFactory(priority=2, minutes_late=50, location=places.eringeti)
    OverdueAlertFactory(priority=2, minutes_late=40, location=places.mbau)
    late_p1 = OverdueAlertFactory(priority=1, minutes_late=20, location=places.oicha)
    recent_p1 = OverdueAlertFactory(priority=1, minutes_late=2, location=None)
    OverdueAlertFactory(priority=3, minutes_late=90, location=places.mbau)
    Alert.objects.update(reporter=reporter, sender="+243991112233")

    alerts_escalate_overdue(now=NOW)
    [sms] = texts_to("+243990000002")
    resume = f"{timezone.localtime(minutes(60)):%H:%M}"
    assert sms.body == (
        "Kengele: 5 new alerts past their deadline (P1: 2, P2: 2, P3: 1). "
        f"Most urgent: {late_p1.reference} (P1, Oicha), {recent_p1.reference} (P1, unknown "
        f"place), {oldest_p2.reference} (P2, Eringeti). See the dashboard. SMS limit reached: "
        f"the next one after {resume}. Every overdue alert is on the dashboard."
    )
    assert "991112233" not in sms.body and "Kahindo" not in sms.body
    assert count_segments(sms.body).segments <= 3


def test_a_french_digest_at_the_cap_fits_three_plain_segments(places, sam, settings):
    settings.ESCALATION_SMS_PER_HOUR = 1
    EscalationSMS.objects.create(user=sam, sent_at=minutes(-61), alert_count=1)
    long_named = [
        Location.objects.create(name=f"Kalunguta-Mabalako {n}", kind="village") for n in range(3)
    ]
    for priority, place in zip((1, 2, 3), long_named, strict=True):
        OverdueAlertFactory.create_batch(1000 if priority == 2 else 10, priority=priority)
        OverdueAlertFactory(priority=priority, minutes_late=99, location=place)
    OverdueAlertFactory(priority=1, minutes_late=500)
    alerts_escalate_overdue(now=NOW)
    [sms] = texts_to(SAM)
    count = count_segments(sms.body)
    assert count.encoding == "GSM-7" and count.segments <= 3
    assert "Kengele : 1024 nouvelles alertes en retard (P1 : 12, P2 : 1001, P3 : 11)." in sms.body
    assert "Limite de SMS atteinte" in sms.body and "Voir le tableau de bord." in sms.body


# --- The dashboard's list ----------------------------------------------------------------------


@pytest.fixture
def overdue_board(places):
    """Alerts past their deadline or not, in Beni and Lubero, by reference."""
    ana = UserFactory(username="ana", role="analyst")
    AnalystProfileFactory(user=ana).areas.add(places.lubero)
    made = {
        "mbau_p1": OverdueAlertFactory(priority=1, location=places.mbau),
        "oicha_p2": OverdueAlertFactory(priority=2, location=places.oicha, minutes_late=90),
        "kasugho_p2": OverdueAlertFactory(priority=2, location=places.kasugho, minutes_late=30),
        "nowhere_p3": OverdueAlertFactory(priority=3, location=None),
        "mbau_for_ana": OverdueAlertFactory(priority=2, location=places.mbau, assignee=ana),
        # acknowledged, but the reporter's new message lies unread past the deadline
        "unread": OverdueAlertFactory(
            status=Alert.Status.ACKNOWLEDGED,
            acknowledged_at=minutes(-20),
            new_message_at=minutes(-10),
            location=places.kasugho,
        ),
        "taken_up": OverdueAlertFactory(
            status=Alert.Status.ACKNOWLEDGED, acknowledged_at=minutes(-1), location=places.kasugho
        ),
        "not_due": OverdueAlertFactory(location=places.mbau, sla_due_at=minutes(30)),
        "closed": OverdueAlertFactory(
            status=Alert.Status.CLOSED, acknowledged_at=minutes(-1), location=places.mbau
        ),
    }
    alerts_escalate_overdue(now=NOW)  # the beat escalates the overdue ones...
    made["just_due"] = OverdueAlertFactory(priority=1, location=places.kasugho, minutes_late=0.2)
    return ana, {name: alert.reference for name, alert in made.items()}


def _listed(client, user) -> list[str]:
    client.force_login(user)
    response = client.get("/dashboard/overdue/")
    assert response.status_code == 200
    return [alert.reference for alert in response.context["rows"]]


def test_a_supervisor_sees_every_overdue_alert_most_urgent_first(client, overdue_board, sam):
    _ana, ref = overdue_board
    assert _listed(client, sam) == [
        ref["mbau_p1"],  # P1, 5 min late
        ref["just_due"],  # P1, not escalated yet: the beat has not run since
        ref["oicha_p2"],  # P2, 90 min late
        ref["kasugho_p2"],  # P2, 30 min late
        ref["mbau_for_ana"],  # P2, 5 min late (created after the previous one)
        ref["unread"],
        ref["nowhere_p3"],
    ]


def test_an_analyst_sees_the_overdue_alerts_of_their_areas_and_their_own(client, overdue_board):
    ana, ref = overdue_board
    assert _listed(client, ana) == [
        ref["just_due"],
        ref["kasugho_p2"],
        ref["mbau_for_ana"],
        ref["unread"],
        ref["nowhere_p3"],  # no place found: every analyst sees it
    ]


@pytest.mark.parametrize("role", ["viewer", "cla"])
def test_those_who_do_not_work_alerts_are_refused_the_list(client, overdue_board, role):
    client.force_login(UserFactory(username=role, role=role))
    assert client.get("/dashboard/overdue/").status_code == 403


def test_a_visitor_is_sent_to_log_in(client, overdue_board):
    response = client.get("/dashboard/overdue/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_reads_in_french_and_english(client, overdue_board, sam):
    _ana, ref = overdue_board
    client.force_login(sam)
    html = client.get("/dashboard/overdue/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Alertes en retard" in html and "7 alertes en retard (P1 : 2, P2 : 4, P3 : 1)" in html
    assert "lecture du nouveau message" in html and "Superviseurs avertis" in html
    row = html.split(f">{ref['oicha_p2']}<")[1].split("</tr>")[0]
    assert "Oicha" in row and "(Beni)" in row and "1\xa0heure" in row and "personne" in row
    client.cookies["django_language"] = "en"
    html = client.get("/dashboard/overdue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Overdue alerts" in html and "7 alerts overdue (P1: 2, P2: 4, P3: 1)" in html
    row = html.split(f">{ref['mbau_for_ana']}<")[1].split("</tr>")[0]
    assert "ana" in row and "acknowledgement" in row


def test_the_queue_links_to_the_list(client, overdue_board, sam):
    ana, _ref = overdue_board
    client.force_login(sam)
    html = client.get("/dashboard/").content.decode()
    banner = html.split("banner-breach")[1].split("</section>")[0]
    assert 'href="/dashboard/overdue/"' in banner
    client.force_login(ana)
    assert 'href="/dashboard/overdue/"' in client.get("/dashboard/").content.decode()
