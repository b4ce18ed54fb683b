"""What leaves the team does not point at people: an alert placed only at its reporter's home
(triage's fallback) goes out, in exports and the API, at its territory; an incident whose place
no alert names likewise; and alert texts are exported only to roles that may read identities."""

import csv
import io
import json

import pytest

from alerts.models import Alert
from triage.models import Incident


@pytest.fixture
def homes(world):
    """An alert placed at its reporter's home (Mbau), in an incident of its own."""
    incident = Incident.objects.create(location=world["mbau"], categories=["looting"])
    alert = Alert.objects.create(
        source="sms",
        text="Ils ont tout pris",
        location=world["mbau"],
        location_is_fallback=True,
        reporter=world["fp_beni"],
        incident=incident,
        status="triaged",
        priority=2,
        categories=["looting"],
    )
    world["beni"].latitude, world["beni"].longitude = "0.49", "29.47"
    world["beni"].save()
    return {"alert": alert, "incident": incident}


def _csv(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_alert_export_gives_a_reporters_home_as_its_territory(world, api, homes):
    rows = {row["reference"]: row for row in _csv(api(world["sup"]), "/api/v1/alerts/export/")}
    home = rows[homes["alert"].reference]
    assert (home["place"], home["territory"], home["place_is_fallback"]) == ("Beni", "Beni", "yes")
    assert (home["latitude"], home["longitude"]) == ("0.49", "29.47")
    named = rows[world["in_beni"].reference]
    assert (named["place"], named["latitude"]) == ("Mbau", "0.58")
    assert "Mbau" not in home.values()


def test_the_geojson_export_draws_it_at_the_territory(world, api, homes):
    response = api(world["sup"]).get("/api/v1/alerts/export/?as=geojson")
    body = json.loads(b"".join(response.streaming_content))
    feature = next(
        f for f in body["features"] if f["properties"]["reference"] == homes["alert"].reference
    )
    assert feature["geometry"]["coordinates"] == [29.47, 0.49]
    assert feature["properties"]["place"] == "Beni"


def test_the_api_shows_it_at_its_territory(world, api, homes):
    for who in ("sup", "ana", "vee"):
        body = api(world[who]).get(f"/api/v1/alerts/{homes['alert'].pk}/").json()
        assert (body["location"], body["location_name"]) == (world["beni"].pk, "Beni"), who
        assert body["location_is_fallback"] is True
    named = api(world["sup"]).get(f"/api/v1/alerts/{world['in_beni'].pk}/").json()
    assert (named["location"], named["location_name"]) == (world["mbau"].pk, "Mbau")


def test_filtering_by_the_village_does_not_find_where_reporters_live(world, api, homes):
    client = api(world["sup"])

    def ids(query):
        return {row["id"] for row in client.get(f"/api/v1/alerts/?{query}").json()["results"]}

    assert homes["alert"].pk not in ids(f"location={world['mbau'].pk}")
    assert world["in_beni"].pk in ids(f"location={world['mbau'].pk}")
    assert homes["alert"].pk in ids(f"location={world['beni'].pk}")
    assert homes["alert"].pk not in ids("q=Mbau")
    export = _csv(client, f"/api/v1/alerts/export/?location={world['mbau'].pk}")
    assert homes["alert"].reference not in {row["reference"] for row in export}


def test_an_incident_placed_only_at_a_home_goes_out_at_its_territory(world, api, homes):
    client = api(world["sup"])
    body = client.get(f"/api/v1/incidents/{homes['incident'].pk}/").json()
    assert (body["location"], body["location_name"]) == (world["beni"].pk, "Beni")
    named = client.get(f"/api/v1/incidents/{world['inc_beni'].pk}/").json()
    assert (named["location"], named["location_name"]) == (world["mbau"].pk, "Mbau")
    rows = {row["reference"]: row for row in _csv(client, "/api/v1/incidents/export/")}
    assert rows[str(homes["incident"])]["place"] == "Beni"
    assert rows[str(homes["incident"])]["latitude"] == "0.49"
    assert rows[str(world["inc_beni"])]["place"] == "Mbau"


def test_once_an_alert_names_the_place_the_incident_shows_it(world, api, homes):
    Alert.objects.create(
        source="sms", text="Pillage à Mbau", location=world["mbau"], incident=homes["incident"]
    )
    body = api(world["sup"]).get(f"/api/v1/incidents/{homes['incident'].pk}/").json()
    assert body["location_name"] == "Mbau"


def test_a_viewer_exports_categories_and_counts_but_no_text(world, api, homes):
    client = api(world["vee"])
    refused = client.get("/api/v1/alerts/export/?text=true")
    assert refused.status_code == 403
    assert "identities" in refused.json()["detail"]
    rows = _csv(client, "/api/v1/alerts/export/")
    assert rows and "text" not in rows[0]
    assert {row["categories"] for row in rows} >= {"attack", "looting"}
    assert _csv(client, "/api/v1/incidents/export/")[0]["alerts"] is not None


@pytest.mark.parametrize("who", ["ana", "sup", "root", "lubero_cla"])
def test_roles_that_read_identities_may_export_texts(world, api, homes, who):
    rows = _csv(api(world[who]), "/api/v1/alerts/export/?text=true")
    assert rows and all("text" in row for row in rows)
