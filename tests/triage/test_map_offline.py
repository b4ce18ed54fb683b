"""The map without a tile server: limits, place names, a notice and a legend, and incident
popups that lead to the incident (a real browser, every request off the machine refused)."""

import json
import re

import pytest
from django.utils import translation

from dashboard.outlines import build_outlines, outlines_json, outlines_path
from tests.browser import OUTSIDE, expect, log_in, needs_playwright, off_loop, screenshots_dir
from tests.factories import (
    AlertFactory,
    IncidentFactory,
    ProvinceFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
)


def test_the_shipped_outlines_are_built_from_the_gazetteer_and_stay_small():
    shipped = outlines_path().read_text(encoding="utf-8")
    assert shipped == outlines_json(), "run manage.py build_map_outlines"
    assert len(shipped.encode()) < 300_000
    kinds = {}
    for feature in build_outlines()["features"]:
        kinds.setdefault(feature["properties"]["kind"], set()).add(feature["properties"]["name"])
    assert kinds["province"] == {"Ituri", "Nord-Kivu", "Sud-Kivu"}
    assert {"Beni", "Djugu", "Uvira", "Nyiragongo"} <= kinds["territory"]
    assert {"Mbau", "Bunia", "Goma"} <= kinds["place"]
    polygons = [f for f in build_outlines()["features"] if f["geometry"]["type"] == "Polygon"]
    assert all(f["properties"]["approximate"] is True for f in polygons)


def test_a_territory_outline_surrounds_every_place_of_it():
    collection = build_outlines()
    beni = next(
        f
        for f in collection["features"]
        if f["properties"] == {**f["properties"], "name": "Beni"}
        and f["properties"]["kind"] == "territory"
    )
    ring = beni["geometry"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    for feature in collection["features"]:
        p = feature["properties"]
        if p["kind"] == "place" and p["territory"] == "Beni":
            lon, lat = feature["geometry"]["coordinates"]
            assert min(lons) < lon < max(lons) and min(lats) < lat < max(lats)


@pytest.mark.django_db
def test_incident_popups_carry_links_and_plurals(client):
    client.force_login(UserFactory(username="ana", role="analyst"))
    mbau = VillageFactory(name="Mbau", latitude="0.63", longitude="29.49")
    one = IncidentFactory(location=mbau, reporter_count=1, mechanism_count=1)
    two = IncidentFactory(location=mbau, reporter_count=2, mechanism_count=2)
    AlertFactory(triaged=True, location=mbau, priority=2)
    with translation.override("fr"):
        client.cookies["django_language"] = "fr"
        data = client.get("/dashboard/map/data/", HTTP_ACCEPT_LANGUAGE="fr").json()
    incidents = {f["properties"]["id"]: f["properties"] for f in data["incidents"]["features"]}
    assert incidents[one.pk]["reporters_label"] == "1 rapporteur"
    assert incidents[two.pk]["reporters_label"] == "2 rapporteurs"
    assert incidents[one.pk]["mechanisms_label"] == "1 mécanisme"
    assert incidents[two.pk]["url"] == f"/dashboard/incidents/{two.pk}/"
    assert incidents[two.pk]["alerts_url"] == f"/dashboard/incidents/{two.pk}/#incident-alerts"
    assert data["alerts"]["features"][0]["properties"]["summary"] == "1 alerte (1 ouverte)"


def make_world() -> int:
    province = ProvinceFactory(name="Nord-Kivu")
    beni = TerritoryFactory(name="Beni", parent=province)
    mbau = VillageFactory(name="Mbau", parent=beni, latitude="0.63", longitude="29.49")
    UserFactory(username="ana", role="analyst")
    AlertFactory(triaged=True, location=mbau, priority=1)
    return IncidentFactory(location=mbau, priority=1, reporter_count=2, mechanism_count=1).pk


@pytest.mark.slow
@needs_playwright
@pytest.mark.django_db(transaction=True)
def test_the_map_reads_without_tiles_and_a_popup_leads_to_the_incident(live_server, browser):
    incident = off_loop(make_world)
    base = live_server.url
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
    refused = []

    def refuse(route):
        refused.append(route.request.url)
        route.abort()

    context.route(OUTSIDE, refuse)
    page = context.new_page()
    log_in(page, base, "ana", then="/dashboard/map/")
    expect(page.locator("#map")).to_have_attribute("data-loaded", re.compile(r"[1-9]"))
    # Limits drawn: 3 provinces and their territories, from our own static file.
    expect(page.locator("#map")).to_have_attribute("data-outlines", re.compile(r"^[2-9]\d$"))
    expect(page.locator(".leaflet-tooltip.place-label", has_text="Bunia")).to_have_count(1)
    expect(page.locator(".leaflet-tooltip.place-label", has_text="Goma")).to_have_count(1)
    notice = page.locator("#map-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_text("Fond de carte indisponible : limites et lieux affichés sans fond")
    assert refused, "the tiles were never asked for"
    legend = page.locator("#map-legend")
    for words in ("Province (limite approximative)", "Territoire (limite approximative)"):
        expect(legend).to_contain_text(words)
    expect(legend).to_contain_text("Couverture")
    expect(page.locator(".leaflet-control-layers")).to_contain_text("Lieux")
    expect(page.locator("#map")).to_have_attribute("data-settled", "1")  # zoomed onto them
    page.screenshot(path=screenshots_dir() / "dashboard-map-offline.png", full_page=True)
    box = page.locator("#map").bounding_box()
    data = page.evaluate(
        "url => fetch(url).then(r => r.json())", page.locator("#map").get_attribute("data-url")
    )
    assert json.dumps(data["incidents"]["features"][0]["properties"]["reporters_label"]) == (
        '"2 rapporteurs"'
    )
    # The incident's ring is drawn at the centre of the view (fitted on one place): click it.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("2 rapporteurs")
    popup.locator("a.popup-incident").click()
    page.wait_for_url(f"{base}/dashboard/incidents/{incident}/")
    context.close()
