"""The broadcast pages on the dashboard: list, form with live preview, page with progress."""

import re

import pytest

from alerts.channels.backends import LocmemBackend
from alerts.models import Alert, Broadcast, Message
from alerts.services import (
    broadcast_fan_out,
    broadcast_recipient_send,
    broadcast_send,
    message_deliver,
)
from tests.alerts.broadcast_support import TEXTS, draft, make_roster
from tests.factories import UserFactory
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db
LIST = "/dashboard/broadcasts/"
NEW = "/dashboard/broadcasts/new/"
PREVIEW = "/dashboard/broadcasts/preview/"


@pytest.fixture
def roster(db):
    return make_roster()


@pytest.fixture
def login(client):
    def as_role(role: str):
        user = UserFactory(username=f"{role}-user", role=role)
        client.force_login(user)
        client.user = user
        return client

    return as_role


def form(roster, **changes) -> dict:
    data = {
        "title": "Alerte Beni",
        "text_fr": TEXTS["fr"],
        "text_sw": TEXTS["sw"],
        "text_ln": "",
        "text_en": TEXTS["en"],
        "territories": [roster.beni.pk, roster.lubero.pk],
    }
    data.update(changes)
    return data


def page(broadcast: Broadcast) -> str:
    return f"{LIST}{broadcast.pk}/"


def test_a_supervisor_writes_a_draft_checks_it_and_sends_it(login, roster, settings):
    settings.SMS_BACKEND = "locmem"
    client = login("supervisor")
    assert client.get(LIST).status_code == 200
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, form(roster, places=[roster.mbau.pk]))
    broadcast = Broadcast.objects.get()
    assert response.status_code == 302 and response["Location"] == page(broadcast)
    assert broadcast.location_ids == sorted([roster.beni.pk, roster.lubero.pk, roster.mbau.pk])
    assert broadcast.status == "draft" and broadcast.created_by == client.user
    draft_page = client.get(page(broadcast)).content.decode()
    assert "Send now to 4 focal points" in draft_page or "Envoyer maintenant à 4" in draft_page
    assert client.post(f"{page(broadcast)}send/").status_code == 302
    broadcast.refresh_from_db()
    assert broadcast.status == "sending" and broadcast.sent_by == client.user
    assert broadcast.status_callback.endswith("/webhooks/twilio/status/")


def test_the_live_preview_counts_people_and_says_who_is_left_out_and_why(login, roster):
    person = roster.people["chance"]
    type(person).objects.filter(pk=person.pk).update(active=False)
    client = login("supervisor")
    response = client.post(PREVIEW, form(roster, title=""))
    assert response.status_code == 200
    assert response.context["recipient_total"] == 3
    assert [n for _label, n in response.context["exclusions"]] == [1]
    html = response.content.decode()
    assert re.search(r"<strong>3</strong>", html)
    languages = {row["language"]: row for row in response.context["preview"].languages}
    assert languages["ln"]["fallback"] and languages["sw"]["segments"] == 1


def test_the_preview_of_an_empty_form_is_zero_not_an_error(login):
    response = login("supervisor").post(PREVIEW, {"networks": ["abc"], "places": ["99999"]})
    assert response.status_code == 200 and response.context["recipient_total"] == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text_fr": ""}, "text_fr"),
        ({"title": ""}, "title"),
        ({"text_sw": "x" * 1601}, "text_sw"),
        ({"territories": ["abc"]}, "territories"),
        ({"territories": [], "networks": ["999999"]}, "networks"),
        ({"focal_points": [str(2**64)]}, "focal_points"),
        ({"territories": []}, "__all__"),  # nothing selected
    ],
)
def test_bad_input_is_shown_on_the_form(login, roster, changes, field):
    response = login("supervisor").post(NEW, form(roster, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Broadcast.objects.exists()


def test_a_draft_can_be_changed_but_not_once_sent(login, roster):
    client = login("supervisor")
    broadcast = draft(client.user, places=[roster.beni])
    edit = f"{page(broadcast)}edit/"
    assert client.get(edit).context["form"]["territories"].value() == [roster.beni.pk]
    client.post(edit, form(roster, title="Alerte Lubero", territories=[roster.lubero.pk]))
    broadcast.refresh_from_db()
    assert (broadcast.title, broadcast.location_ids) == ("Alerte Lubero", [roster.lubero.pk])
    broadcast_send(broadcast=broadcast, by=client.user)
    assert client.post(edit, form(roster, title="Trop tard")).status_code == 302
    broadcast.refresh_from_db()
    assert broadcast.title == "Alerte Lubero"


def test_progress_is_polled_while_sending_and_follows_delivery_reports(login, roster, settings):
    settings.SMS_BACKEND = "locmem"
    client = login("supervisor")
    broadcast = draft(client.user, places=[roster.beni, roster.lubero])
    broadcast_send(broadcast=broadcast, by=client.user)
    progress = f"{page(broadcast)}progress/"
    response = client.get(progress)
    assert response.context["live"] and 'hx-trigger="every 3s"' in response.content.decode()
    broadcast_fan_out(broadcast_id=broadcast.pk)
    for recipient in broadcast.recipients.all():
        broadcast_recipient_send(recipient_id=recipient.pk)
    for message in Message.objects.filter(kind="broadcast"):
        message_deliver(message_id=message.pk)
    for item, status in zip(
        LocmemBackend.outbox, ["delivered", "delivered", "failed"], strict=False
    ):
        post_signed(
            client, "/webhooks/twilio/status/", {"MessageSid": item["sid"], "MessageStatus": status}
        )
    response = client.get(progress)
    assert (response.context["total"], response.context["handed"]) == (4, 4)
    assert (response.context["delivered"], response.context["failed"]) == (2, 1)
    html = response.content.decode()
    assert '<progress id="bc-delivered"' in html and 'value="2"' in html
    assert response.context["live"]  # one still on its way: reports keep coming
    Message.objects.filter(kind="broadcast", status="queued").update(status="delivered")
    assert not client.get(progress).context["live"]
    # A poll from the page as it was while sending reloads it: status and actions changed.
    poll = client.get(f"{progress}?shown=sending", HTTP_HX_REQUEST="true")
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"
    failed = client.get(f"{page(broadcast)}?status=failed").context["rows"]
    assert [row["status"] for row in failed] == ["failed"]


def test_the_page_lists_replies_to_the_broadcast(login, roster, client):
    supervisor = login("supervisor")
    broadcast = draft(supervisor.user, places=[roster.mbau])
    broadcast_send(broadcast=broadcast, by=supervisor.user)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    for recipient in broadcast.recipients.all():
        broadcast_recipient_send(recipient_id=recipient.pk)
    post_signed(
        client,
        "/webhooks/twilio/sms/",
        sms_params("Merci. Des hommes armés passent à Mbau", sender=roster.people["amani"].phone),
    )
    alert = Alert.objects.get()
    html = supervisor.get(page(broadcast)).content.decode()
    assert alert.reference in html and f"/dashboard/alerts/{alert.pk}/" in html


def test_analysts_read_but_cannot_write_send_or_cancel(login, roster):
    broadcast = draft(UserFactory(username="boss", role="supervisor"), places=[roster.beni])
    client = login("analyst")
    assert client.get(LIST).status_code == 200
    detail = client.get(page(broadcast))
    assert detail.status_code == 200 and not detail.context["may_act"]
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form(roster)).status_code == 403
    assert client.post(PREVIEW, form(roster)).status_code == 403
    assert client.post(f"{page(broadcast)}send/").status_code == 403
    assert client.post(f"{page(broadcast)}cancel/").status_code == 403
    assert Broadcast.objects.get().status == "draft"


@pytest.mark.parametrize("role", ["viewer", "cla"])
def test_viewers_and_liaison_assistants_see_no_broadcast(login, roster, role):
    broadcast = draft(UserFactory(username="boss", role="supervisor"), places=[roster.beni])
    client = login(role)
    for url in (LIST, page(broadcast), f"{page(broadcast)}progress/", NEW):
        assert client.get(url).status_code == 403


def test_visitors_are_sent_to_log_in_and_polls_redirect_the_browser(client, roster):
    broadcast = draft(UserFactory(username="boss", role="supervisor"), places=[roster.beni])
    assert client.get(LIST).status_code == 302
    poll = client.get(f"{page(broadcast)}progress/", HTTP_HX_REQUEST="true")
    assert poll.status_code == 204 and poll["HX-Redirect"].startswith("/accounts/login/")


def test_cancel_from_the_page_and_an_unknown_broadcast_is_a_404(login, roster):
    client = login("admin")
    broadcast = draft(client.user, places=[roster.beni])
    broadcast_send(broadcast=broadcast, by=client.user)
    assert client.post(f"{page(broadcast)}cancel/").status_code == 302
    broadcast.refresh_from_db()
    assert broadcast.status == "cancelled"
    assert client.post(f"{page(broadcast)}cancel/").status_code == 302  # refused, with a message
    assert client.get(f"{LIST}999999/").status_code == 404
    assert client.get(f"{LIST}{2**64}/").status_code == 404


def test_pages_carry_no_inline_style_or_script(login, roster):
    client = login("supervisor")
    broadcast = draft(client.user, places=[roster.beni])
    for url in (LIST, NEW, page(broadcast)):
        html = client.get(url).content.decode()
        assert "style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
