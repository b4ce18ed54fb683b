"""A real browser, in French, on an incident page: an analyst resolves the incident, then tells
its two reporters (one of whom sent two alerts) what was done, one SMS each."""

import os

import pytest

from alerts.models import Alert, Message
from tests.browser import expect, log_in, needs_playwright, off_loop
from tests.factories import (
    AlertFactory,
    AnalystProfileFactory,
    FocalPointFactory,
    IncidentFactory,
    ProvinceFactory,
    TerritoryFactory,
    VillageFactory,
)

pytestmark = [pytest.mark.slow, needs_playwright]


def make_incident() -> int:
    beni = TerritoryFactory(name="Beni", parent=ProvinceFactory(name="Nord-Kivu"))
    oicha = VillageFactory(name="Oicha", parent=beni)
    AnalystProfileFactory(user__username="ana", areas=[beni])
    incident = IncidentFactory(location=oicha)
    kavira, amani = FocalPointFactory(language="fr"), FocalPointFactory(language="sw")
    for reporter in (kavira, kavira, amani):
        AlertFactory(
            reporter=reporter,
            status=Alert.Status.ESCALATED,
            acknowledged_at="2026-01-01T00:00Z",
            location=oicha,
            incident=incident,
        )
    return incident.pk


@pytest.mark.django_db(transaction=True)
def test_an_analyst_resolves_an_incident_and_tells_its_reporters(live_server, browser_page):
    pk = off_loop(make_incident)
    page = browser_page
    shots = os.environ.get("KENGELE_SCREENSHOTS")
    log_in(page, live_server.url, "ana", then=f"/dashboard/incidents/{pk}/")

    expect(page.locator(".incident-open")).to_have_text("Ouvert")
    page.fill(".resolve-form textarea", "Patrouille arrivée, calme revenu")
    page.click(".resolve-form button[type=submit]")
    expect(page.locator(".incident-resolved").first).to_have_text("Résolu")
    expect(page.locator(".close-the-loop")).to_contain_text("2 auteurs peuvent être informés")
    if shots:
        page.screenshot(path=f"{shots}/incident-resolved.png", full_page=True)

    page.fill(".tell-reporter textarea", "la patrouille est arrivée ; la situation est calme")
    page.click(".tell-reporter button[type=submit]")
    expect(page.locator(".close-the-loop .told")).to_have_text(
        "Tous les auteurs ont déjà été informés."
    )
    expect(page.locator("#incident-history")).to_contain_text("Auteurs informés")
    if shots:
        page.screenshot(path=f"{shots}/incident-told.png", full_page=True)
    sent = off_loop(lambda: list(Message.objects.filter(direction="outbound")))
    assert len(sent) == 2 and len({m.focal_point_id for m in sent}) == 2
