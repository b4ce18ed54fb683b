"""A threat against the person who reports: triage files it at priority 1, marks the reporter
at risk (broadcasts pause) and tells the supervisors by SMS without naming the reporter, once
per alert, whether triage, the reporter's next text or an analyst's correction says so. A
supervisor clears the mark from the alert page."""

import pytest

from alerts.models import Alert, AlertEvent, Message
from alerts.services import alert_update
from networks.models import AuditEntry, FocalPoint
from networks.services import focal_point_create, focal_point_mark_at_risk
from tests.factories import UserFactory
from triage.models import AnalystProfile
from triage.services import alert_triage, thread_message_triage

from .support import make_gazetteer, triaged_alert

pytestmark = pytest.mark.django_db

THREAT = "On m'a menacé parce que je vous appelle, ils me suivent"


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def reporter(places):
    return focal_point_create(
        name="Kavira Masika", phone="+243991234567", language="fr", home_location=places.mbau
    )


@pytest.fixture
def supervisors(db):
    french = UserFactory(username="sam", role="supervisor")
    AnalystProfile.objects.create(user=french, phone="+243990000001", language="fr")
    english = UserFactory(username="sue", role="supervisor")
    AnalystProfile.objects.create(user=english, phone="+243990000002", language="en")
    UserFactory(username="sid", role="supervisor")  # no number: not texted
    return french, english


def notices(about: str = "") -> list[Message]:
    """The SMS notices to staff (those naming `about`), by number."""
    sent = Message.objects.filter(kind=Message.Kind.NOTICE, body__contains=about)
    return sorted(sent, key=lambda message: message.peer)


def sms_from(reporter, text: str) -> Alert:
    return Alert.objects.create(
        source="sms",
        text=text,
        reporter=reporter,
        sender=reporter.phone,
        sender_hash=reporter.phone_hash,
        sender_known=True,
    )


def test_triage_files_it_at_priority_1_marks_the_reporter_and_tells_the_supervisors(
    reporter, supervisors
):
    alert = alert_triage(alert=sms_from(reporter, THREAT))
    assert alert.priority == 1 and alert.categories[0] == "threat_to_informant"
    reporter.refresh_from_db()
    assert reporter.at_risk and reporter.at_risk_marked_by is None
    assert reporter.at_risk_reason == alert.reference
    french, english = notices()
    assert french.peer == "+243990000001" and english.peer == "+243990000002"
    assert alert.reference in english.body and "threat against the person" in english.body
    for notice in (french, english):
        assert notice.alert_id is None
        assert reporter.name not in notice.body and "Kavira" not in notice.body
        assert reporter.phone not in notice.body and "991234567" not in notice.body
        assert "Mbau" not in notice.body  # where they live would point at them
    event = alert.events.get(kind=AlertEvent.Kind.INFORMANT_THREAT)
    assert event.after == {"marked": True, "supervisors_notified": 2}
    assert AuditEntry.objects.filter(action="at_risk_marked").count() == 1


def test_it_acts_once_per_alert(reporter, supervisors):
    alert = alert_triage(alert=sms_from(reporter, THREAT))
    alert_triage(alert=Alert.objects.get(pk=alert.pk))  # a redelivered task
    alert_update(alert=alert, by=supervisors[0], categories=["threat_to_informant", "attack"])
    assert len(notices()) == 2
    assert alert.events.filter(kind=AlertEvent.Kind.INFORMANT_THREAT).count() == 1


def test_another_threat_later_is_told_again_and_keeps_the_first_mark(reporter, supervisors):
    first = alert_triage(alert=sms_from(reporter, THREAT))
    since = FocalPoint.objects.get(pk=reporter.pk).at_risk_since
    second = alert_triage(alert=sms_from(reporter, "Ils ont pris mon téléphone hier soir"))
    assert second.categories[0] == "threat_to_informant"
    assert len(notices()) == 4
    reporter.refresh_from_db()
    assert reporter.at_risk_since == since and reporter.at_risk_reason == first.reference
    assert second.events.get(kind="informant_threat").after["marked"] is False


def test_without_a_registered_reporter_the_supervisors_are_still_told(places, supervisors):
    alert = alert_triage(
        alert=Alert.objects.create(
            source="lpc", text="Le président du comité a été menacé: ils savent qu'il vous informe"
        )
    )
    assert "threat_to_informant" in alert.categories and alert.priority == 1
    assert len(notices()) == 2
    assert alert.events.get(kind="informant_threat").after["marked"] is False


def test_other_alerts_tell_nobody_and_mark_nobody(reporter, supervisors):
    alert_triage(alert=sms_from(reporter, "Des hommes armés tirent à Mbau maintenant"))
    assert notices() == []
    assert not FocalPoint.objects.get(pk=reporter.pk).at_risk


def test_the_reporters_next_text_in_the_thread_can_say_it(places, reporter, supervisors):
    alert = triaged_alert(
        location=places.mbau,
        categories=("armed_presence",),
        priority=2,
        reporter=reporter,
        sender=reporter.phone,
        sender_hash=reporter.phone_hash,
        sender_known=True,
    )
    Message.objects.create(
        alert=alert, direction="outbound", kind="reply", body="Merci", status="delivered"
    )
    text = Message.objects.create(
        alert=alert,
        direction="inbound",
        body="Maintenant ils savent que je vous appelle, ils m'ont menacé",
        status="received",
        triage_pending=True,
    )
    thread_message_triage(message_id=text.pk)
    alert.refresh_from_db()
    assert "threat_to_informant" in alert.categories and alert.priority == 1
    assert FocalPoint.objects.get(pk=reporter.pk).at_risk
    # Besides the notices that the priority rose, which say nothing of a threat:
    assert len([n for n in notices() if "threat" in n.body or "menace" in n.body]) == 2


def test_an_analysts_correction_can_say_it(places, reporter, supervisors, db):
    analyst = UserFactory(username="ana", role="analyst")
    alert = triaged_alert(location=places.mbau, categories=("other",), reporter=reporter)
    alert_update(alert=alert, by=analyst, categories=["threat_to_informant"])
    reporter.refresh_from_db()
    assert reporter.at_risk and reporter.at_risk_marked_by == analyst
    assert alert.events.get(kind="informant_threat").by == analyst
    assert len(notices()) == 2


# --- The alert page -------------------------------------------------------------------------


@pytest.fixture
def at_risk_alert(places, reporter):
    alert = triaged_alert(
        location=places.mbau, categories=("threat_to_informant",), priority=1, reporter=reporter
    )
    focal_point_mark_at_risk(focal_point=reporter, reason=alert.reference)
    return alert


def test_the_reporter_card_shows_since_when_they_are_at_risk(client, at_risk_alert, db):
    client.force_login(UserFactory(username="ana", role="analyst"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/dashboard/alerts/{at_risk_alert.pk}/").content.decode()
    assert "At risk since" in page and "Marked by triage" in page
    assert at_risk_alert.reference in page
    assert "Broadcasts to this person are paused." in page
    assert "clear the at-risk mark" not in page  # analysts do not clear it


def test_a_supervisor_clears_the_mark_from_the_alert_page(client, at_risk_alert, db):
    client.force_login(UserFactory(username="sam", role="supervisor"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/dashboard/alerts/{at_risk_alert.pk}/").content.decode()
    assert "clear the at-risk mark" in page
    response = client.post(f"/dashboard/alerts/{at_risk_alert.pk}/reporter-safe/", follow=True)
    assert "no longer marked at risk" in response.content.decode()
    assert not FocalPoint.objects.get(pk=at_risk_alert.reporter_id).at_risk
    entry = AuditEntry.objects.get(action="at_risk_cleared")
    assert entry.actor.username == "sam" and entry.details["reason"] == at_risk_alert.reference


def test_an_analyst_may_not_clear_the_mark(client, at_risk_alert, db):
    client.force_login(UserFactory(username="ana", role="analyst"))
    response = client.post(f"/dashboard/alerts/{at_risk_alert.pk}/reporter-safe/")
    assert response.status_code == 403
    assert FocalPoint.objects.get(pk=at_risk_alert.reporter_id).at_risk
