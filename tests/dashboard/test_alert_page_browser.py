"""The queue's search and the alert page in a real browser: an unaccented search finds an
accented text, giving an alert to a colleague updates the page's header, and the page fits a
360 px phone without scrolling sideways."""

import pytest

from alerts.models import CannedReply, ResponseUnit
from tests.browser import expect, log_in, needs_playwright, off_loop, screenshots_dir
from tests.factories import (
    AlertFactory,
    AnalystProfileFactory,
    FocalPointFactory,
    IncidentFactory,
    MessageFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = [pytest.mark.slow, needs_playwright, pytest.mark.django_db(transaction=True)]

# Elements wider than the window, for a readable failure.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
               + (e.className && e.className.baseVal === undefined ? '.' + e.className : '')
               + ' ' + Math.round(e.getBoundingClientRect().right))
    .slice(0, 30);
}"""


def _team():
    beni = TerritoryFactory(name="Beni")
    mavivi = VillageFactory(name="Mavivi", parent=beni)
    amani = UserFactory(username="amani", first_name="Amani", role="analyst")
    AnalystProfileFactory(user=amani, areas=[beni], on_duty=True)
    zawadi = UserFactory(username="zawadi", first_name="Zawadi", role="analyst")
    AnalystProfileFactory(user=zawadi, areas=[beni], on_duty=False)
    alert = AlertFactory(
        text="Des hommes armés ont encerclé le marché de Mavivi, les habitants fuient vers "
        "Oicha; ils demandent une patrouille. Numéro de référence du chef: ABCDEFGHIJKLMNOPQRST",
        location=mavivi,
        triaged=True,
        categories=["armed_presence"],
        risk_factors=["RF01", "RF05"],
    )
    AlertFactory(text="Pluies et routes coupées", location=mavivi, triaged=True)
    return alert


def test_an_unaccented_search_finds_the_accented_alert(live_server, browser_page):
    alert = off_loop(_team)
    page = browser_page
    log_in(page, live_server.url, "amani")
    page.fill("#f-q", "Hommes ARMES")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**q=Hommes+ARMES**")
    rows = page.locator("#queue-rows")
    expect(rows).to_contain_text(alert.reference)
    expect(rows).not_to_contain_text("Pluies et routes")


def test_giving_the_alert_to_a_colleague_updates_the_header(live_server, browser_page):
    alert = off_loop(_team)
    page = browser_page
    log_in(page, live_server.url, "amani", then=f"/dashboard/alerts/{alert.pk}/")
    owner = page.locator("#alert-owner")
    expect(owner).to_contain_text("Confiée à personne")
    page.get_by_role("button", name="Je la prends").click()
    expect(owner).to_contain_text("Confiée à Amani")
    expect(owner).to_contain_text("Amani s’en occupe")
    page.select_option("#give-to", label="Zawadi")
    page.get_by_role("button", name="Confier", exact=True).click()
    expect(owner).to_contain_text("Confiée à Zawadi")
    expect(owner).not_to_contain_text("Amani")
    expect(page.locator("body")).to_contain_text("Alerte confiée à Zawadi.")


def _busy_alert():
    """An SMS alert with all a busy page shows: a reporter, a conversation, an incident, long
    names of response units and canned replies, a long unbroken word."""
    alert = _team()
    ResponseUnit.objects.create(name="Bataillon d’intervention rapide, secteur opérationnel Nord")
    CannedReply.objects.create(
        title="Accusé de réception avec consignes de mise à l’abri immédiate",
        language="fr",
        body="Bien reçu. Mettez-vous à l’abri.",
    )
    reporter = FocalPointFactory(name="Kahindo Masika Furaha")
    alert.reporter = reporter
    alert.sender = reporter.phone
    alert.incident = IncidentFactory(location=alert.location)
    alert.text += " https://exemple.org/une/adresse/tres/longue/sans/espace/aucune/ni/coupure/x"
    alert.save()
    MessageFactory(alert=alert)
    MessageFactory(alert=alert, reply=True)
    return alert


def test_the_alert_page_fits_a_360_px_phone(live_server, browser):
    alert = off_loop(_busy_alert)
    page = browser.new_page(locale="fr-FR", viewport={"width": 360, "height": 780})
    log_in(page, live_server.url, "amani", then=f"/dashboard/alerts/{alert.pk}/")
    expect(page.locator("h1")).to_contain_text(alert.reference)
    page.screenshot(path=str(screenshots_dir() / "alert-360.png"), full_page=True)
    overflowing = page.evaluate(OVERFLOWING)
    assert not overflowing, "\n".join(overflowing)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 360, scroll
