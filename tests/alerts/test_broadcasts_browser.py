"""A real browser on the broadcast pages: the live count and segment counters while writing,
then progress that moves without reloading while SMS go out."""

import os

import pytest

from alerts.models import Broadcast, Message
from alerts.services import broadcast_fan_out, broadcast_recipient_send, message_deliver
from tests.alerts.broadcast_support import make_roster
from tests.browser import expect, log_in, needs_playwright, off_loop
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, needs_playwright]


def send_everything(broadcast_id: int) -> None:
    broadcast_fan_out(broadcast_id=broadcast_id)
    for recipient in Broadcast.objects.get(pk=broadcast_id).recipients.all():
        broadcast_recipient_send(recipient_id=recipient.pk)
    for message in Message.objects.filter(kind="broadcast"):
        message_deliver(message_id=message.pk)


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_writes_checks_and_follows_a_broadcast(live_server, browser_page, settings):
    settings.SMS_BACKEND = "locmem"
    off_loop(UserFactory, username="sup", role="supervisor")
    roster = off_loop(make_roster)
    page = browser_page
    shots = os.environ.get("KENGELE_SCREENSHOTS")

    log_in(page, live_server.url, "sup", then="/dashboard/broadcasts/new/")

    page.fill("#id_title", "Alerte Beni et Lubero")
    page.fill("#id_text_fr", "Alerte: mouvements armés signalés. Restez prudents.")
    expect(page.locator("#segments-text_fr")).to_contain_text("1 SMS (GSM-7)")
    page.fill("#id_text_sw", "Tahadhari ⚠ watu wenye silaha")
    expect(page.locator("#segments-text_sw")).to_contain_text("UCS-2")
    page.check(f"input[name=territories][value='{roster.beni.pk}']")
    expect(page.locator("#broadcast-preview .bc-total strong")).to_have_text("2")
    page.check(f"input[name=territories][value='{roster.lubero.pk}']")
    expect(page.locator("#broadcast-preview .bc-total strong")).to_have_text("4")
    if shots:
        page.screenshot(path=f"{shots}/broadcast-form.png", full_page=True)

    page.click("#broadcast-form button[type=submit]")
    expect(page.locator(".bc-total strong")).to_have_text("4")
    page.click("form[action$='/send/'] button")
    expect(page.locator("#broadcast-progress")).to_be_visible()
    broadcast_id = off_loop(lambda: Broadcast.objects.get().pk)
    off_loop(send_everything, broadcast_id)
    # The polled section catches up by itself, and the page reloads once its status changes.
    expect(page.locator(".alert-head .bc-status-done")).to_be_visible(timeout=10_000)
    expect(page.locator("label[for=bc-handed] strong")).to_have_text("4")
    expect(page.locator("form[action$='/cancel/']")).to_have_count(0)
    expect(page.locator(".bc-count-queued strong")).to_have_text("4")
    if shots:
        page.screenshot(path=f"{shots}/broadcast-progress.png", full_page=True)
