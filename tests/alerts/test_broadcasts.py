"""Broadcasts: who a selection reaches, the preview, the fan-out at the sender's rate, sending
through the real outbound path, cancel, progress from delivery reports, replies."""

import datetime as dt

import pytest
from celery.signals import before_task_publish
from django.core.exceptions import ValidationError
from django.utils import timezone

from alerts.channels.backends import LocmemBackend
from alerts.models import Alert, Broadcast, BroadcastRecipient, BroadcastReply, Message, OptOut
from alerts.selectors import broadcast_audience, broadcast_counts, broadcast_preview
from alerts.services import (
    BroadcastRefused,
    broadcast_cancel,
    broadcast_create,
    broadcast_fan_out,
    broadcast_recipient_send,
    broadcast_send,
    broadcast_update,
    broadcasts_requeue_due,
    message_deliver,
    message_status_update,
)
from core.crypto import lookup_hash
from tests.alerts.broadcast_support import TEXTS, draft, make_roster
from tests.factories import FocalPointFactory, UserFactory
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(db):
    return make_roster()


@pytest.fixture
def supervisor():
    return UserFactory(username="sup", role="supervisor")


def audience(**selection):
    selection = {"network_ids": [], "location_ids": [], "focal_point_ids": [], **selection}
    return broadcast_audience(**selection)


def ids(result) -> set[int]:
    return {pk for pk, _language in result.recipients}


def run(broadcast: Broadcast, by) -> list[BroadcastRecipient]:
    """Send a broadcast as the workers would: fan out, then each recipient's turn."""
    broadcast_send(broadcast=broadcast, by=by)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    recipients = list(broadcast.recipients.order_by("due_at"))
    for recipient in recipients:
        broadcast_recipient_send(recipient_id=recipient.pk)
    return list(broadcast.recipients.select_related("message").order_by("due_at"))


# --- Selection -----------------------------------------------------------------------------------


def test_a_territory_selects_everyone_living_anywhere_below_it(roster):
    people = roster.people
    assert ids(audience(location_ids=[roster.beni.pk])) == {people["amani"].pk, people["bahati"].pk}
    assert ids(audience(location_ids=[roster.lubero.pk])) == {
        people["chance"].pk,
        people["dieu"].pk,
    }
    assert ids(audience(location_ids=[roster.mbau.pk])) == {people["amani"].pk}


def test_networks_select_their_open_members_each_once(roster):
    both = audience(network_ids=[roster.can_mbau.pk, roster.can_butembo.pk])
    people = roster.people
    assert [pk for pk, _ in both.recipients] == sorted(
        [people["amani"].pk, people["bahati"].pk, people["chance"].pk]
    )
    assert both.selected == 3


def test_a_member_who_left_the_network_is_not_selected(roster):
    membership = roster.people["bahati"].memberships.get()
    membership.left_on = dt.date(2025, 1, 1)
    membership.save()
    assert roster.people["bahati"].pk not in ids(audience(network_ids=[roster.can_mbau.pk]))


def test_networks_places_and_people_add_up_without_duplicates(roster):
    extra = FocalPointFactory(language="fr")
    result = audience(
        network_ids=[roster.can_mbau.pk],
        location_ids=[roster.beni.pk, roster.mbau.pk],
        focal_point_ids=[extra.pk, roster.people["amani"].pk],
    )
    assert ids(result) == {roster.people["amani"].pk, roster.people["bahati"].pk, extra.pk}


def test_opted_out_inactive_and_opt_out_list_are_left_out_and_counted_by_reason(roster):
    people = roster.people
    FocalPoint = type(people["amani"])
    FocalPoint.objects.filter(pk=people["amani"].pk).update(opted_out_at=timezone.now())
    FocalPoint.objects.filter(pk=people["chance"].pk).update(active=False)
    OptOut.objects.create(phone_hash=lookup_hash(people["dieu"].phone))
    result = audience(location_ids=[roster.beni.pk, roster.lubero.pk])
    assert ids(result) == {people["bahati"].pk}
    assert result.excluded == {"opted_out": 1, "opt_out_list": 1, "inactive": 1}
    assert result.selected == 4


def test_the_preview_counts_recipients_and_segments_per_language(roster, supervisor):
    texts = dict(TEXTS, fr="Alerte à Beni: restez à l'abri. " * 6)  # 192 GSM-7 characters
    broadcast = draft(supervisor, texts=texts, places=[roster.beni, roster.lubero])
    preview = broadcast_preview(broadcast=broadcast)
    rows = {row["language"]: row for row in preview.languages}
    assert {lang: row["recipients"] for lang, row in rows.items()} == {
        "fr": 1,
        "sw": 1,
        "ln": 1,
        "en": 1,
    }
    assert (rows["fr"]["segments"], rows["fr"]["encoding"]) == (2, "GSM-7")
    assert (rows["sw"]["segments"], rows["sw"]["fallback"]) == (1, False)
    # No Lingala text: Lingala speakers get the French one.
    assert (rows["ln"]["text_language"], rows["ln"]["fallback"], rows["ln"]["segments"]) == (
        "fr",
        True,
        2,
    )
    assert preview.segments == 2 + 1 + 2 + 1
    assert preview.seconds == 6  # one segment a second by default


def test_a_text_beyond_gsm7_is_counted_in_ucs2(roster, supervisor):
    texts = dict(TEXTS, en="Warning ⚠ armed men")
    preview = broadcast_preview(
        broadcast=draft(supervisor, texts=texts, people=[roster.people["dieu"]])
    )
    en = next(row for row in preview.languages if row["language"] == "en")
    assert en["encoding"] == "UCS-2" and en["recipients"] == 1


def test_a_draft_needs_a_title_a_french_text_and_a_selection_of_things_that_exist(supervisor):
    with pytest.raises(ValidationError) as caught:
        draft(supervisor, texts={"fr": " ", "sw": "x" * 1601}, title="")
    assert set(caught.value.error_dict) == {"title", "text_fr", "text_sw", "networks"}
    with pytest.raises(ValidationError) as caught:
        broadcast_create(
            title="t",
            texts=TEXTS,
            network_ids=[987654],
            location_ids=[2**70],
            focal_point_ids=[],
            created_by=supervisor,
        )
    assert set(caught.value.error_dict) == {"networks", "locations"}


# --- Sending -------------------------------------------------------------------------------------


def test_each_recipient_gets_one_sms_in_their_language_through_the_outbound_path(
    roster, supervisor, settings
):
    settings.SMS_BACKEND = "locmem"
    broadcast = draft(supervisor, places=[roster.beni, roster.lubero])
    recipients = run(broadcast, supervisor)
    assert len(recipients) == 4
    messages = Message.objects.filter(kind=Message.Kind.BROADCAST)
    assert messages.count() == 4 and all(m.status == "pending" for m in messages)
    for message in messages:
        message_deliver(message_id=message.pk)  # what the send_sms task does
    sent = {item["to"]: item["body"] for item in LocmemBackend.outbox}
    people = roster.people
    assert sent == {
        people["amani"].phone: TEXTS["sw"],
        people["bahati"].phone: TEXTS["fr"],
        people["chance"].phone: TEXTS["fr"],  # no Lingala text: French
        people["dieu"].phone: TEXTS["en"],
    }
    broadcast.refresh_from_db()
    assert broadcast.status == "done" and broadcast.recipient_count == 4
    assert broadcast_counts(broadcast_ids=[broadcast.pk])[broadcast.pk]["queued"] == 4


def test_it_sends_through_the_twilio_api_and_one_bad_number_stops_nothing(
    roster, supervisor, fake_twilio
):
    broadcast = draft(supervisor, places=[roster.beni, roster.lubero])
    run(broadcast, supervisor)
    fake_twilio.script = [(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})]
    for message in Message.objects.filter(kind="broadcast").order_by("pk"):
        message_deliver(message_id=message.pk)
    assert len(fake_twilio.sent) == 4
    counts = broadcast_counts(broadcast_ids=[broadcast.pk])[broadcast.pk]
    assert (counts["failed"], counts["queued"]) == (1, 3)
    failed = Message.objects.get(kind="broadcast", status="failed")
    assert failed.error_code == "21211"


def test_turns_are_spaced_by_the_rate_in_segments(roster, supervisor, settings):
    settings.BROADCAST_RATE_PER_SECOND = 2
    people = [FocalPointFactory(language="fr") for _ in range(5)]
    broadcast = draft(supervisor, people=people)
    broadcast_send(broadcast=broadcast, by=supervisor)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    due = list(broadcast.recipients.order_by("due_at").values_list("due_at", flat=True))
    offsets = [(moment - due[0]).total_seconds() for moment in due]
    assert offsets == pytest.approx([0, 0.5, 1.0, 1.5, 2.0], abs=0.01)


def test_a_longer_text_takes_more_turns(roster, supervisor, settings):
    settings.BROADCAST_RATE_PER_SECOND = 1
    broadcast = draft(
        supervisor,
        texts={"fr": "x" * 200, "en": "short"},  # 2 segments in French, 1 in English
        people=[roster.people["bahati"], roster.people["dieu"]],
    )
    broadcast_send(broadcast=broadcast, by=supervisor)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    first, second = broadcast.recipients.order_by("due_at")
    assert first.focal_point == roster.people["bahati"]
    assert (second.due_at - first.due_at).total_seconds() == pytest.approx(2)


def test_the_nth_task_is_published_due_n_over_rate_seconds_later(
    roster, supervisor, settings, django_capture_on_commit_callbacks
):
    settings.BROADCAST_RATE_PER_SECOND = 4
    people = [FocalPointFactory(language="fr") for _ in range(8)]
    broadcast = draft(supervisor, people=people)
    published = []

    def record(sender=None, headers=None, **kwargs):
        if sender == "alerts.tasks.broadcast_deliver":
            published.append((headers["argsrepr"], headers["eta"], kwargs["routing_key"]))

    before_task_publish.connect(record, weak=False)
    try:
        broadcast_send(broadcast=broadcast, by=supervisor)
        with django_capture_on_commit_callbacks(execute=True):
            broadcast_fan_out(broadcast_id=broadcast.pk)
    finally:
        before_task_publish.disconnect(record)
    assert len(published) == 8
    assert {routing_key for _args, _eta, routing_key in published} == {"broadcast"}
    etas = sorted(dt.datetime.fromisoformat(eta) for _args, eta, _key in published)
    offsets = [(eta - etas[0]).total_seconds() for eta in etas]
    assert offsets == pytest.approx([n / 4 for n in range(8)], abs=0.01)


def test_a_second_broadcast_waits_for_the_first_instead_of_doubling_the_rate(roster, supervisor):
    first = draft(supervisor, places=[roster.beni])
    second = draft(supervisor, places=[roster.lubero])
    for broadcast in (first, second):
        broadcast_send(broadcast=broadcast, by=supervisor)
        broadcast_fan_out(broadcast_id=broadcast.pk)
    last_of_first = first.recipients.order_by("-due_at").first().due_at
    assert second.recipients.order_by("due_at").first().due_at > last_of_first


def test_the_fan_out_and_each_turn_run_twice_send_once(roster, supervisor):
    broadcast = draft(supervisor, places=[roster.beni, roster.lubero])
    broadcast_send(broadcast=broadcast, by=supervisor)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    Broadcast.objects.filter(pk=broadcast.pk).update(fanned_out_at=None)  # as if it died midway
    broadcast_fan_out(broadcast_id=broadcast.pk)
    assert broadcast.recipients.count() == 4
    for recipient in broadcast.recipients.all():
        broadcast_recipient_send(recipient_id=recipient.pk)
        broadcast_recipient_send(recipient_id=recipient.pk)
    assert Message.objects.filter(kind="broadcast").count() == 4


def test_only_a_draft_can_be_sent_or_changed(roster, supervisor):
    broadcast = draft(supervisor, places=[roster.beni])
    broadcast_send(broadcast=broadcast, by=supervisor)
    with pytest.raises(BroadcastRefused):
        broadcast_send(broadcast=broadcast, by=supervisor)
    with pytest.raises(BroadcastRefused):
        broadcast_update(
            broadcast=broadcast,
            title="x",
            texts=TEXTS,
            network_ids=[],
            location_ids=[roster.beni.pk],
            focal_point_ids=[],
        )


def test_someone_who_opts_out_before_their_turn_is_skipped(roster, supervisor):
    broadcast = draft(supervisor, places=[roster.beni])
    broadcast_send(broadcast=broadcast, by=supervisor)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    OptOut.objects.create(phone_hash=lookup_hash(roster.people["bahati"].phone))
    for recipient in broadcast.recipients.all():
        broadcast_recipient_send(recipient_id=recipient.pk)
    skipped = broadcast.recipients.get(focal_point=roster.people["bahati"])
    assert (skipped.state, skipped.message) == ("skipped", None)
    assert Message.objects.filter(kind="broadcast").count() == 1
    counts = broadcast_counts(broadcast_ids=[broadcast.pk])[broadcast.pk]
    assert (counts["skipped"], counts["pending"]) == (1, 1)


def test_a_selection_reaching_nobody_is_done_at_once(roster, supervisor):
    type(roster.people["amani"]).objects.filter(pk=roster.people["amani"].pk).update(active=False)
    broadcast = draft(supervisor, places=[roster.mbau])
    broadcast_send(broadcast=broadcast, by=supervisor)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    broadcast.refresh_from_db()
    assert broadcast.status == "done" and broadcast.excluded["inactive"] == 1


# --- Cancel --------------------------------------------------------------------------------------


def test_cancel_stops_every_sms_not_yet_tried(roster, supervisor, settings):
    settings.SMS_BACKEND = "locmem"
    broadcast = draft(supervisor, places=[roster.beni, roster.lubero])
    broadcast_send(broadcast=broadcast, by=supervisor)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    first, second, *rest = broadcast.recipients.order_by("due_at")
    broadcast_recipient_send(recipient_id=first.pk)
    message_deliver(message_id=Message.objects.get(broadcast_recipient=first).pk)  # handed over
    broadcast_recipient_send(recipient_id=second.pk)  # made, not tried yet
    broadcast_cancel(broadcast=broadcast, by=supervisor)
    for recipient in rest:
        broadcast_recipient_send(recipient_id=recipient.pk)  # their turns still come
    for message in Message.objects.filter(kind="broadcast"):
        message_deliver(message_id=message.pk)
    assert len(LocmemBackend.outbox) == 1
    counts = broadcast_counts(broadcast_ids=[broadcast.pk])[broadcast.pk]
    assert (counts["queued"], counts["cancelled"]) == (1, 3)
    broadcast.refresh_from_db()
    assert broadcast.status == "cancelled" and broadcast.cancelled_by == supervisor
    with pytest.raises(BroadcastRefused):
        broadcast_cancel(broadcast=broadcast, by=supervisor)


def test_a_finished_broadcast_cannot_be_cancelled(roster, supervisor):
    broadcast = draft(supervisor, places=[roster.mbau])
    run(broadcast, supervisor)
    broadcast.refresh_from_db()
    with pytest.raises(BroadcastRefused):
        broadcast_cancel(broadcast=broadcast, by=supervisor)


# --- Progress ------------------------------------------------------------------------------------


def test_counts_follow_the_delivery_reports(roster, supervisor, settings, client):
    settings.SMS_BACKEND = "locmem"
    broadcast = draft(supervisor, places=[roster.beni, roster.lubero])
    run(broadcast, supervisor)
    counts = broadcast_counts(broadcast_ids=[broadcast.pk])[broadcast.pk]
    assert counts["pending"] == 4
    for message in Message.objects.filter(kind="broadcast"):
        message_deliver(message_id=message.pk)
    sids = [item["sid"] for item in LocmemBackend.outbox]
    for sid, status in zip(sids, ["sent", "delivered", "delivered", "undelivered"], strict=True):
        response = post_signed(
            client,
            "/webhooks/twilio/status/",
            {"MessageSid": sid, "MessageStatus": status, "ErrorCode": ""},
        )
        assert response.status_code in (200, 204)
    counts = broadcast_counts(broadcast_ids=[broadcast.pk])[broadcast.pk]
    assert {k: v for k, v in counts.items() if v} == {"sent": 1, "delivered": 2, "undelivered": 1}
    message_status_update(provider_sid=sids[0], status="delivered")
    assert broadcast_counts(broadcast_ids=[broadcast.pk])[broadcast.pk]["delivered"] == 3


# --- Sweeper -------------------------------------------------------------------------------------


def test_the_sweeper_gives_lost_turns_new_ones_and_restarts_a_lost_fan_out(
    roster, supervisor, django_capture_on_commit_callbacks
):
    stuck = draft(supervisor, places=[roster.lubero])
    broadcast_send(broadcast=stuck, by=supervisor)
    Broadcast.objects.filter(pk=stuck.pk).update(sent_at=timezone.now() - dt.timedelta(minutes=5))
    late = draft(supervisor, places=[roster.beni])
    broadcast_send(broadcast=late, by=supervisor)
    broadcast_fan_out(broadcast_id=late.pk)
    late.recipients.update(due_at=timezone.now() - dt.timedelta(minutes=10))
    published = []

    def record(sender=None, headers=None, **kwargs):
        published.append((sender, headers["argsrepr"]))

    before_task_publish.connect(record, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert broadcasts_requeue_due() == 1 + 2
    finally:
        before_task_publish.disconnect(record)
    assert ("alerts.tasks.broadcast_start", f"({stuck.pk},)") in published
    assert sum(1 for name, _args in published if name == "alerts.tasks.broadcast_deliver") == 2
    assert all(r.due_at > timezone.now() - dt.timedelta(seconds=5) for r in late.recipients.all())


# --- Replies -------------------------------------------------------------------------------------


def _reply(client, person, body="Merci, bien reçu. Ici à Mbau tout est calme."):
    response = post_signed(client, "/webhooks/twilio/sms/", sms_params(body, sender=person.phone))
    assert response.status_code == 200
    return Alert.objects.order_by("-pk").first()


def test_a_reply_within_the_window_is_an_alert_filed_with_the_broadcast(roster, supervisor, client):
    broadcast = draft(supervisor, places=[roster.mbau])
    run(broadcast, supervisor)
    alert = _reply(client, roster.people["amani"])
    assert alert.source == "sms" and alert.reporter == roster.people["amani"]
    link = BroadcastReply.objects.get(alert=alert)
    assert link.broadcast == broadcast
    assert link.recipient.focal_point == roster.people["amani"]


def test_a_reply_after_the_window_or_from_someone_else_is_a_plain_alert(roster, supervisor, client):
    broadcast = draft(supervisor, places=[roster.mbau])
    run(broadcast, supervisor)
    _reply(client, roster.people["bahati"])  # was not sent this broadcast
    broadcast.recipients.update(sent_at=timezone.now() - dt.timedelta(hours=73))
    _reply(client, roster.people["amani"])
    assert Alert.objects.count() == 2 and not BroadcastReply.objects.exists()


def test_a_reply_joins_the_newest_broadcast_received(roster, supervisor, client):
    older = draft(supervisor, places=[roster.mbau], title="Première")
    run(older, supervisor)
    older.recipients.update(sent_at=timezone.now() - dt.timedelta(hours=2))
    newer = draft(supervisor, people=[roster.people["amani"]], title="Seconde")
    run(newer, supervisor)
    alert = _reply(client, roster.people["amani"])
    assert BroadcastReply.objects.get(alert=alert).broadcast == newer
