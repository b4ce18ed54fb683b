import datetime as dt
import threading
import uuid
import wave
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.utils import timezone

from alerts.models import Alert, VoicePrompt
from alerts.services import alerts_requeue_stale
from tests.outages import database_down
from tests.twilio_support import post_signed, sign

VOICE = "/webhooks/twilio/voice/"
LANGUAGE = "/webhooks/twilio/voice/language/"
CATEGORY = "/webhooks/twilio/voice/category/"
RECORDING = "/webhooks/twilio/voice/recording/"
STATUS = "/webhooks/twilio/voice/status/"
FORM = "application/x-www-form-urlencoded"
BASE = "http://testserver"
UNKNOWN = "+243970000123"
pytestmark = pytest.mark.django_db


def call_params(sender: str = UNKNOWN, sid: str | None = None, **extra: str) -> dict:
    params = {
        "CallSid": sid or "CA" + uuid.uuid4().hex,
        "AccountSid": django_settings.TWILIO_ACCOUNT_SID,
        "From": sender,
        "To": "+15005550006",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    params.update(extra)
    return params


def recording_params(call: dict, duration: str = "42", **extra: str) -> dict:
    params = dict(call, CallStatus="in-progress", Digits="#", RecordingDuration=duration)
    params["RecordingUrl"] = (
        f"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE{duration}"
    )
    params["RecordingSid"] = "RE" + uuid.uuid4().hex
    params.update(extra)
    return params


def verbs(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return root


def shape(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


@pytest.fixture
def swahili_speaker(focal_point):
    focal_point.language = "sw"
    focal_point.save()
    return focal_point


# --- The menu ---------------------------------------------------------------------------------
def test_it_greets_a_known_focal_point_in_french_then_asks_what_is_happening(
    client, focal_point, django_capture_on_commit_callbacks
):
    params = call_params(sender=focal_point.phone)
    with django_capture_on_commit_callbacks() as callbacks:
        root = verbs(post_signed(client, VOICE, params))
    assert shape(root) == ["Say", "Gather", "Say", "Record", "Say", "Hangup"]
    greeting = root.find("Say")
    assert greeting.get("language") == "fr-FR" and "Bonjour" in greeting.text
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == f"{BASE}{CATEGORY}?lang=fr"
    assert "tapez 1" in gather.find("Say").text
    alert = Alert.objects.get()
    assert (alert.source, alert.status, alert.call_sid) == ("voice", "new", params["CallSid"])
    assert alert.reporter == focal_point and alert.sender_known
    assert alert.sender == focal_point.phone and alert.sender_hash
    assert callbacks == []  # triaged once the recording is in, not before


def test_it_greets_a_known_focal_point_in_swahili_with_a_recorded_prompt(client, swahili_speaker):
    root = verbs(post_signed(client, VOICE, call_params(sender=swahili_speaker.phone)))
    assert shape(root) == ["Play", "Gather", "Play", "Record", "Play", "Hangup"]
    assert root.find("Play").text == f"{BASE}/static/voice/sw-greeting.wav"
    gather = root.find("Gather")
    assert gather.get("action") == f"{BASE}{CATEGORY}?lang=sw"
    assert gather.find("Play").text == f"{BASE}/static/voice/sw-category_menu.wav"
    assert root.find("Record").get("action") == f"{BASE}{RECORDING}?lang=sw"
    assert root.find("Say") is None


def test_it_records_for_up_to_two_minutes_ended_only_by_hash(client, focal_point):
    record = verbs(post_signed(client, VOICE, call_params(sender=focal_point.phone))).find("Record")
    assert record.get("maxLength") == "120"
    assert record.get("finishOnKey") == "#"
    assert record.get("method") == "POST"
    assert record.get("action") == f"{BASE}{RECORDING}?lang=fr"


def test_it_offers_an_unknown_caller_a_language_menu_each_option_in_its_language(client):
    root = verbs(post_signed(client, VOICE, call_params()))
    menu = root.find("Gather")
    assert menu.get("action") == f"{BASE}{LANGUAGE}" and menu.get("numDigits") == "1"
    fr, sw, ln, en = list(menu)
    assert (fr.tag, fr.get("language")) == ("Say", "fr-FR") and "français, tapez 1" in fr.text
    assert sw.text == f"{BASE}/static/voice/sw-language_menu.wav"
    assert ln.text == f"{BASE}/static/voice/ln-language_menu.wav"
    assert (en.tag, en.get("language")) == ("Say", "en-US") and "press 4" in en.text
    # No key pressed: the menu goes on in French, then records all the same.
    assert shape(root) == ["Gather", "Gather", "Say", "Record", "Say", "Hangup"]
    assert root.findall("Gather")[1].get("action") == f"{BASE}{CATEGORY}?lang=fr"
    alert = Alert.objects.get()
    assert alert.sender_known is False and alert.reporter is None and alert.source == "voice"


@pytest.mark.parametrize(
    "digit, language, first",
    [("1", "fr", "Say"), ("2", "sw", "Play"), ("3", "ln", "Play"), ("4", "en", "Say")],
)
def test_the_language_chosen_gives_the_category_menu_in_that_language(
    client, digit, language, first
):
    root = verbs(post_signed(client, LANGUAGE, call_params(Digits=digit)))
    gather = root.find("Gather")
    assert gather.get("action") == f"{BASE}{CATEGORY}?lang={language}"
    assert gather[0].tag == first
    assert root.find("Record").get("action") == f"{BASE}{RECORDING}?lang={language}"


def test_no_language_chosen_goes_on_in_french(client):
    root = verbs(post_signed(client, LANGUAGE, call_params(Digits="")))
    assert root.find("Gather").get("action") == f"{BASE}{CATEGORY}?lang=fr"


@pytest.mark.parametrize(
    "digit, category",
    [("1", "attack"), ("2", "armed_presence"), ("3", "displacement"), ("4", "other")],
)
def test_the_category_digit_is_kept_as_a_hint_and_the_caller_is_recorded(
    client, focal_point, digit, category
):
    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    path = f"{CATEGORY}?lang=sw"
    root = verbs(post_signed(client, path, dict(call, Digits=digit)))
    assert shape(root) == ["Play", "Record", "Play", "Hangup"]
    record = root.find("Record")
    assert record.get("maxLength") == "120"
    assert (
        record.get("action")
        == f"{BASE}{RECORDING}?{urlencode({'lang': 'sw', 'category': category})}"
    )
    assert Alert.objects.get().category_hint == category


def test_an_unlisted_digit_still_goes_on_to_record_without_a_hint(client, focal_point):
    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    root = verbs(post_signed(client, f"{CATEGORY}?lang=fr", dict(call, Digits="9")))
    assert root.find("Record").get("action") == f"{BASE}{RECORDING}?lang=fr"
    assert Alert.objects.get().category_hint == ""


def test_the_language_in_the_query_string_is_part_of_the_signature(client, focal_point):
    call = dict(call_params(sender=focal_point.phone), Digits="1")
    signed_without_query = sign(f"{BASE}{CATEGORY}", call)
    response = client.post(
        f"{CATEGORY}?lang=sw",
        urlencode(call),
        content_type=FORM,
        HTTP_X_TWILIO_SIGNATURE=signed_without_query,
    )
    assert response.status_code == 403


def test_action_urls_use_the_public_base_url_behind_a_proxy(client, settings, focal_point):
    settings.PUBLIC_BASE_URL = "https://alerts.example.org"
    params = call_params(sender=focal_point.phone)
    response = post_signed(client, VOICE, params, url=f"https://alerts.example.org{VOICE}")
    gather = verbs(response).find("Gather")
    assert gather.get("action") == f"https://alerts.example.org{CATEGORY}?lang=fr"


# --- The recording ------------------------------------------------------------------------------
def test_the_recording_completes_the_alert_and_queues_triage_after_commit(
    client, focal_point, django_capture_on_commit_callbacks
):
    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    params = recording_params(call, duration="42")
    path = f"{RECORDING}?lang=fr&category=armed_presence"
    with django_capture_on_commit_callbacks() as callbacks:
        root = verbs(post_signed(client, path, params))
    assert shape(root) == ["Say", "Hangup"]
    assert "Merci" in root.find("Say").text
    alert = Alert.objects.get()
    assert alert.source == "voice" and alert.status == "new"
    assert alert.recording_url == params["RecordingUrl"]
    assert alert.recording_duration == 42
    assert alert.category_hint == "armed_presence"
    assert alert.reporter == focal_point and alert.text == ""
    assert alert.callback_requested_at is None
    # Triage, and keeping the recording here (then deleting Twilio's copy), each queued once
    # the transaction committed.
    assert len(callbacks) == 2
    assert alert.recording.provider_url == params["RecordingUrl"]


def test_the_recording_callback_creates_the_alert_when_the_call_start_was_missed(client):
    call = call_params()
    verbs(post_signed(client, f"{RECORDING}?lang=en&category=attack", recording_params(call)))
    alert = Alert.objects.get()
    assert (alert.source, alert.call_sid, alert.category_hint) == (
        "voice",
        call["CallSid"],
        "attack",
    )
    assert alert.recording_duration == 42 and alert.sender == UNKNOWN


@pytest.mark.parametrize("duration", ["²", "9" * 30, "3000000000", "-4", "soon"])
def test_a_recording_length_that_is_no_number_of_seconds_is_left_unknown(client, duration):
    call = call_params()
    for path in (VOICE, f"{CATEGORY}?lang=fr"):
        verbs(post_signed(client, path, dict(call, RecordingDuration=duration, Digits="1")))
    params = dict(recording_params(call), RecordingDuration=duration)
    verbs(post_signed(client, f"{RECORDING}?lang=fr", params))
    verbs(post_signed(client, STATUS, dict(params, CallStatus="completed")))
    alert = Alert.objects.get()
    assert alert.recording_url == params["RecordingUrl"]
    assert alert.recording_duration is None


def test_the_hint_chosen_in_the_menu_survives_the_recording(client, focal_point):
    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    post_signed(client, f"{CATEGORY}?lang=fr", dict(call, Digits="3"))
    post_signed(client, f"{RECORDING}?lang=fr", recording_params(call))
    assert Alert.objects.get().category_hint == "displacement"


def test_twilio_retrying_the_same_call_sid_makes_one_alert_and_one_triage(
    client, focal_point, django_capture_on_commit_callbacks
):
    call = call_params(sender=focal_point.phone)
    first = post_signed(client, VOICE, call)
    again = post_signed(client, VOICE, call)
    assert first.content == again.content
    recording = recording_params(call)
    with django_capture_on_commit_callbacks() as callbacks:
        post_signed(client, f"{RECORDING}?lang=fr", recording)
        post_signed(client, f"{RECORDING}?lang=fr", recording)
    assert Alert.objects.count() == 1
    assert len(callbacks) == 2  # one triage, one fetch of the recording


@pytest.mark.django_db(transaction=True)
def test_the_same_call_sid_delivered_twice_at_once_makes_one_alert():
    params = call_params()
    barrier = threading.Barrier(2)
    statuses = []

    def deliver():
        try:
            barrier.wait(5)
            statuses.append(post_signed(Client(), VOICE, params).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200, 200]
    assert Alert.objects.count() == 1


def test_a_recording_without_a_recording_url_gets_a_400(client):
    call = call_params()
    response = post_signed(client, RECORDING, dict(call, RecordingDuration="3"))
    assert response.status_code == 400
    assert "RecordingUrl" in response.content.decode()
    assert not Alert.objects.exists()


# --- Missed calls ---------------------------------------------------------------------------------
@pytest.fixture
def reject_missed_calls(settings):
    settings.VOICE_REJECT_MISSED_CALLS = True


def test_in_reject_mode_a_focal_points_call_is_rejected_and_becomes_a_missed_call_alert(
    client, focal_point, reject_missed_calls, django_capture_on_commit_callbacks
):
    params = call_params(sender=focal_point.phone)
    with django_capture_on_commit_callbacks() as callbacks:
        root = verbs(post_signed(client, VOICE, params))
    assert shape(root) == ["Reject"]
    alert = Alert.objects.get()
    assert (alert.source, alert.priority, alert.status) == ("missed_call", 2, "new")
    assert alert.callback_requested_at is not None and alert.callback_done_at is None
    assert alert.reporter == focal_point and alert.call_sid == params["CallSid"]
    assert len(callbacks) == 1


def test_repeated_bips_within_ten_minutes_join_one_alert_and_later_ones_make_a_new_one(
    client, focal_point, reject_missed_calls, django_capture_on_commit_callbacks
):
    post_signed(client, VOICE, call_params(sender=focal_point.phone))
    first = Alert.objects.get()
    Alert.objects.filter(pk=first.pk).update(received_at=timezone.now() - dt.timedelta(minutes=9))
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(2):
            assert b"<Reject" in post_signed(client, VOICE, call_params(focal_point.phone)).content
    assert Alert.objects.count() == 1 and callbacks == []

    Alert.objects.filter(pk=first.pk).update(received_at=timezone.now() - dt.timedelta(minutes=11))
    post_signed(client, VOICE, call_params(sender=focal_point.phone))
    assert Alert.objects.count() == 2
    latest = Alert.objects.exclude(pk=first.pk).get()
    assert latest.source == "missed_call" and latest.callback_requested_at is not None


def test_a_bip_retried_by_twilio_makes_one_missed_call_alert(
    client, focal_point, reject_missed_calls
):
    params = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, params)
    Alert.objects.update(received_at=timezone.now() - dt.timedelta(minutes=30))
    post_signed(client, VOICE, params)
    assert Alert.objects.count() == 1


def test_in_reject_mode_an_unknown_caller_still_gets_the_menu(client, reject_missed_calls):
    root = verbs(post_signed(client, VOICE, call_params()))
    assert root.find("Reject") is None and root.find("Gather") is not None
    assert Alert.objects.get().source == "voice"


def test_a_call_hung_up_before_recording_becomes_a_missed_call_via_the_status_callback(
    client, focal_point, django_capture_on_commit_callbacks
):
    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_signed(client, STATUS, dict(call, CallStatus="completed", CallDuration="9"))
    verbs(response)
    alert = Alert.objects.get()
    assert (alert.source, alert.priority) == ("missed_call", 2)
    assert alert.callback_requested_at is not None and alert.recording_url == ""
    assert len(callbacks) == 1


def test_the_status_callback_leaves_a_recorded_call_alone(
    client, focal_point, django_capture_on_commit_callbacks
):
    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    post_signed(client, RECORDING, recording_params(call))
    with django_capture_on_commit_callbacks() as callbacks:
        post_signed(client, STATUS, dict(call, CallStatus="completed"))
    alert = Alert.objects.get()
    assert alert.source == "voice" and alert.callback_requested_at is None
    assert callbacks == []


def test_a_status_that_is_not_final_changes_nothing(client, focal_point):
    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    verbs(post_signed(client, STATUS, dict(call, CallStatus="in-progress")))
    assert Alert.objects.get().source == "voice"


def test_a_call_we_never_saw_start_still_leaves_a_missed_call_alert(client, focal_point):
    call = call_params(sender=focal_point.phone, CallStatus="no-answer")
    verbs(post_signed(client, STATUS, call))
    alert = Alert.objects.get()
    assert alert.source == "missed_call" and alert.reporter == focal_point
    assert alert.callback_requested_at is not None


def test_a_recording_arriving_after_the_status_callback_makes_it_a_voice_alert_again(
    client, focal_point
):
    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    post_signed(client, STATUS, dict(call, CallStatus="completed"))
    post_signed(client, RECORDING, recording_params(call))
    alert = Alert.objects.get()
    assert alert.source == "voice" and alert.recording_duration == 42
    assert alert.callback_requested_at is None and alert.priority is None


def test_the_sweeper_turns_a_call_with_no_recording_and_no_callback_into_a_missed_call(
    client, focal_point, empty_triage_queues
):
    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    alert = Alert.objects.get()
    Alert.objects.filter(pk=alert.pk).update(received_at=timezone.now() - dt.timedelta(minutes=2))
    assert alerts_requeue_stale() == 0  # it may still be recording
    alert.refresh_from_db()
    assert alert.source == "voice" and alert.queued_at is None

    Alert.objects.filter(pk=alert.pk).update(received_at=timezone.now() - dt.timedelta(minutes=5))
    empty_triage_queues()  # its task, queued at the call, was lost
    assert alerts_requeue_stale() == 1
    alert.refresh_from_db()
    assert (alert.source, alert.priority) == ("missed_call", 2)
    assert alert.callback_requested_at is not None and alert.queued_at is not None


def test_the_sweeper_does_not_touch_a_recorded_call(client, focal_point):
    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    post_signed(client, RECORDING, recording_params(call))
    Alert.objects.update(received_at=timezone.now() - dt.timedelta(minutes=5))
    alerts_requeue_stale()
    alert = Alert.objects.get()
    assert alert.source == "voice" and alert.callback_requested_at is None


# --- Refusals -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [VOICE, LANGUAGE, CATEGORY, RECORDING, STATUS])
def test_it_rejects_a_bad_signature_and_stores_nothing(client, path):
    params = recording_params(call_params(), CallStatus="completed")
    signature = sign(f"{BASE}{path}", params)
    params["From"] = "+243990000000"
    response = client.post(
        path, urlencode(params), content_type=FORM, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403
    assert not Alert.objects.exists()


@pytest.mark.parametrize("path", [VOICE, LANGUAGE, CATEGORY, RECORDING, STATUS])
def test_a_signed_post_without_a_call_sid_gets_a_400(client, path):
    params = call_params()
    del params["CallSid"]
    response = post_signed(client, path, params)
    assert response.status_code == 400
    assert "CallSid" in response.content.decode()
    assert not Alert.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get(VOICE).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_with_the_database_down_the_caller_hears_an_apology_not_an_error(client, caplog):
    with database_down():
        root = verbs(post_signed(client, VOICE, call_params()))
        recording = post_signed(client, RECORDING, recording_params(call_params()))
        status = post_signed(client, STATUS, call_params(CallStatus="completed"))
    *apologies, hangup = shape(root)
    assert hangup == "Hangup" and apologies and set(apologies) == {"Say"}
    assert root.findall("Say")[-1].get("language") == "en-US"  # French too, once translated
    assert recording.status_code == status.status_code == 200
    assert "database unavailable" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_with_the_database_down_reject_mode_rejects_the_call(client, settings):
    settings.VOICE_REJECT_MISSED_CALLS = True
    with database_down():
        root = verbs(post_signed(client, VOICE, call_params()))
    assert shape(root) == ["Reject"]


# --- Prompts are data ---------------------------------------------------------------------------
def test_every_prompt_in_the_data_file_is_loaded():
    data = yaml.safe_load((Path(django_settings.BASE_DIR) / "alerts/data/voice.yaml").read_text())
    expected = {(key, lang) for key, texts in data["prompts"].items() for lang in texts}
    assert set(VoicePrompt.objects.values_list("key", "language")) == expected
    assert {key for key, _ in expected} == set(VoicePrompt.Key.values)
    assert {lang for _, lang in expected} == {"fr", "sw", "ln", "en"}


def test_the_prompts_are_data_an_admin_can_edit(client, focal_point):
    VoicePrompt.objects.filter(key="greeting", language="fr").update(text="Kengele, on écoute.")
    root = verbs(post_signed(client, VOICE, call_params(sender=focal_point.phone)))
    assert root.find("Say").text == "Kengele, on écoute."


def test_an_uploaded_recording_is_played_instead_of_the_placeholder(
    client, settings, tmp_path, swahili_speaker
):
    settings.MEDIA_ROOT = tmp_path
    prompt = VoicePrompt.objects.get(key="greeting", language="sw")
    prompt.audio = SimpleUploadedFile("karibu.mp3", b"ID3fake", content_type="audio/mpeg")
    prompt.save()
    assert (tmp_path / prompt.audio.name).exists() and prompt.audio.name.startswith("voice/")
    root = verbs(post_signed(client, VOICE, call_params(sender=swahili_speaker.phone)))
    assert root.find("Play").text == f"{BASE}/media/{prompt.audio.name}"


def test_every_swahili_and_lingala_prompt_ships_a_small_placeholder_recording():
    for key in VoicePrompt.Key.values:
        for language in ("sw", "ln"):
            path = Path(django_settings.BASE_DIR) / "static" / "voice" / f"{language}-{key}.wav"
            with wave.open(str(path)) as audio:
                seconds = audio.getnframes() / audio.getframerate()
                assert audio.getnchannels() == 1 and 0.5 < seconds < 30
            assert path.stat().st_size < 400 * 1024


def test_the_prompts_are_in_the_admin(admin_client):
    prompt = VoicePrompt.objects.get(key="thanks", language="ln")
    assert admin_client.get("/admin/alerts/voiceprompt/").status_code == 200
    page = admin_client.get(f"/admin/alerts/voiceprompt/{prompt.pk}/change/")
    assert page.status_code == 200 and "Matondi" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_calls_met_by_a_database_outage_are_spooled_and_still_leave_alerts(
    client, settings, tmp_path
):
    from alerts.services import spool_import

    settings.SPOOL_DIR = tmp_path
    hung_up = call_params()
    recorded = call_params(sender="+243970000456")
    with database_down():
        post_signed(client, VOICE, hung_up)
        post_signed(client, RECORDING, recording_params(recorded))
    assert not Alert.objects.exists() and len(list(tmp_path.glob("*.spool"))) == 2
    assert spool_import() == 2
    missed = Alert.objects.get(call_sid=hung_up["CallSid"])
    assert missed.source == "missed_call" and missed.callback_requested_at is not None
    voice = Alert.objects.get(call_sid=recorded["CallSid"])
    assert voice.source == "voice" and voice.recording_duration == 42


def test_a_recording_after_the_call_was_triaged_as_missed_is_triaged_again_as_voice(
    client, focal_point, django_capture_on_commit_callbacks
):
    from triage.services import alert_triage

    call = call_params(sender=focal_point.phone)
    post_signed(client, VOICE, call)
    post_signed(client, STATUS, dict(call, CallStatus="completed"))
    alert_triage(alert=Alert.objects.get())  # triage ran before the recording arrived
    assert Alert.objects.get().status == "triaged"
    with django_capture_on_commit_callbacks() as callbacks:
        post_signed(client, RECORDING, recording_params(call))
    alert = Alert.objects.get()
    assert (alert.source, alert.status, alert.recording_duration) == ("voice", "new", 42)
    assert len(callbacks) == 2  # queued for triage again, and the recording's fetch
