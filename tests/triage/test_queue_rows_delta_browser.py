"""A real browser on the live queue when one alert among fifty changes: the answer carries only
that row, the table shows the change, and the rows already drawn stay where they are."""

import re

import pytest
from django.db import connections

from alerts.models import Alert
from tests.browser import expect, log_in, needs_playwright, off_loop
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, needs_playwright, pytest.mark.django_db(transaction=True)]

DELTA_BODY_BYTES = 3 * 1024  # gzipped, as the browser received it
WHAT = ["Hommes armés vus", "Coups de feu entendus", "Enlèvement signalé", "Pillage de bétail"]
WHERE = ["près du marché de Mbau", "sur la route d'Eringeti", "au champ de Kamango", "à Oicha"]
WHEN = ["ce matin", "cette nuit", "vers midi", "depuis hier soir", "il y a une heure"]


def in_thread(fn):
    """ORM work off Playwright's loop, its connection closed after (none left at teardown)."""

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    return off_loop(run)


def alert(priority: int, text: str) -> Alert:
    return in_thread(
        lambda: Alert.objects.create(source="sms", status="triaged", priority=priority, text=text)
    )


def change(pk: int, **fields) -> None:
    def run():
        item = Alert.objects.get(pk=pk)
        for name, value in fields.items():
            setattr(item, name, value)
        item.save()

    in_thread(run)


REDRAW = """() => {
    const table = document.getElementById('queue-rows');
    table.setAttribute('data-version', '');
    htmx.trigger(table, 'queue:refresh');
}"""


def next_answer(page, action) -> dict:
    """Do `action`, then wait for the first poll answered with rows; its size and headers."""
    with page.expect_response(
        lambda r: "/dashboard/rows/" in r.url and r.status == 200, timeout=15_000
    ) as info:
        action()
    response = info.value
    response.finished()
    return {
        "headers": response.headers,
        "body": response.request.sizes()["responseBodySize"],
        "text": response.text(),
    }


def test_one_alert_changed_among_fifty_sends_only_its_row(live_server, browser_page):
    in_thread(lambda: UserFactory(username="ana", role="analyst"))
    urgent = alert(1, "Attaque en cours à Mbau")
    alerts = [
        alert(n % 3 + 2, f"{WHAT[n % 4]} {WHERE[n // 4 % 4]} {WHEN[n % 5]}, {n + 3} personnes")
        for n in range(49)
    ]
    page = browser_page
    log_in(page, live_server.url, "ana")
    rows = page.locator("#queue-rows tr[data-alert]")
    expect(rows).to_have_count(50)
    expect(page).to_have_title(re.compile(r"^\(1\) \w"))
    whole = next_answer(page, lambda: page.evaluate(REDRAW))  # the whole body, for comparison
    assert "x-queue-delta" not in whole["headers"]
    # A mark on every row drawn now: a row drawn again would lose it.
    page.evaluate(
        "() => document.querySelectorAll('#queue-rows tr').forEach(r => r.dataset.kept = '1')"
    )

    target = alerts[20]
    answer = next_answer(page, lambda: change(target.pk, text="Maisons brûlées cette nuit"))
    print("\ngzipped body: only the changed row", answer["body"], "whole", whole["body"])
    assert answer["headers"].get("x-queue-delta") == "1"
    assert answer["headers"].get("content-encoding") == "gzip"
    assert answer["body"] < DELTA_BODY_BYTES
    assert answer["body"] * 3 < whole["body"]
    sent = re.findall(r'<tr\b[^>]*?\bid="(alert-row-\d+|queue-[um]-\d+)"', answer["text"])
    assert sent == [f"alert-row-{target.pk}"]

    changed = page.locator(f"#alert-row-{target.pk}")
    expect(changed).to_contain_text("Maisons brûlées cette nuit")
    expect(rows).to_have_count(50)
    assert changed.get_attribute("data-kept") is None  # this one is new
    expect(page.locator("#queue-rows tr[data-alert][data-kept]")).to_have_count(49)
    expect(page.locator("#queue-rows tr[data-urgent][data-kept]")).to_have_count(1)

    # A P1 acknowledged elsewhere leaves the pinned block; the title follows.
    answer = next_answer(page, lambda: change(urgent.pk, status="acknowledged"))
    assert answer["headers"].get("x-queue-delta") == "1"
    expect(page.locator("#queue-rows tr[data-urgent]")).to_have_count(0)
    expect(page).not_to_have_title(re.compile(r"^\("))
    expect(page.locator(f"#alert-row-{urgent.pk}")).to_contain_text("Prise en charge")
    page.close()


def test_a_row_the_page_lacks_brings_the_whole_body(live_server, browser_page):
    in_thread(lambda: UserFactory(username="ana", role="analyst"))
    alerts = [alert(3, f"{WHAT[n % 4]} {WHERE[n % 4]} {WHEN[n % 5]}") for n in range(6)]
    page = browser_page
    log_in(page, live_server.url, "ana")
    rows = page.locator("#queue-rows tr[data-alert]")
    expect(rows).to_have_count(6)
    lost = alerts[0]
    page.evaluate(f"() => document.getElementById('alert-row-{lost.pk}').remove()")
    expect(rows).to_have_count(5)

    answer = next_answer(page, lambda: change(alerts[3].pk, text="Village incendié"))
    assert answer["headers"].get("x-queue-delta") == "1"
    expect(page.locator(f"#alert-row-{alerts[3].pk}")).to_contain_text("Village incendié")
    expect(page.locator(f"#alert-row-{lost.pk}")).to_be_visible(timeout=10_000)
    expect(rows).to_have_count(6)
    page.close()  # no poll left running into the test database's teardown
