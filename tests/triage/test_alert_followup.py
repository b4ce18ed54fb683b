"""The alert page's follow-up: corrections, escalation to a response unit, notes, call-backs,
canned replies, the recording and the live thread, all recorded in the alert's history."""

import pytest

from alerts.models import Alert, AlertEvent, CannedReply, Message, ResponseUnit
from alerts.services import alert_transition
from networks.models import Location
from tests.factories import UserFactory


@pytest.fixture
def analyst(db):
    return UserFactory(username="ana", role="analyst")


@pytest.fixture
def alert(db, focal_point):
    return Alert.objects.create(
        source="sms",
        text="Hommes armés à Mbau",
        reporter=focal_point,
        sender_known=True,
        status="triaged",
        priority=2,
        categories=["armed_presence"],
        language="fr",
    )


@pytest.fixture
def logged_in(client, analyst):
    client.force_login(analyst)
    return client


def _url(alert, action=""):
    return f"/dashboard/alerts/{alert.pk}/{action}"


def test_the_page_shows_history_reliability_units_and_canned_replies(logged_in, alert, analyst):
    alert_transition(alert=alert, to="acknowledged", by=analyst)
    page = logged_in.get(_url(alert)).content.decode()
    assert "Historique" in page or "History" in page
    assert "ana" in page  # who acknowledged it
    assert str(ResponseUnit.objects.filter(active=True).first()) in page  # in French
    assert "Force (composante militaire)" in page
    assert CannedReply.objects.filter(language="fr").first().title in page
    assert "not enough checked alerts yet" in page or "pas encore assez" in page


def test_a_correction_from_the_page_is_recorded_with_its_reason(logged_in, alert):
    beni = Location.objects.create(name="Beni", kind="territory")
    Location.objects.create(name="Oicha", kind="village", parent=beni)
    response = logged_in.post(
        _url(alert, "correct/"),
        {
            "categories": ["attack", "displacement"],
            "risk_factors": ["RF1"],
            "language": "sw",
            "place": "Oicha — Beni",
            "note": "the caller said Oicha",
        },
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.categories == ["attack", "displacement"] and alert.language == "sw"
    assert alert.location.name == "Oicha" and alert.risk_factors == ["RF1"]
    kinds = set(alert.events.values_list("kind", flat=True))
    assert {"categories", "language", "location", "risk_factors"} <= kinds
    assert set(alert.events.values_list("note", flat=True)) == {"the caller said Oicha"}


def test_an_unknown_place_or_category_changes_nothing(logged_in, alert):
    for data in (
        {"categories": ["attack"], "language": "fr", "place": "Atlantis"},
        {"categories": ["aliens"], "language": "fr"},
        {"categories": [], "language": "fr"},
    ):
        logged_in.post(_url(alert, "correct/"), data)
    alert.refresh_from_db()
    assert alert.categories == ["armed_presence"] and not alert.events.exists()


def test_escalation_needs_a_checked_alert_then_records_the_unit(logged_in, alert, analyst):
    force = ResponseUnit.objects.get(name__startswith="Force")
    logged_in.post(_url(alert, "escalate/"), {"unit": force.pk})
    alert.refresh_from_db()
    assert alert.status == "triaged" and not alert.events.filter(kind="escalated_to").exists()

    alert_transition(alert=alert, to="acknowledged", by=analyst)
    alert_transition(alert=alert, to="unverified", by=analyst)
    logged_in.post(_url(alert, "escalate/"), {"unit": force.pk, "note": "patrol asked"})
    human_rights = ResponseUnit.objects.get(name="Human Rights")
    logged_in.post(_url(alert, "escalate/"), {"unit": human_rights.pk})
    alert.refresh_from_db()
    assert alert.status == "escalated"
    escalations = list(alert.events.filter(kind="escalated_to").values_list("after", "note"))
    assert escalations == [
        ({"unit": force.pk, "name": force.name}, "patrol asked"),
        ({"unit": human_rights.pk, "name": "Human Rights"}, ""),
    ]


def test_an_inactive_unit_cannot_be_chosen(logged_in, alert, analyst):
    for status in ("acknowledged", "verified"):
        alert_transition(alert=alert, to=status, by=analyst)
    unit = ResponseUnit.objects.create(name="Old unit", active=False)
    logged_in.post(_url(alert, "escalate/"), {"unit": unit.pk})
    alert.refresh_from_db()
    assert alert.status == "verified"


def test_notes_are_kept_in_the_history_and_an_empty_one_is_refused(logged_in, alert):
    logged_in.post(_url(alert, "note/"), {"text": "  "})
    logged_in.post(_url(alert, "note/"), {"text": "Called the chief of Mbau: calm now."})
    notes = list(alert.events.filter(kind=AlertEvent.Kind.NOTE).values_list("note", flat=True))
    assert notes == ["Called the chief of Mbau: calm now."]
    assert "calm now" in logged_in.get(_url(alert)).content.decode()


def test_a_missed_call_is_marked_called_back_once(logged_in, focal_point):
    bip = Alert.objects.create(
        source="missed_call", reporter=focal_point, status="triaged", priority=2
    )
    logged_in.post(_url(bip, "called-back/"))
    first = Alert.objects.get(pk=bip.pk).callback_done_at
    logged_in.post(_url(bip, "called-back/"), {"note": "again, no answer"})
    bip.refresh_from_db()
    assert first is not None and bip.callback_done_at == first
    assert bip.events.filter(kind="called_back").count() == 2


def test_a_text_alert_has_no_call_back(logged_in, alert):
    logged_in.post(_url(alert, "called-back/"))
    assert not alert.events.exists()


def test_viewers_and_clas_cannot_act(client, db, alert):
    for role in ("viewer", "cla"):
        client.force_login(UserFactory(username=f"u-{role}", role=role))
        for action in ("correct/", "escalate/", "note/", "called-back/"):
            assert client.post(_url(alert, action), {"text": "x"}).status_code == 403
    assert not alert.events.exists()


def test_the_thread_polls_while_a_reply_is_still_on_its_way(logged_in, alert):
    message = Message.objects.create(
        alert=alert, direction="outbound", kind="reply", body="Merci", status="queued"
    )
    partial = logged_in.get(_url(alert, "thread/")).content.decode()
    assert "hx-trigger" in partial and "Merci" in partial
    Message.objects.filter(pk=message.pk).update(status="delivered")
    partial = logged_in.get(_url(alert, "thread/")).content.decode()
    assert "hx-trigger" not in partial


def test_the_recording_is_fetched_from_twilio_for_roles_that_may_hear_it(
    logged_in, client, db, focal_point, fake_twilio, settings
):
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    call = Alert.objects.create(
        source="voice",
        reporter=focal_point,
        status="triaged",
        recording_url=f"https://api.twilio.com/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}"
        "/Recordings/RE123",
        recording_duration=12,
    )
    response = logged_in.get(_url(call, "recording/"))
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    assert response.content == fake_twilio.recording
    assert fake_twilio.requests[-1]["_path"].endswith("/Recordings/RE123.mp3")
    assert fake_twilio.requests[-1]["_auth"].startswith("Basic ")
    assert "<audio" in logged_in.get(_url(call)).content.decode()

    client.force_login(UserFactory(username="vera", role="viewer"))
    assert client.get(_url(call, "recording/")).status_code == 403


def test_a_recording_elsewhere_than_twilio_is_never_fetched(logged_in, focal_point):
    call = Alert.objects.create(
        source="voice",
        reporter=focal_point,
        status="triaged",
        recording_url="http://169.254.169.254/latest/meta-data/Recordings/x",
    )
    response = logged_in.get(_url(call, "recording/"))
    assert response.status_code == 502
