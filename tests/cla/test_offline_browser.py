"""A CLA's phone without a connection, in a real browser: the visit form opens from the phone's
copy, a visit saved there says so where the thumb is, and is sent once when the connection is
back. Also: no page of the field work scrolls sideways on a small phone, and the visit form
stays light."""

import datetime as dt
import gzip
import uuid

import pytest

from cla.models import FieldVisit
from cla.services import FollowUpData, RecruitData, field_visit_create
from tests.browser import (
    PHONE,
    expect,
    log_in,
    needs_playwright,
    off_loop,
    screenshots_dir,
    untranslated,
    visible_text,
)
from tests.cla.test_browser import _map
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, needs_playwright]

SMALL_PHONE = {"width": 360, "height": 740}
PAGE_BUDGET = 60 * 1024  # bytes, compressed as the browser receives them
FORM = "/cla/visits/new/"
# Types a server sends compressed (whitenoise for static files, the proxy for pages).
COMPRESSED_TYPES = ("text/", "javascript", "json", "svg")


def phone_context(browser, viewport=PHONE, **kwargs):
    return browser.new_context(
        viewport=viewport, is_mobile=True, has_touch=True, locale="fr-FR", **kwargs
    )


def wait_until_kept(page) -> None:
    """The service worker controls the page and keeps the form and its files."""
    page.wait_for_function(
        """() => navigator.serviceWorker && navigator.serviceWorker.controller &&
             caches.keys().then(() => true)""",
        timeout=15_000,
    )
    page.wait_for_function(
        f"""async () => Boolean(await caches.match("{FORM}")) &&
              Boolean(await caches.match("/static/cla/visit-form.js"))""",
        timeout=15_000,
        polling=200,
    )


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


@pytest.mark.django_db(transaction=True)
def test_the_form_opens_offline_and_the_visit_is_sent_once_when_back_online(live_server, browser):
    mbau, _network = off_loop(_map)
    off_loop(UserFactory, username="kavira", role="cla")
    base = live_server.url
    context = phone_context(browser)
    page = context.new_page()
    log_in(page, base, "kavira", then=FORM)
    wait_until_kept(page)

    # No connection at all, before the form is even opened: the phone's copy opens.
    context.set_offline(True)
    assert page.evaluate("fetch('/cla/csrf/').then(() => 'reached', () => 'offline')") == (
        "offline"
    )
    response = page.reload()
    assert response is not None and response.from_service_worker
    assert response.headers.get("x-kengele-copy") == "phone", "not the phone's copy"
    expect(page.locator("form.visit-form")).to_be_visible()
    cached_key = page.evaluate("document.querySelector('input[name=idempotency_key]').value")

    page.select_option("select[name=places]", value=str(mbau.pk))
    page.click("summary:has-text('Qui vous avez rencontré')")
    page.fill("input[name=men_met]", "12")
    page.click("summary:has-text('Ce que vous avez vu')")
    page.fill("textarea[name=observations]", "Marché fermé depuis trois jours")
    page.click("form.visit-form button[type=submit]")

    bar = page.locator("#offline-bar")
    expect(bar).to_contain_text("Enregistré sur ce téléphone, sera envoyé dès que possible")
    expect(bar.locator("[data-bar-count]")).to_have_text("1")
    assert in_viewport(page, bar), "the status bar is out of sight"
    page.screenshot(path=screenshots_dir() / "cla-offline-saved.png")
    queued = page.evaluate(
        "JSON.parse(localStorage.getItem('kengele:cla-queue:' + "
        "document.getElementById('offline-bar').dataset.user))"
    )
    assert len(queued) == 1 and queued[0]["key"] != ""
    assert off_loop(FieldVisit.objects.count) == 0
    # The form is blank again for the next visit, under a new key.
    assert page.input_value("input[name=men_met]") == "0"
    assert page.input_value("input[name=idempotency_key]") not in ("", queued[0]["key"])
    assert page.input_value("input[name=idempotency_key]") != cached_key or cached_key == ""

    # The connection comes back: the visit goes, once, and the bar says so.
    context.set_offline(False)
    expect(bar).to_contain_text("Envoyé", timeout=15_000)
    expect(bar.locator("[data-bar-count-box]")).to_be_hidden()
    assert in_viewport(page, bar)
    page.screenshot(path=screenshots_dir() / "cla-offline-sent.png")
    visit = off_loop(FieldVisit.objects.get)
    assert str(visit.idempotency_key) == queued[0]["key"]
    assert visit.men_met == 12 and visit.observations == "Marché fermé depuis trois jours"

    # Another page, another "online": nothing is sent twice.
    page.goto(f"{base}/cla/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    assert off_loop(FieldVisit.objects.count) == 1
    assert page.evaluate("localStorage.length") == 0 or not page.evaluate(
        "Object.keys(localStorage).some(k => k.startsWith('kengele:cla-queue:'))"
    )
    context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["logout button", "session over elsewhere"])
def test_logging_out_forgets_the_pages_kept_on_the_phone(live_server, browser, how):
    off_loop(_map)
    off_loop(UserFactory, username="kavira", role="cla")
    context = phone_context(browser)
    page = context.new_page()
    log_in(page, live_server.url, "kavira", then=FORM)
    wait_until_kept(page)
    if how == "logout button":
        page.click("form.logout button[type=submit]")
        page.wait_for_url("**/accounts/login/**")
    else:  # the session ended on another page: the next stop is the login form
        context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_function(
        """async () => (await caches.keys()).length === 0 &&
              (await navigator.serviceWorker.getRegistrations()).length === 0""",
        timeout=10_000,
    )
    context.close()


@pytest.mark.django_db(transaction=True)
def test_no_field_page_scrolls_sideways_at_360_px(live_server, browser):
    mbau, _network = off_loop(_map)
    kavira = off_loop(UserFactory, username="kavira", role="cla")
    visit, _created = off_loop(
        field_visit_create,
        cla=kavira,
        idempotency_key=uuid.uuid4(),
        visited_on=dt.date.today(),
        places=[mbau],
        observations="Une très longue observation sans espace " + "x" * 80,
        recruits=[RecruitData(phone="+243991234321", name="Amani Kambale", consent=True)],
        follow_ups=[FollowUpData(description="Apporter du crédit", due_on=dt.date.today())],
    )
    base = live_server.url
    context = phone_context(browser, viewport=SMALL_PHONE)
    page = context.new_page()
    log_in(page, base, "kavira", then=FORM)
    pages = ("/cla/", FORM, "/cla/follow-ups/", "/cla/calendar/", "/cla/coverage/")
    pages += (f"/cla/team/{kavira.pk}/",)
    for path in (*pages, f"/cla/visits/{visit.pk}/", f"/cla/visits/{visit.pk}/edit/"):
        page.goto(f"{base}{path}")
        page.evaluate(  # every part of the form open: the widest it gets
            "document.querySelectorAll('details.step').forEach(step => { step.open = true; })"
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SMALL_PHONE["width"], f"{path} is {width} px wide"
        for tab in page.locator(".cla-nav a").all():
            assert (
                in_viewport(page, tab)
                or tab.bounding_box()["x"] + tab.bounding_box()["width"] <= SMALL_PHONE["width"]
            ), f"tab {tab.inner_text()} cut off on {path}"
    page.goto(f"{base}{FORM}")
    page.screenshot(path=screenshots_dir() / "cla-visit-form-360.png")
    assert page.get_by_text("Lancer une alerte", exact=True).count() == 1
    page.evaluate("document.querySelectorAll('details.step').forEach(s => { s.open = true; })")
    page.evaluate("KengeleQueue.say('queued')")  # the bar's own words, in French too
    assert untranslated(visible_text(page)) == []
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_visit_form_weighs_less_than_60_kb_on_first_load(live_server, browser):
    off_loop(_map)
    off_loop(UserFactory, username="kavira", role="cla")
    base = live_server.url
    context = phone_context(browser)
    page = context.new_page()
    log_in(page, base, "kavira", then="/cla/")
    state = context.storage_state()
    context.close()

    # A new context: the same session, nothing in the browser's cache.
    context = phone_context(browser, storage_state=state, service_workers="block")
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{base}{FORM}", wait_until="load")
    page.wait_for_load_state("networkidle")
    rows = []
    for response in responses:
        body = response.body()
        kind = response.headers.get("content-type", "")
        compressed = gzip.compress(body, 6) if any(t in kind for t in COMPRESSED_TYPES) else body
        headers = response.request.sizes()["responseHeadersSize"]
        rows.append((response.url.replace(base, ""), len(body), len(compressed) + headers))
    total = sum(row[2] for row in rows)
    print("\nCLA visit form, first load (bytes: raw body, gzip body + headers):")
    for url, raw, sent in rows:
        print(f"  {url:40} {raw:8} {sent:8}")
    print(f"  {'total':40} {sum(r[1] for r in rows):8} {total:8}")
    assert not any("htmx" in url for url, _raw, _sent in rows)
    assert total <= PAGE_BUDGET, f"{total} bytes"
    context.close()
