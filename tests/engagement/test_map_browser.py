"""The deployments layer in a real browser: drawn, in the legend and the layer control, with
the content security policy kept."""

import datetime as dt

import pytest

from tests.browser import OUTSIDE, expect, log_in, needs_playwright, off_loop
from tests.factories import DeploymentFactory, LocationFactory, TerritoryFactory, UserFactory

pytestmark = [pytest.mark.slow, needs_playwright]


def _data():
    beni = TerritoryFactory(name="Beni")
    oicha = LocationFactory(name="Oicha", parent=beni, latitude=0.7, longitude=29.5)
    supervisor = UserFactory(username="superviseur", role="supervisor")
    DeploymentFactory(area=oicha, by=supervisor, started_on=dt.date.today() - dt.timedelta(days=2))


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_sees_the_deployments_layer_and_its_legend(live_server, browser_page):
    off_loop(_data)
    page = browser_page
    page.route(OUTSIDE, lambda route: route.abort())  # no tiles from outside the machine
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, live_server.url, "superviseur", then="/dashboard/map/")
    expect(page.locator(".leaflet-marker-icon.map-deployment")).to_have_count(1)
    expect(page.locator(".map-legend .legend-deployment")).to_contain_text(
        "Déploiements (EPC, MEC)"
    )
    expect(page.locator(".leaflet-control-layers")).to_contain_text("Déploiements (EPC, MEC)")
    page.locator(".leaflet-marker-icon.map-deployment").click()
    expect(page.locator(".leaflet-popup")).to_contain_text("Oicha")
    assert refused == []
