"""A real browser on the queue: a new alert shows up without reloading the page."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from alerts.models import Alert

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        sync_playwright is None,
        reason="playwright is not installed (pip install playwright; the browser is "
        "/usr/bin/chromium, never `playwright install`)",
    ),
]


def off_loop(fn, *args, **kwargs):
    """Run ORM code in another thread: Playwright's sync API keeps an event loop running in
    this one, where Django refuses synchronous database calls."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


@pytest.fixture
def browser_page():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="fr-FR")
        try:
            yield page
        finally:
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_a_new_alert_appears_in_the_open_queue_without_reloading(
    live_server, make_user, browser_page
):
    off_loop(make_user, "ana", "analyst")
    off_loop(Alert.objects.create, source="sms", status="triaged", priority=3, text="Calme à Mbau")
    page = browser_page

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "pw-kengele-test")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    expect(page.locator("#queue-rows")).to_contain_text("Calme à Mbau")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    alert = off_loop(
        Alert.objects.create,
        source="sms",
        status="triaged",
        priority=1,
        text="Hommes armés à Oicha, on tire",
    )
    row = page.locator("#queue-rows tr", has_text=alert.reference)
    expect(row).to_be_visible(timeout=10_000)
    expect(row).to_contain_text("Hommes armés à Oicha")
    expect(page.locator("#queue-counts")).to_contain_text("1 nouvelle")
    expect(page.locator("#queue-counts")).to_contain_text("2")
    assert page.evaluate("window.__sameDocument") is True
