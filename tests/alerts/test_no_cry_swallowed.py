"""No cry for help is swallowed: a word that may be a plea makes an alert, every keyword message
is in a thread analysts see, a reporter's text after an analyst's reply is triaged, and neither
a closed alert nor a flood hides a text."""

import datetime as dt

import pytest
from celery.signals import before_task_publish
from django.utils import timezone

from alerts.models import Alert, Keyword, Message, OptOut
from alerts.selectors import alert_thread
from alerts.services import sms_send, thread_text_enqueue, thread_texts_requeue_stale
from core.crypto import lookup_hash
from tests.outages import broker_down
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db
URL = "/webhooks/twilio/sms/"
UNKNOWN = "+243970000123"
THREAD_TASK = "triage.tasks.triage_message"
THREAD_BATCH_TASK = "triage.tasks.triage_messages"  # intake's: a list of ids


def send(client, body, sender="+243991234567"):
    return post_signed(client, URL, sms_params(body, sender)).content.decode()


@pytest.fixture
def published():
    """The Celery tasks published, as (task name, args, queue)."""
    tasks = []

    def record(sender=None, body=None, routing_key=None, **kwargs):
        tasks.append((sender, list(body[0]), routing_key))

    before_task_publish.connect(record, weak=False)
    yield tasks
    before_task_publish.disconnect(record)


def thread_tasks(published) -> list:
    """Each thread text's triage task as ([id], queue), whether sent alone or in a batch."""
    tasks = []
    for name, args, queue in published:
        if name == THREAD_TASK:
            tasks.append((args, queue))
        elif name == THREAD_BATCH_TASK:
            tasks.extend(([pk], queue) for pk in args[0])
    return tasks


# --- Words that may be a plea make alerts ---


@pytest.mark.parametrize(
    "body, language_words",
    [
        ("Aide !", "dites par SMS"),
        ("MSAADA", "eleza kwa SMS"),
        ("Saidia", "eleza kwa SMS"),
        ("Lisalisi", "yebisa na SMS"),
        ("help", "dites par SMS"),  # no language of its own: French
    ],
)
def test_a_help_word_alone_from_an_unknown_number_is_an_alert_and_gets_the_how_to(
    client, body, language_words
):
    answer = send(client, body, sender=UNKNOWN)
    alert = Alert.objects.get()
    assert (alert.text, alert.status, alert.source) == (body, "new", "sms")
    assert alert.messages.get().kind == "alert"
    assert language_words in answer
    assert not OptOut.objects.exists()


def test_a_help_word_from_a_focal_point_gets_the_acknowledgement_and_the_how_to(
    client, focal_point
):
    answer = send(client, "AIDE")
    alert = Alert.objects.get()
    assert alert.reporter == focal_point
    assert alert.reference in answer and "dites par SMS" in answer
    assert answer.count("<Message") == 1  # one SMS back
    assert alert.reference in alert.messages.get().auto_reply  # a repeat gets the same


def test_a_help_word_is_queued_for_triage_like_any_alert(
    client, focal_point, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, "Saidia")
    alert = Alert.objects.get()
    assert alert.triaged_at is None and alert.explanation == {}  # left for triage to rate


@pytest.mark.parametrize("body", ["Arrêtez !", "ACHA", "Arrêt", "tika"])
def test_an_ambiguous_stop_word_alone_is_an_alert_and_opts_nobody_out(client, focal_point, body):
    answer = send(client, body)
    alert = Alert.objects.get()
    assert alert.text == body and alert.reporter == focal_point
    assert alert.reference in answer and "ne recevrez plus" not in answer
    focal_point.refresh_from_db()
    assert focal_point.opted_out_at is None
    assert not OptOut.objects.exists()


def test_a_keyword_inside_a_sentence_is_an_alert(client, focal_point):
    send(client, "STOP ils brûlent les maisons à Mbau")
    send(client, "Info: hommes armés vers Oicha")
    assert Alert.objects.count() == 2
    assert not Message.objects.filter(kind="keyword").exists()
    focal_point.refresh_from_db()
    assert focal_point.opted_out_at is None


# --- Commands act, and their messages stay visible ---


def test_stop_from_a_focal_point_opts_out_and_opens_a_review_item_holding_it(
    client, focal_point, django_capture_on_commit_callbacks, published
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(client, "STOP")
    focal_point.refresh_from_db()
    assert focal_point.opted_out_at is not None
    assert OptOut.objects.filter(phone_hash=lookup_hash(focal_point.phone)).exists()
    assert "ne recevrez plus" in answer
    review = Alert.objects.get()
    assert (review.source, review.status, review.priority, review.categories) == (
        "sms",
        "triaged",
        4,
        ["other"],
    )
    assert review.reporter == focal_point and review.text == "STOP"
    rule = "opt-out from a registered focal point: follow up"
    assert review.explanation == {"priority_rule": rule}
    assert review.triaged_at is not None and review.sla_due_at is None
    assert review.assignee is None  # no network has a supervisor of its own: the queue's
    assert review.location == focal_point.home_location and review.location_is_fallback
    assert [m.body for m in alert_thread(alert=review)] == ["STOP"]
    assert not published  # never sent to triage


def test_a_repeated_stop_joins_the_open_review_item(client, focal_point):
    send(client, "STOP")
    review = Alert.objects.get()
    send(client, "STOP")
    assert Alert.objects.get() == review
    assert [m.body for m in alert_thread(alert=review)] == ["STOP", "STOP"]
    review.refresh_from_db()
    assert review.new_message_at is not None


def test_stop_from_an_unknown_number_opts_it_out_without_an_alert(client):
    answer = send(client, "STOP", sender=UNKNOWN)
    assert OptOut.objects.filter(phone_hash=lookup_hash(UNKNOWN)).exists()
    assert "ne recevrez plus" in answer
    assert not Alert.objects.exists()
    assert Message.objects.get().kind == "keyword"


def test_stop_from_an_unknown_number_with_an_open_alert_is_shown_in_it(client):
    send(client, "Tirs à Kamango", sender=UNKNOWN)
    alert = Alert.objects.get()
    send(client, "STOP", sender=UNKNOWN)
    assert OptOut.objects.exists() and Alert.objects.count() == 1
    assert [m.body for m in alert_thread(alert=alert)] == ["Tirs à Kamango", "STOP"]
    alert.refresh_from_db()
    assert alert.new_message_at is not None


def test_start_resubscribes_and_is_shown_in_the_open_review_item(client, focal_point):
    send(client, "STOP")
    answer = send(client, "START")
    focal_point.refresh_from_db()
    assert focal_point.opted_out_at is None and not OptOut.objects.exists()
    assert "nouveau abonné" in answer
    review = Alert.objects.get()
    assert [m.body for m in alert_thread(alert=review)] == ["STOP", "START"]


def test_start_with_no_open_alert_needs_none(client):
    assert "nouveau abonné" in send(client, "START", sender=UNKNOWN)
    assert not Alert.objects.exists()
    assert Message.objects.get().alert is None


def test_info_gets_the_how_to_only(client, focal_point):
    answer = send(client, "INFO")
    assert "dites par SMS" in answer
    assert not Alert.objects.exists()
    focal_point.refresh_from_db()
    assert focal_point.opted_out_at is None


def test_info_during_an_open_alert_is_shown_in_its_thread(client, focal_point):
    send(client, "Hommes armés à Mbau")
    alert = Alert.objects.get()
    assert "dites par SMS" in send(client, "info")
    assert Alert.objects.count() == 1
    assert [m.body for m in alert_thread(alert=alert)] == ["Hommes armés à Mbau", "info"]
    alert.refresh_from_db()
    assert alert.new_message_at is not None


def test_a_closed_alert_does_not_take_keyword_messages(client, focal_point):
    send(client, "Hommes armés à Mbau")
    Alert.objects.update(status="closed")
    send(client, "INFO")
    assert Message.objects.get(kind="keyword").alert is None


# --- Threads are triaged ---


def test_a_text_after_an_analyst_reply_is_left_for_triage_and_shows_the_alert_up(
    client, focal_point, django_capture_on_commit_callbacks, published
):
    send(client, "Hommes armés à Mbau")
    alert = Alert.objects.get()
    sms_send(alert=alert, body="Combien sont-ils ?")
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(client, "Une vingtaine, ils brûlent les maisons")
    message = Message.objects.get(body="Une vingtaine, ils brûlent les maisons")
    assert message.alert == alert and message.triage_pending
    alert.refresh_from_db()
    assert alert.new_message_at == message.created_at
    assert Alert.objects.count() == 1 and "<Message" not in answer
    # Houses burning: a threat to life, triaged ahead of the line.
    assert thread_tasks(published) == [([message.pk], "triage_urgent")]


def test_a_thread_help_word_is_triaged_in_the_thread_and_gets_the_how_to(
    client, focal_point, django_capture_on_commit_callbacks, published
):
    send(client, "Hommes armés à Mbau")
    alert = Alert.objects.get()
    sms_send(alert=alert, body="Où êtes-vous ?")
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(client, "Aide")
    message = Message.objects.get(body="Aide")
    assert message.alert == alert and message.triage_pending
    assert "dites par SMS" in answer
    assert thread_tasks(published) == [([message.pk], "triage_urgent")]  # a plea


def test_a_text_after_the_replied_alert_was_closed_opens_a_new_alert_following_it(
    client, focal_point
):
    send(client, "Hommes armés à Mbau")
    first = Alert.objects.get()
    sms_send(alert=first, body="Merci, nous suivons")
    Alert.objects.filter(pk=first.pk).update(status="closed")
    answer = send(client, "Ils sont revenus cette nuit")
    second = Alert.objects.exclude(pk=first.pk).get()
    assert second.thread_parent == first and second.status == "new"
    assert second.reference in answer  # a new alert: acknowledged
    assert list(first.followers.all()) == [second]
    first.refresh_from_db()
    assert first.status == "closed"  # not reopened
    assert not Message.objects.filter(triage_pending=True).exists()  # triaged as an alert


def test_a_new_alert_follows_the_latest_replied_alert_only(client, focal_point):
    send(client, "Hommes armés à Mbau")
    send(client, "Ils sont partis vers Oicha")
    assert not Alert.objects.filter(thread_parent__isnull=False).exists()


@pytest.mark.parametrize("status", ["dismissed", "false_alarm"])
def test_a_text_after_a_dismissed_alert_follows_it_too(client, focal_point, status):
    send(client, "Hommes armés à Mbau")
    first = Alert.objects.get()
    sms_send(alert=first, body="Merci")
    Alert.objects.filter(pk=first.pk).update(status=status)
    send(client, "Encore des tirs")
    assert Alert.objects.get(text="Encore des tirs").thread_parent == first


# --- Floods stay visible ---


def test_a_flood_after_its_alerts_were_closed_fills_one_new_open_alert(client, focal_point):
    for i in range(30):
        send(client, f"message {i}")
    Alert.objects.update(status="dismissed")
    for i in range(3):
        assert "<Message" not in send(client, f"flood {i}")
    flooded = Alert.objects.get(status="new")
    assert flooded.flooded and flooded.text == "flood 0"
    texts = [m.body for m in alert_thread(alert=flooded)]
    assert texts == ["flood 0", "flood 1", "flood 2"]
    assert flooded.new_message_at == Message.objects.get(body="flood 2").created_at
    assert not Message.objects.filter(triage_pending=True).exists()  # not triaged one by one


def test_a_flood_joins_its_latest_open_alert_not_a_closed_one(client, focal_point):
    for i in range(30):
        send(client, f"message {i}")
    latest = Alert.objects.get(text="message 29")
    Alert.objects.filter(pk=latest.pk).update(status="closed")
    send(client, "flood")
    joined = Message.objects.get(body="flood").alert
    assert joined.is_open and joined.text == "message 28"
    joined.refresh_from_db()
    assert joined.flooded and joined.new_message_at is not None


# --- The sweeper re-publishes thread texts triage has not read ---


def _thread_text(focal_point, *, age: dt.timedelta, pending: bool = True) -> Message:
    alert = Alert.objects.create(source="sms", text="x", reporter=focal_point)
    at = timezone.now() - age
    message = Message.objects.create(
        alert=alert,
        direction="inbound",
        body="y",
        status="received",
        triage_pending=pending,
        created_at=at,
    )
    Message.objects.filter(pk=message.pk).update(updated_at=at)
    return message


def test_the_sweeper_publishes_again_thread_texts_triage_has_not_read(
    focal_point, published, empty_triage_queues
):
    stale = _thread_text(focal_point, age=dt.timedelta(seconds=61))
    _thread_text(focal_point, age=dt.timedelta(seconds=10))  # may still be on its way
    _thread_text(focal_point, age=dt.timedelta(minutes=5), pending=False)  # already read
    assert thread_texts_requeue_stale() == 1
    assert thread_tasks(published) == [([stale.pk], "triage")]
    assert thread_texts_requeue_stale() == 0  # not again within the minute
    Message.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(seconds=61))
    empty_triage_queues()  # a worker took it, and lost it
    assert thread_texts_requeue_stale() == 1  # still unread a minute later: again


def test_the_beat_sweep_includes_thread_texts(focal_point, published, empty_triage_queues):
    from alerts.tasks import requeue_stale

    stale = _thread_text(focal_point, age=dt.timedelta(minutes=2))
    requeue_stale()
    assert ([stale.pk], "triage") in thread_tasks(published)


def test_a_thread_text_stays_pending_when_the_broker_is_down(focal_point, caplog):
    message = _thread_text(focal_point, age=dt.timedelta(seconds=1))
    with broker_down():
        assert thread_text_enqueue(message.pk) is False  # logged, not raised
    assert "sweeper" in caplog.text
    assert Message.objects.get(pk=message.pk).triage_pending


# --- Admins decide which words may be pleas ---


def test_admins_see_filter_and_edit_which_keywords_may_be_pleas(admin_client):
    page = admin_client.get("/admin/alerts/keyword/?may_be_plea__exact=0")
    assert page.status_code == 200
    content = page.content.decode()
    assert "STOP" in content and "MSAADA" not in content
    stop = Keyword.objects.get(word="STOP")
    response = admin_client.post(
        f"/admin/alerts/keyword/{stop.pk}/change/",
        {"word": "stop", "action": "opt_out", "language": "", "may_be_plea": "on"},
    )
    assert response.status_code == 302
    stop.refresh_from_db()
    assert stop.may_be_plea and stop.word == "STOP"
