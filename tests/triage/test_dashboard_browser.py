"""A real browser on the queue: a new alert shows up without reloading the page."""

import pytest

from alerts.models import Alert
from tests.browser import expect, log_in, needs_playwright, off_loop
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, needs_playwright]


@pytest.mark.django_db(transaction=True)
def test_a_new_alert_appears_in_the_open_queue_without_reloading(live_server, browser_page):
    off_loop(UserFactory, username="ana", role="analyst")
    off_loop(Alert.objects.create, source="sms", status="triaged", priority=3, text="Calme à Mbau")
    page = browser_page

    log_in(page, live_server.url, "ana")
    expect(page.locator("#queue-rows")).to_contain_text("Calme à Mbau")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    alert = off_loop(
        Alert.objects.create,
        source="sms",
        status="triaged",
        priority=1,
        text="Hommes armés à Oicha, on tire",
    )
    row = page.locator("#queue-rows tr[data-alert]", has_text=alert.reference)
    expect(row).to_be_visible(timeout=10_000)
    expect(row).to_contain_text("Hommes armés à Oicha")
    expect(page.locator("#queue-counts")).to_contain_text("1 nouvelle")
    expect(page.locator("#queue-counts")).to_contain_text("2")
    assert page.evaluate("window.__sameDocument") is True
