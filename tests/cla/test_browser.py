"""A CLA's phone in a real browser: record a visit, raise an alert, survive a lost connection."""

import re

import pytest

from alerts.models import Alert
from cla.models import FieldVisit
from networks.models import Location, Network
from tests.browser import PHONE, expect, log_in, needs_playwright, off_loop
from tests.factories import UserFactory
from tests.realworker import Worker, wait_for

VISIT_PAGE = re.compile(r"/cla/visits/\d+/$")

pytestmark = [pytest.mark.slow, needs_playwright]


def phone_page(browser, **kwargs):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR", **kwargs
    )
    return context, context.new_page()


def open_every_part(page) -> None:
    steps = page.locator("form.visit-form details.step")
    for index in range(steps.count()):
        if not steps.nth(index).evaluate("step => step.open"):
            steps.nth(index).locator("summary").click()


def _map():
    province = Location.objects.create(name="Nord-Kivu", kind="province")
    beni = Location.objects.create(name="Beni", kind="territory", parent=province)
    mbau = Location.objects.create(name="Mbau", kind="village", parent=beni)
    network = Network.objects.create(name="CAN Oicha", code="can-oicha", status="active")
    network.area.set([mbau])
    return mbau, network


@pytest.fixture
def worker(transactional_db):
    running = Worker().start(purge=True)
    yield running
    running.stop()


@pytest.mark.django_db(transaction=True)
def test_a_cla_records_a_visit_on_a_phone_and_the_alert_reaches_the_queue(
    live_server, browser, worker
):
    mbau, network = off_loop(_map)
    off_loop(UserFactory, username="kavira", role="cla")
    off_loop(UserFactory, username="ana", role="analyst")
    base = live_server.url
    context, page = phone_page(browser)

    log_in(page, base, "kavira", then="/cla/visits/new/")
    open_every_part(page)
    page.select_option("select[name=places]", value=str(mbau.pk))
    page.fill("input[name=women_met]", "6")
    page.fill("input[name=men_met]", "4")
    page.check(f"input[name=networks][value='{network.pk}']")
    page.fill("input[name=recruits-0-phone]", "0991 234 321")
    page.fill("input[name=recruits-0-name]", "Amani Kambale")
    page.check("input[name=recruits-0-consent]")
    page.click("[data-formset=recruits] [data-formset-add]")
    page.fill("input[name=recruits-1-phone]", "+243 99 123 4322")
    page.fill("input[name=recruits-1-name]", "Kahindo Masika")
    page.check("input[name=recruits-1-consent]")
    page.check("input[name=categories][value=armed_presence]")
    page.check("input[name=risk_factors][value=RF1]")
    page.fill(
        "textarea[name=alert_text]",
        "Rumeur : des hommes armés ont tiré sur des civils à Mbau cette nuit",
    )
    page.click("form.visit-form button[type=submit]")
    page.wait_for_url(VISIT_PAGE)

    alert = off_loop(Alert.objects.get)
    link = page.locator(f"a[href='/dashboard/alerts/{alert.pk}/']").first
    expect(link).to_be_visible()
    visit = off_loop(lambda: FieldVisit.objects.prefetch_related("recruitments").get())
    assert off_loop(lambda: visit.recruitments.count()) == 2
    assert visit.categories == ["armed_presence"] and visit.risk_factors == ["RF1"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    def triaged():
        alert.refresh_from_db()
        return alert.status == "triaged"

    assert off_loop(wait_for, triaged, 30), f"still {alert.status}; see {worker.log_path}"
    assert alert.source == "cla" and alert.priority == 1
    context.close()

    context, page = phone_page(browser)
    log_in(page, base, "ana")
    # the queue's own row (a priority-1 alert is also pinned above the rest until seen)
    row = page.locator("#queue-rows tr[data-alert]", has_text=alert.reference)
    expect(row).to_be_visible(timeout=10_000)
    expect(row).to_contain_text("hommes armés")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_visit_sent_without_connection_is_kept_and_resent_once(live_server, browser):
    mbau, _network = off_loop(_map)
    off_loop(UserFactory, username="kavira", role="cla")
    base = live_server.url
    # Without the service worker, whose requests Playwright's routing cannot see.
    context, page = phone_page(browser, service_workers="block")
    log_in(page, base, "kavira", then="/cla/visits/new/")
    open_every_part(page)
    key = page.input_value("input[name=idempotency_key]")
    page.select_option("select[name=places]", value=str(mbau.pk))
    page.fill("input[name=men_met]", "12")
    page.fill("textarea[name=observations]", "Marché fermé depuis trois jours")
    queue = "JSON.parse(localStorage.getItem('kengele:cla-queue:' + "
    queue += "document.getElementById('offline-bar').dataset.user) || '[]')"

    # 1. No connection at all: nothing reaches the server, the visit waits on the phone.
    context.set_offline(True)
    page.click("form.visit-form button[type=submit]")
    bar = page.locator("#offline-bar")
    expect(bar).to_contain_text("Enregistré sur ce téléphone")
    assert [item["key"] for item in page.evaluate(queue)] == [key]
    assert off_loop(FieldVisit.objects.count) == 0

    # 2. Back online, but the answer is lost on the way back: the visit is stored anyway and
    # stays in the queue, since the phone cannot know.
    def answer_lost(route):
        assert route.fetch().status == 201
        route.abort()

    page.route("**/cla/visits/new/", answer_lost)
    with page.expect_event("requestfailed"):
        context.set_offline(False)
    expect(bar.locator("[data-bar-send]")).to_be_visible()
    assert off_loop(FieldVisit.objects.count) == 1
    assert len(page.evaluate(queue)) == 1
    page.unroute("**/cla/visits/new/")

    # 3. Sent again: the server answers with the visit stored in step 2, no second one.
    bar.locator("[data-bar-send]").click()
    expect(bar).to_contain_text("Envoyé")
    bar.locator("[data-bar-link]").click()
    page.wait_for_url(VISIT_PAGE)
    expect(page.locator("main")).to_contain_text("Marché fermé depuis trois jours")
    assert off_loop(FieldVisit.objects.count) == 1
    assert page.evaluate(queue) == []

    # A new form has a new key and no draft.
    page.goto(f"{base}/cla/visits/new/")
    assert page.input_value("input[name=idempotency_key]") != key
    expect(page.locator("#draft-notice")).to_be_hidden()
    context.close()
