"""The queue's search and filters: accents and case ignored, references in every form people
type them, places found by the territory they lie in, and wrong filters answered with a message
(a 400 in the API). Run on SQLite and on PostgreSQL: both must answer the same."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Alert
from tests.factories import AlertFactory, TerritoryFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

QUEUE = "/dashboard/"
API = "/api/v1/alerts/"
EXPORT = "/api/v1/alerts/export/"


@pytest.fixture
def world():
    beni = TerritoryFactory(name="Béni")
    lubero = TerritoryFactory(name="Lubero")
    mavivi = VillageFactory(name="Mavivi", parent=beni)
    kanyabayonga = VillageFactory(name="Kanyabayonga", parent=lubero)
    return {
        "armed": AlertFactory(text="Des hommes armés près de l'école", location=kanyabayonga),
        "fire": AlertFactory(text="Incendie au marché", location=mavivi),
        "other": AlertFactory(text="Pluies et routes coupées", location=kanyabayonga),
        "beni": beni,
    }


@pytest.fixture
def analyst_client(client):
    client.force_login(UserFactory(username="ana", role="analyst"))
    return client


@pytest.fixture
def api():
    client = APIClient()
    user = UserFactory(username="api-ana", role="analyst")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def found(client, q: str) -> set[int]:
    response = client.get(QUEUE, {"q": q})
    assert response.status_code == 200
    return {alert.pk for alert in response.context["rows"]}


def api_found(api, q: str) -> set[int]:
    response = api.get(API, {"q": q})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("q", ["Hommes armes", "HOMMES ARMÉS", "hommes armés", "  hommes ARMES "])
def test_the_search_ignores_accents_and_case(world, analyst_client, api, q):
    assert found(analyst_client, q) == {world["armed"].pk}
    assert api_found(api, q) == {world["armed"].pk}


def test_the_search_finds_alerts_before_and_after_triage(analyst_client, api):
    # On PostgreSQL the trigram index holds triaged alerts only: the others are read apart.
    waiting = AlertFactory(text="Coups de feu à Mabalako")
    triaged = AlertFactory(text="Coups de feu entendus à Mabalako hier soir", triaged=True)
    AlertFactory(text="Marché calme à Mabalako", triaged=True)
    assert found(analyst_client, "coups de feu") == {waiting.pk, triaged.pk}
    assert api_found(api, "COUPS DE FEU") == {waiting.pk, triaged.pk}


def test_an_accented_search_finds_a_text_written_without_accents(world, analyst_client):
    plain = AlertFactory(text="Enlevement a Eringeti")
    assert found(analyst_client, "enlèvement à eringeti") == {plain.pk}


def test_a_reference_is_found_with_or_without_its_prefix(world, analyst_client, api):
    fire = world["fire"]
    year = timezone.localtime(fire.received_at).year
    for q in (
        fire.reference,
        fire.reference.lower(),
        f"{year}-{fire.pk:05d}",
        f"{fire.pk:05d}",
        str(fire.pk),
    ):
        assert fire.pk in found(analyst_client, q), q
        assert fire.pk in api_found(api, q), q
    # Written as a reference, it finds that alert alone.
    assert found(analyst_client, f"A-{year}-{fire.pk:05d}") == {fire.pk}
    assert found(analyst_client, f"{year}-{fire.pk:05d}") == {fire.pk}


def test_a_bare_number_also_finds_texts_that_hold_it(world, analyst_client):
    counted = AlertFactory(text="Environ 40125 déplacés")
    assert counted.pk in found(analyst_client, "40125")


def test_a_territory_name_finds_the_alerts_of_its_villages(world, analyst_client, api):
    assert found(analyst_client, "Beni") == {world["fire"].pk}
    assert found(analyst_client, "béni") == {world["fire"].pk}
    assert api_found(api, "BENI") == {world["fire"].pk}
    assert found(analyst_client, "lubero") == {world["armed"].pk, world["other"].pk}


def test_a_village_name_finds_its_alerts_only(world, analyst_client):
    assert found(analyst_client, "kanyabayonga") == {world["armed"].pk, world["other"].pk}
    assert found(analyst_client, "Mavivi") == {world["fire"].pk}


def test_a_search_with_wildcards_matches_them_literally(world, analyst_client):
    assert found(analyst_client, "%") == set()
    assert found(analyst_client, "_") == set()


@pytest.mark.parametrize(
    "params, field",
    [
        ({"received_after": "pas une date"}, "received_after"),
        ({"received_before": "2026-13-45T10:00"}, "received_before"),
        (
            {"received_after": "2026-03-10T10:00", "received_before": "2026-03-01T10:00"},
            "received_before",
        ),
        ({"priority": "9"}, "priority"),
        ({"priority": "urgent"}, "priority"),
    ],
)
def test_a_wrong_filter_is_told_on_the_page_and_refused_by_the_api(
    world, analyst_client, api, params, field
):
    response = analyst_client.get(QUEUE, params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    page = response.content.decode()
    assert 'class="errors" role="alert"' in page
    label = str(response.context["form"].fields[field].label)
    assert f"{label}: " in page
    refused = api.get(API, params)
    assert refused.status_code == 400
    assert field in refused.json()


def test_the_end_of_a_period_before_its_start_is_named_as_such(world, analyst_client, api):
    params = {"received_after": "2026-03-10T10:00", "received_before": "2026-03-01T10:00"}
    page = analyst_client.get(QUEUE, params).content.decode()
    assert "La fin de la période doit venir après son début." in page
    assert api.get(EXPORT, params).status_code == 400


def test_a_right_period_filters(world, analyst_client):
    old = AlertFactory(text="Ancienne alerte", received_at=timezone.now() - dt.timedelta(days=30))
    since = (timezone.now() - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = analyst_client.get(QUEUE, {"received_after": since, "q": "alerte"})
    assert not response.context["form"].errors
    assert old.pk not in {a.pk for a in response.context["rows"]}


def test_the_export_takes_format_as_well_as_as(world, api):
    for params, kind in (
        ({"format": "csv"}, "text/csv"),
        ({"format": "hxl"}, "text/csv"),
        ({"format": "geojson"}, "application/geo+json"),
        ({"as": "geojson"}, "application/geo+json"),
        ({"as": "csv", "format": "csv"}, "text/csv"),
    ):
        response = api.get(EXPORT, params)
        assert response.status_code == 200, params
        assert response["Content-Type"].startswith(kind), params
        b"".join(response.streaming_content)
    hxl = b"".join(api.get(EXPORT, {"format": "hxl"}).streaming_content).decode()
    assert "#" in hxl.splitlines()[1]
    assert api.get(EXPORT, {"format": "xlsx"}).status_code == 400
    assert api.get(EXPORT, {"format": "csv", "as": "geojson"}).status_code == 400


def test_the_export_button_carries_the_queue_filters(world, analyst_client):
    response = analyst_client.get(QUEUE, {"q": "Beni", "view": "mine", "page": "2"})
    link = response.context["export_query"]
    assert "q=Beni" in link and "format=csv" in link and "assignee=me" in link
    assert "page=" not in link and "view=" not in link
    assert f'href="{EXPORT}?' in response.content.decode()
    exported = analyst_client.get(f"{EXPORT}?{link.replace('assignee=me', '')}")
    assert exported.status_code == 200
    body = b"".join(exported.streaming_content).decode()
    assert world["fire"].reference in body
    assert world["armed"].reference not in body


def test_the_export_of_the_open_tab_keeps_to_open_alerts(world, analyst_client):
    world["other"].status = Alert.Status.CLOSED
    world["other"].save(update_fields=["status"])
    link = analyst_client.get(QUEUE, {"q": "lubero"}).context["export_query"]
    body = b"".join(analyst_client.get(f"{EXPORT}?{link}").streaming_content).decode()
    assert world["armed"].reference in body
    assert world["other"].reference not in body
