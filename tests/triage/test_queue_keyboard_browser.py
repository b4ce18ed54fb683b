"""A real browser on the queue's keyboard shortcuts: moving between rows, opening an alert,
ticking rows and acknowledging them, with the ticks kept while the queue polls."""

import re

import pytest

from alerts.models import Alert
from tests.browser import expect, log_in, needs_playwright, off_loop
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, needs_playwright, pytest.mark.django_db(transaction=True)]


def alert(priority: int, text: str) -> Alert:
    return off_loop(
        Alert.objects.create, source="sms", status="triaged", priority=priority, text=text
    )


def status_of(alert: Alert) -> str:
    return off_loop(lambda: Alert.objects.get(pk=alert.pk).status)


@pytest.fixture
def queue(live_server, browser_page):
    """The queue page, logged in as an analyst; alerts are made before calling it."""
    off_loop(UserFactory, username="ana", role="analyst")

    def open_queue():
        page = browser_page
        log_in(page, live_server.url, "ana")
        expect(page.locator("#queue-rows tr[data-alert]").first).to_be_visible()
        return page

    return open_queue


def test_j_j_enter_opens_the_second_alert_and_typing_is_left_alone(queue, live_server):
    alert(1, "Attaque à Oicha")
    second = alert(2, "Hommes armés vus à Mbau")
    alert(3, "Calme à Eringeti")
    page = queue()

    page.keyboard.press("/")  # to the search box: letters typed there are not shortcuts
    expect(page.locator("#f-q")).to_be_focused()
    page.keyboard.type("jj")
    expect(page.locator("#f-q")).to_have_value("jj")
    expect(page.locator("#queue-rows tr.is-cursor")).to_have_count(0)
    page.locator("#f-q").blur()

    page.keyboard.press("?")
    expect(page.locator("#queue-help")).to_be_visible()
    expect(page.locator("#queue-help")).to_contain_text("j")
    page.keyboard.press("Escape")
    expect(page.locator("#queue-help")).to_be_hidden()

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#queue-rows tr.is-cursor")).to_contain_text(second.reference)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/dashboard/alerts/{second.pk}/")


def test_x_then_a_acknowledges_the_selected_row(queue, live_server):
    first = alert(1, "Attaque à Oicha")
    second = alert(2, "Hommes armés vus à Mbau")
    page = queue()

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    row = page.locator("#queue-rows tr[data-alert]", has_text=second.reference)
    expect(row.locator("input[name=alerts]")).to_be_checked()
    expect(page.locator("#queue-selected")).not_to_be_empty()
    page.keyboard.press("a")
    expect(page.locator(".msg-success")).to_be_visible()
    assert re.search(r"/dashboard/\?", page.url) or page.url.endswith("/dashboard/")
    assert (status_of(first), status_of(second)) == ("triaged", "acknowledged")


def test_a_selection_survives_the_poll_that_brings_a_new_alert(queue):
    first = alert(2, "Hommes armés vus à Mbau")
    second = alert(3, "Calme à Eringeti")
    page = queue()
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    page.keyboard.press("j")
    page.keyboard.press("x")  # tick the first row
    page.locator("#queue-rows tr[data-alert]", has_text=second.reference).locator("input").check()
    # Ticking a row with the mouse moves the highlight there too.
    expect(page.locator("#queue-rows tr.is-cursor")).to_contain_text(second.reference)

    fresh = alert(1, "Nouvelle attaque à Oicha")  # sorts first: every row moves down
    expect(page.locator("#queue-rows tr[data-alert]", has_text=fresh.reference)).to_be_visible(
        timeout=10_000
    )
    assert page.evaluate("window.__sameDocument") is True
    for ticked in (first, second):
        row = page.locator("#queue-rows tr[data-alert]", has_text=ticked.reference)
        expect(row.locator("input[name=alerts]")).to_be_checked()
    fresh_row = page.locator("#queue-rows tr[data-alert]", has_text=fresh.reference)
    expect(fresh_row.locator("input[name=alerts]")).not_to_be_checked()
    expect(page.locator("#queue-rows tr.is-cursor")).to_contain_text(second.reference)

    page.keyboard.press("a")
    expect(page.locator(".msg-success")).to_be_visible()
    assert [status_of(a) for a in (first, second, fresh)] == [
        "acknowledged",
        "acknowledged",
        "triaged",
    ]
