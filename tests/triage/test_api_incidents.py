"""The incidents/ API: list and retrieve with filters, merge and split per role, 4xx on bad
input."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import AlertEvent
from tests.factories import UserFactory
from triage.models import Incident

from .support import at, make_gazetteer, triaged_alert

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/"


@pytest.fixture
def api():
    def as_role(role: str) -> APIClient:
        user = UserFactory(username=f"{role}-user", role=role)
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        client.user = user
        return client

    return as_role


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def incidents(places, focal_point):
    """Mbau (attack, corroborated by SMS and LPC, P1), Kasugho in Lubero (tension, P3), Uvira
    in another province (displacement, P2, two days earlier)."""
    cla = UserFactory(username="claire", role="cla")
    mbau = triaged_alert(location=places.mbau, reporter=focal_point, priority=1)
    triaged_alert(location=places.mbau, source="lpc", created_by=cla, received_at=at(1))
    kasugho = triaged_alert(
        location=places.kasugho, categories=["intercommunal_tension"], priority=3
    )
    uvira = triaged_alert(location=places.uvira, categories=["displacement"], received_at=at(-48))
    return {"mbau": mbau.incident, "kasugho": kasugho.incident, "uvira": uvira.incident}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_it_refuses_anonymous_requests():
    assert APIClient().get(URL).status_code == 401


def test_it_lists_incidents_with_their_counts_and_alerts(api, incidents, places, focal_point):
    body = api("analyst").get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == 3
    row = next(r for r in body["results"] if r["id"] == incidents["mbau"].pk)
    assert row["reference"] == incidents["mbau"].reference
    assert (row["location"], row["location_name"], row["territory"]) == (
        places.mbau.pk,
        "Mbau",
        places.beni.pk,
    )
    assert (row["alert_count"], row["reporter_count"], row["mechanism_count"]) == (2, 2, 2)
    assert row["mechanisms"] == ["can", "lpc"] and row["corroboration"] == "several_mechanisms"
    assert row["priority"] == 1 and row["categories"] == ["attack"]
    assert [a["source"] for a in row["alerts"]] == ["sms", "lpc"]
    assert row["alerts"][0]["reporter"] == focal_point.pk
    detail = api("supervisor").get(f"{URL}{incidents['mbau'].pk}/").json()
    assert detail["id"] == incidents["mbau"].pk and len(detail["alerts"]) == 2


def test_viewers_read_incidents_without_who_reported(api, incidents):
    response = api("viewer").get(f"{URL}{incidents['mbau'].pk}/")
    assert response.status_code == 200
    assert [a["reporter"] for a in response.json()["alerts"]] == [None, None]


def test_it_filters_by_place_territory_priority_corroboration_category_and_dates(
    api, incidents, places
):
    client = api("analyst")
    mbau, kasugho, uvira = incidents["mbau"].pk, incidents["kasugho"].pk, incidents["uvira"].pk
    assert ids(client.get(URL, {"location": places.mbau.pk})) == {mbau}
    assert ids(client.get(URL, {"location": places.nord_kivu.pk})) == {mbau, kasugho}
    assert ids(client.get(URL, {"territory": places.lubero.pk})) == {kasugho}
    assert ids(client.get(URL, {"priority": 3})) == {kasugho}
    assert ids(client.get(URL, {"corroboration": "several_mechanisms"})) == {mbau}
    assert ids(client.get(URL, {"corroboration": "single_source"})) == {kasugho, uvira}
    assert ids(client.get(URL, {"category": "displacement"})) == {uvira}
    assert ids(client.get(URL, {"seen_after": at(-1).isoformat()})) == {mbau, kasugho}
    assert ids(client.get(URL, {"seen_before": at(-1).isoformat()})) == {uvira}


@pytest.mark.parametrize(
    "params",
    [
        {"priority": "9"},
        {"corroboration": "rumour"},
        {"category": "weather"},
        {"location": "99999999999999999999"},
        {"territory": "abc"},
        {"seen_after": "yesterday"},
        {"seen_before": "9999-12-31T23:59:59-14:00"},
    ],
)
def test_a_bad_filter_is_a_400(api, incidents, params):
    assert api("analyst").get(URL, params).status_code == 400


def test_the_territory_filter_takes_only_a_territory(api, incidents, places):
    assert api("analyst").get(URL, {"territory": places.mbau.pk}).status_code == 400


@pytest.mark.parametrize("role", ["analyst", "supervisor", "admin"])
def test_analysts_supervisors_and_admins_merge(api, places, role):
    a = triaged_alert(location=places.mbau)
    b = triaged_alert(location=places.oicha, categories=["hate_speech"], received_at=at(1))
    client = api(role)
    response = client.post(
        f"{URL}{a.incident_id}/merge/", {"incident": b.incident_id}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == a.incident_id and body["alert_count"] == 2
    assert len(body["alerts"]) == 2
    assert not Incident.objects.filter(pk=b.incident_id).exists()
    assert AlertEvent.objects.get(kind="incident_merged").by == client.user


@pytest.mark.parametrize("role", ["viewer", "cla"])
def test_other_roles_may_not_merge_or_split(api, incidents, role):
    client = api(role)
    mbau = incidents["mbau"]
    merge = client.post(
        f"{URL}{mbau.pk}/merge/", {"incident": incidents["uvira"].pk}, format="json"
    )
    split = client.post(
        f"{URL}{mbau.pk}/split/", {"alerts": [mbau.alerts.last().pk]}, format="json"
    )
    assert (merge.status_code, split.status_code) == (403, 403)
    assert Incident.objects.count() == 3
    assert client.get(URL).status_code == 200  # reading is fine


def test_a_merge_across_distant_places_is_a_400_with_the_reason(api, incidents):
    response = api("analyst").post(
        f"{URL}{incidents['mbau'].pk}/merge/", {"incident": incidents["uvira"].pk}, format="json"
    )
    assert response.status_code == 400 and "km" in response.json()["detail"]
    assert Incident.objects.count() == 3


@pytest.mark.parametrize(
    "payload",
    [{}, {"incident": "abc"}, {"incident": 0}, {"incident": 2**63}, {"incident": 999999}],
)
def test_a_bad_merge_is_a_400(api, incidents, payload):
    response = api("analyst").post(f"{URL}{incidents['mbau'].pk}/merge/", payload, format="json")
    assert response.status_code == 400
    assert Incident.objects.count() == 3


def test_merging_an_incident_with_itself_is_a_400(api, incidents):
    mbau = incidents["mbau"].pk
    response = api("analyst").post(f"{URL}{mbau}/merge/", {"incident": mbau}, format="json")
    assert response.status_code == 400


def test_merging_into_an_unknown_incident_is_a_404(api, incidents):
    response = api("analyst").post(
        f"{URL}999999/merge/", {"incident": incidents["mbau"].pk}, format="json"
    )
    assert response.status_code == 404


def test_an_analyst_splits_alerts_out(api, incidents):
    mbau = incidents["mbau"]
    lpc_alert = mbau.alerts.get(source="lpc")
    response = api("analyst").post(
        f"{URL}{mbau.pk}/split/", {"alerts": [lpc_alert.pk]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] != mbau.pk and [a["id"] for a in body["alerts"]] == [lpc_alert.pk]
    assert body["mechanisms"] == ["lpc"]
    mbau.refresh_from_db()
    assert (mbau.alert_count, mbau.corroboration) == (1, "single_source")


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"alerts": []},
        {"alerts": "12"},
        {"alerts": ["abc"]},
        {"alerts": [2**63]},
        {"alerts": [999999]},
    ],
)
def test_a_bad_split_is_a_400(api, incidents, payload):
    response = api("analyst").post(f"{URL}{incidents['mbau'].pk}/split/", payload, format="json")
    assert response.status_code == 400
    assert Incident.objects.count() == 3


def test_splitting_out_every_alert_is_a_400(api, incidents):
    mbau = incidents["mbau"]
    everything = list(mbau.alerts.values_list("pk", flat=True))
    response = api("analyst").post(f"{URL}{mbau.pk}/split/", {"alerts": everything}, format="json")
    assert response.status_code == 400 and "Keep at least one" in response.json()["detail"]


def test_the_alert_api_links_each_alert_to_its_incident(api, incidents):
    row = api("analyst").get("/api/v1/alerts/", {"q": "…"}).json()["results"]
    assert {r["incident"] for r in row} == {i.pk for i in incidents.values()}
