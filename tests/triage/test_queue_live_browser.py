"""A real browser on the live queue: what an idle poll costs on the wire, the unacknowledged P1
pinned on top with their count in the tab's title, and the queue on a 360 px phone."""

import re

import pytest

from alerts.models import Alert
from tests.browser import expect, log_in, needs_playwright, off_loop
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, needs_playwright, pytest.mark.django_db(transaction=True)]

IDLE_POLL_BYTES = 1024  # body and headers, as the browser received them


def alert(priority: int | None, text: str, **kwargs) -> Alert:
    status = "triaged" if priority else "new"
    return off_loop(
        Alert.objects.create, source="sms", status=status, priority=priority, text=text, **kwargs
    )


@pytest.fixture
def analyst():
    return off_loop(UserFactory, username="ana", role="analyst")


def polls(page, count: int) -> list[dict]:
    """The next `count` polls of the table: status and bytes received (headers, body)."""
    seen: list[dict] = []

    def on_finished(request):
        if "/dashboard/rows/" in request.url:
            sizes = request.sizes()
            seen.append(
                {
                    "status": request.response().status,
                    "bytes": sizes["responseHeadersSize"] + sizes["responseBodySize"],
                    "body": sizes["responseBodySize"],
                }
            )

    page.on("requestfinished", on_finished)
    try:
        page.wait_for_function("() => true")  # let the listener settle
        deadline = count * 3 + 6
        for _ in range(deadline * 4):
            if len(seen) >= count:
                break
            page.wait_for_timeout(250)
    finally:
        page.remove_listener("requestfinished", on_finished)
    assert len(seen) >= count, seen
    return seen[:count]


def test_an_idle_poll_costs_under_a_kilobyte_and_a_change_still_arrives(
    live_server, browser_page, analyst
):
    for n in range(40):
        alert(n % 4 + 1, f"Hommes armés vus près du marché de Mbau, rapport numéro {n}")
    page = browser_page
    log_in(page, live_server.url, "ana")
    expect(page.locator("#queue-rows tr[data-alert]").first).to_be_visible()

    idle = polls(page, 3)
    print("\nidle polls:", idle)
    for answer in idle:
        assert answer["status"] == 204
        assert answer["body"] == 0
        assert answer["bytes"] <= IDLE_POLL_BYTES

    fresh = alert(2, "Coups de feu entendus à Eringeti")
    expect(page.locator("#queue-rows")).to_contain_text(fresh.reference, timeout=10_000)
    expect(page.locator("#queue-counts .new-indicator")).to_be_visible()
    after = polls(page, 2)
    assert [answer["status"] for answer in after] == [204, 204]


def test_p1_are_pinned_counted_in_the_title_and_seen_unpins_them(
    live_server, browser_page, analyst
):
    alert(None, "Message pas encore trié")
    alert(3, "Réunion du comité à Oicha")
    first = alert(1, "Attaque en cours à Mbau")
    second = alert(1, "Enlèvement signalé à Eringeti")
    page = browser_page
    log_in(page, live_server.url, "ana")

    expect(page).to_have_title(re.compile(r"^\(2\) \w"))
    pinned = page.locator("#queue-rows tr[data-urgent]")
    expect(pinned).to_have_count(2)
    expect(page.locator("#queue-rows tr").nth(1)).to_contain_text(first.reference)
    # The pinned group stands above the untriaged alert, first in the queue's own order.
    top = page.locator("#queue-rows tr[data-urgent]").last.bounding_box()["y"]
    untriaged = page.locator("#queue-rows tr[data-alert].prio-none").bounding_box()["y"]
    assert top < untriaged

    third = alert(1, "Village incendié à Kamango")
    expect(page).to_have_title(re.compile(r"^\(3\) \w"), timeout=10_000)
    expect(pinned).to_have_count(3)

    page.locator("#queue-rows tr[data-urgent]", has_text=first.reference).get_by_role(
        "button", name="Vu"
    ).click()
    expect(page.locator(".msg-success")).to_contain_text(first.reference)
    expect(page).to_have_title(re.compile(r"^\(2\) \w"))
    expect(pinned).to_have_count(2)
    expect(pinned.first).to_contain_text(second.reference)
    expect(pinned.last).to_contain_text(third.reference)
    status = off_loop(lambda: Alert.objects.get(pk=first.pk).status)
    assert status == "acknowledged"

    # The sound is off until ticked, and the choice is remembered in this browser.
    sound = page.locator("#queue-sound")
    expect(sound).not_to_be_checked()
    sound.check()
    page.reload()
    expect(page.locator("#queue-sound")).to_be_checked()


def test_the_queue_has_no_horizontal_scroll_on_a_360_px_phone(live_server, browser, analyst):
    alert(None, "Message pas encore trié, très long " * 6)
    for n in range(12):
        alert(n % 4 + 1, f"Hommes armés vus près du marché de Mbau-Kamango-Eringeti n°{n} " * 3)
    page = browser.new_page(locale="fr-FR", viewport={"width": 360, "height": 740})
    log_in(page, live_server.url, "ana")
    expect(page.locator("#queue-rows tr[data-alert]").first).to_be_visible()
    widths = page.evaluate(
        """() => ({
            page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
            table: [document.querySelector('.table-wrap').scrollWidth,
                    document.querySelector('.table-wrap').clientWidth],
        })"""
    )
    assert widths["page"][0] <= widths["page"][1], widths
    assert widths["table"][0] <= widths["table"][1], widths  # the rows fit, none scrolls aside
    row = page.locator("#queue-rows tr[data-urgent]").first.bounding_box()
    assert row["x"] >= 0 and row["x"] + row["width"] <= 360, row


def test_a_change_waits_while_the_reader_is_down_the_table(live_server, browser_page, analyst):
    for n in range(40):
        alert(3, f"Réunion du comité n°{n}")
    page = browser_page
    log_in(page, live_server.url, "ana")
    expect(page.locator("#queue-rows tr[data-alert]").first).to_be_visible()
    last = page.locator("#queue-rows tr[data-alert]").last
    last.scroll_into_view_if_needed()
    y = last.bounding_box()["y"]

    fresh = alert(1, "Attaque en cours à Mbau")
    expect(page.locator("#queue-held")).to_be_visible(timeout=10_000)
    expect(page.locator("#queue-rows")).not_to_contain_text(fresh.reference)
    assert abs(last.bounding_box()["y"] - y) < 1  # what the reader looks at did not move
    expect(page).to_have_title(re.compile(r"^\(1\) \w"))  # the title still tells

    page.locator("#queue-show").click()
    expect(page.locator("#queue-rows tr[data-urgent]")).to_contain_text(fresh.reference)
    expect(page.locator("#queue-held")).to_be_hidden()


# Records each notification and each tone the page makes, passing them on to the real ones.
RECORDER = """
(function () {
  window.__notes = [];
  window.__tones = 0;
  var Real = window.Notification;
  if (Real) {
    var Recording = function (title, options) {
      window.__notes.push({ title: title, body: (options || {}).body || "" });
      return new Real(title, options);
    };
    Object.defineProperty(Recording, "permission", {
      get: function () { return Real.permission; },
    });
    Recording.requestPermission = function () { return Real.requestPermission(); };
    window.Notification = Recording;
  }
  var RealContext = window.AudioContext;
  if (RealContext) {
    window.AudioContext = function () { window.__tones += 1; return new RealContext(); };
  }
})();
"""


def test_a_new_p1_raises_a_notification_and_a_tone_once_the_analyst_allowed_them(
    live_server, browser, analyst
):
    context = browser.new_context(locale="fr-FR")
    context.grant_permissions(["notifications"], origin=live_server.url)
    context.add_init_script(RECORDER)
    page = context.new_page()
    try:
        known = alert(1, "Attaque en cours à Mbau")
        log_in(page, live_server.url, "ana")
        expect(page).to_have_title(re.compile(r"^\(1\) \w"))
        # Already allowed: no button asking for it; the P1 on the page when it opened is not news.
        expect(page.locator("#queue-notify")).to_be_hidden()
        page.locator("#queue-sound").check()  # plays the tone once, as a sample
        assert page.evaluate("window.__tones") == 1
        page.wait_for_timeout(4_000)  # a poll or more with nothing new
        assert page.evaluate("window.__notes") == []

        fresh = alert(1, "Enlèvement signalé à Eringeti")
        alert(3, "Réunion du comité à Oicha")  # not a P1: no announcement
        page.wait_for_function("() => window.__notes.length > 0", timeout=10_000)
        notes = page.evaluate("window.__notes")
        assert len(notes) == 1
        assert notes[0]["title"] == "Nouvelle alerte de priorité 1"
        assert fresh.reference in notes[0]["body"] and known.reference not in notes[0]["body"]
        assert page.evaluate("window.__tones") == 2
        expect(page).to_have_title(re.compile(r"^\(2\) \w"))
    finally:
        context.close()


def test_notifications_are_offered_until_the_analyst_answers_and_never_without_asking(
    live_server, browser, analyst
):
    context = browser.new_context(locale="fr-FR")  # permission not given: "default"
    context.add_init_script(RECORDER)
    page = context.new_page()
    try:
        log_in(page, live_server.url, "ana")
        offer = page.locator("#queue-notify")
        expect(offer).to_be_visible()
        expect(offer).to_have_text("Notifications du navigateur")

        alert(1, "Coups de feu à Kamango")
        expect(page).to_have_title(re.compile(r"^\(1\) \w"), timeout=10_000)
        page.wait_for_timeout(1_000)
        # Not allowed, not asked: no notification, and the sound stays off until ticked.
        assert page.evaluate("window.__notes") == []
        assert page.evaluate("window.__tones") == 0

        offer.click()  # the browser asks; headless, the answer is no
        expect(offer).to_be_hidden()
    finally:
        context.close()
