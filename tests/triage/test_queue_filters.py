"""The queue's filters beyond status, priority, category, source, dates and text: network,
territory and assignee, on the page, in its polled partial and in the API."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Alert
from tests.factories import (
    AlertFactory,
    FocalPointFactory,
    LocationFactory,
    MembershipFactory,
    NetworkFactory,
    ProvinceFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = "/dashboard/"
ROWS = "/dashboard/rows/"
API = "/api/v1/alerts/"


def shown(response) -> set[str]:
    assert response.status_code == 200
    return {a.reference for a in response.context["rows"]}


def refs(*alerts: Alert) -> set[str]:
    return {a.reference for a in alerts}


@pytest.fixture
def analyst():
    return UserFactory(username="ana", role="analyst", first_name="Ana", last_name="Lyst")


@pytest.fixture
def as_analyst(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def api(analyst):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=analyst).key}")
    return client


@pytest.fixture
def gazetteer():
    """Nord-Kivu > Beni > Bashu (chiefdom) > Mbau (village) > Mbau-Centre (locality); Lubero
    beside Beni, with its own village."""
    province = ProvinceFactory(name="Nord-Kivu")
    beni = TerritoryFactory(name="Beni", parent=province)
    lubero = TerritoryFactory(name="Lubero", parent=province)
    chiefdom = LocationFactory(name="Bashu", kind="chiefdom", parent=beni)
    mbau = VillageFactory(name="Mbau", parent=chiefdom)
    centre = LocationFactory(name="Mbau-Centre", kind="locality", parent=mbau)
    kasugho = VillageFactory(name="Kasugho", parent=lubero)
    return {
        "province": province,
        "beni": beni,
        "lubero": lubero,
        "mbau": mbau,
        "centre": centre,
        "kasugho": kasugho,
    }


# --- Territory -----------------------------------------------------------------------------------


def test_a_territory_takes_in_its_villages_and_the_localities_below_them(as_analyst, gazetteer):
    in_territory = AlertFactory(triaged=True, location=gazetteer["beni"])
    in_village = AlertFactory(triaged=True, location=gazetteer["mbau"])
    in_locality = AlertFactory(triaged=True, location=gazetteer["centre"])
    elsewhere = AlertFactory(triaged=True, location=gazetteer["kasugho"])
    province_only = AlertFactory(triaged=True, location=gazetteer["province"])
    nowhere = AlertFactory(triaged=True, location=None)

    beni = shown(as_analyst.get(QUEUE, {"territory": gazetteer["beni"].pk}))
    assert beni == refs(in_territory, in_village, in_locality)
    lubero = shown(as_analyst.get(QUEUE, {"territory": gazetteer["lubero"].pk}))
    assert lubero == refs(elsewhere)
    assert refs(province_only, nowhere) <= shown(as_analyst.get(QUEUE))


def test_the_territory_select_offers_the_territories_of_the_gazetteer_only(as_analyst, gazetteer):
    html = as_analyst.get(QUEUE, {"territory": gazetteer["lubero"].pk}).content.decode()
    select = html[
        html.index('id="f-territory"') : html.index("</select>", html.index("f-territory"))
    ]
    assert f'<option value="{gazetteer["beni"].pk}">Beni</option>' in select
    assert f'<option value="{gazetteer["lubero"].pk}" selected>Lubero</option>' in select
    for not_a_territory in ("Nord-Kivu", "Mbau", "Kasugho"):
        assert not_a_territory not in select


def test_a_place_that_is_not_a_territory_is_a_form_error_not_a_filter(as_analyst, gazetteer):
    alert = AlertFactory(triaged=True, location=gazetteer["kasugho"])
    response = as_analyst.get(QUEUE, {"territory": gazetteer["mbau"].pk})
    assert shown(response) == refs(alert)  # the wrong filter is left out
    assert "territory" in response.context["form"].errors
    assert 'class="errors"' in response.content.decode()


# --- Assignee ------------------------------------------------------------------------------------


def test_the_assignee_filter_takes_me_unassigned_or_someone(as_analyst, analyst):
    olga = UserFactory(username="olga", role="supervisor", first_name="Olga")
    mine = AlertFactory(triaged=True, assignee=analyst)
    olgas = AlertFactory(triaged=True, assignee=olga)
    nobodys = AlertFactory(triaged=True)

    assert shown(as_analyst.get(QUEUE, {"assignee": "me"})) == refs(mine)
    assert shown(as_analyst.get(QUEUE, {"assignee": "unassigned"})) == refs(nobodys)
    assert shown(as_analyst.get(QUEUE, {"assignee": olga.pk})) == refs(olgas)
    assert shown(as_analyst.get(QUEUE, {"assignee": ""})) == refs(mine, olgas, nobodys)


def test_me_is_whoever_looks(client, analyst):
    olga = UserFactory(username="olga", role="analyst")
    AlertFactory(triaged=True, assignee=analyst)
    olgas = AlertFactory(triaged=True, assignee=olga)
    client.force_login(olga)
    assert shown(client.get(QUEUE, {"assignee": "me"})) == refs(olgas)


def test_the_assignee_select_lists_who_takes_alerts_up(as_analyst):
    UserFactory(username="sup", role="supervisor", first_name="Sophie", last_name="Pervi")
    UserFactory(username="boss", role="admin", first_name="Bahati")
    UserFactory(username="root", is_superuser=True, first_name="Rose")
    UserFactory(username="vic", role="viewer", first_name="Victor")
    UserFactory(username="cla", role="cla", first_name="Claude")
    UserFactory(username="gone", role="analyst", first_name="Gaston", is_active=False)
    html = as_analyst.get(QUEUE, {"assignee": "unassigned"}).content.decode()
    start = html.index('id="f-assignee"')
    select = html[start : html.index("</select>", start)]
    for name in ("Ana Lyst", "Sophie Pervi", "Bahati", "Rose"):
        assert name in select, name
    for name in ("Victor", "Claude", "Gaston"):
        assert name not in select, name
    assert '<option value="me">' in select
    assert '<option value="unassigned" selected>' in select


@pytest.mark.parametrize("value", ["x", "0", "-3", "99999999999999999999", "１２", "1_2", "me "])
def test_a_wrong_assignee_is_a_form_error_not_a_crash(as_analyst, value):
    alert = AlertFactory(triaged=True)
    for url in (QUEUE, ROWS):
        response = as_analyst.get(url, {"assignee": value})
        if value == "me ":  # surrounding blanks are trimmed, as in every text field
            assert response.context["form"].is_valid()
            continue
        assert shown(response) == refs(alert)
        assert "assignee" in response.context["form"].errors


# --- Network -------------------------------------------------------------------------------------


def test_the_network_filter_keeps_alerts_sent_by_its_current_members(as_analyst):
    can, other_can = NetworkFactory(name="CAN Mbau"), NetworkFactory(name="CAN Oicha")
    member, in_both, outsider, former = FocalPointFactory.create_batch(4)
    MembershipFactory(focal_point=member, network=can)
    MembershipFactory(focal_point=in_both, network=can)
    MembershipFactory(focal_point=in_both, network=other_can)
    MembershipFactory(focal_point=outsider, network=other_can)
    MembershipFactory(focal_point=former, network=can, left_on=dt.date(2025, 1, 1))
    from_member = AlertFactory(triaged=True, reporter=member)
    from_both = AlertFactory(triaged=True, reporter=in_both)
    AlertFactory(triaged=True, reporter=outsider)
    AlertFactory(triaged=True, reporter=former)
    AlertFactory(triaged=True, reporter=None, source="lpc")

    response = as_analyst.get(QUEUE, {"network": can.pk})
    assert shown(response) == refs(from_member, from_both)
    assert response.context["counts"]["total"] == 2  # each alert once, whatever the joins
    html = response.content.decode()
    assert f'<option value="{can.pk}" selected>CAN Mbau</option>' in html
    assert f'<option value="{other_can.pk}">CAN Oicha</option>' in html


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "12345"])
def test_an_unknown_network_is_a_form_error_not_a_crash(as_analyst, value):
    alert = AlertFactory(triaged=True)
    for url in (QUEUE, ROWS):
        response = as_analyst.get(url, {"network": value})
        assert shown(response) == refs(alert)
        assert "network" in response.context["form"].errors


# --- Filters together, kept while polling and paging ---------------------------------------------


def test_the_filters_combine_and_survive_polling_paging_and_the_tabs(
    as_analyst, analyst, gazetteer
):
    can = NetworkFactory()
    reporter = FocalPointFactory()
    MembershipFactory(focal_point=reporter, network=can)
    wanted = {"network": can.pk, "territory": gazetteer["beni"].pk, "assignee": "me"}
    for _ in range(55):
        AlertFactory(triaged=True, reporter=reporter, location=gazetteer["mbau"], assignee=analyst)
    AlertFactory(triaged=True, reporter=reporter, location=gazetteer["kasugho"], assignee=analyst)
    AlertFactory(triaged=True, reporter=reporter, location=gazetteer["mbau"])
    AlertFactory(triaged=True, location=gazetteer["mbau"], assignee=analyst)

    page = as_analyst.get(QUEUE, wanted)
    assert page.context["counts"]["total"] == 55 and page.context["pages"] == 2
    html = page.content.decode()
    params = "&amp;".join(
        f"{key}={value}"
        for key, value in (("network", can.pk), ("territory", gazetteer["beni"].pk))
    )
    assert params in html  # in the pager's and the tabs' links
    for key, value in wanted.items():
        assert f"{key}={value}" in page.context["poll_url"]
        assert f"{key}={value}" in page.context["back_query"]
    assert "page=2" in html

    later = AlertFactory(
        triaged=True, reporter=reporter, location=gazetteer["centre"], assignee=analyst
    )
    AlertFactory(triaged=True, reporter=reporter, location=gazetteer["kasugho"], assignee=analyst)
    partial = as_analyst.get(page.context["poll_url"])
    assert partial.context["counts"] == {
        "total": 56,
        "open": 56,
        "unread": 56,
        "new": 1,
        "more": False,
    }
    assert later.reference in partial.content.decode()

    second = as_analyst.get(QUEUE, {**wanted, "page": 2})
    assert len(second.context["rows"]) == 6


def test_the_queue_costs_the_same_queries_with_ten_or_forty_alerts(as_analyst, analyst, gazetteer):
    """Three queries for the alerts (a count, a page of rows, those with a new message) whatever
    the filters, plus a fixed few: the filters' own checks and, on the full page, one per
    select."""
    can = NetworkFactory()
    reporters = FocalPointFactory.create_batch(3)
    for person in reporters:
        MembershipFactory(focal_point=person, network=can)
    UserFactory(username="olga", role="analyst")

    def grow(n):
        places = [gazetteer["beni"], gazetteer["mbau"], gazetteer["centre"], gazetteer["kasugho"]]
        for i in range(n):
            AlertFactory(
                triaged=True,
                reporter=reporters[i % 3],
                location=places[i % 4],
                assignee=analyst if i % 2 else None,
                priority=i % 4 + 1,
            )

    cases = [
        (QUEUE, {}),
        (QUEUE, {"network": can.pk, "territory": gazetteer["beni"].pk, "assignee": "me"}),
        (QUEUE, {"assignee": "unassigned", "q": "armés", "priority": "1"}),
        (ROWS, {"network": can.pk, "territory": gazetteer["beni"].pk, "since": "0"}),
        (ROWS, {"assignee": analyst.pk, "since": "0"}),
    ]

    def costs():
        found = []
        for url, params in cases:
            as_analyst.get(url, params)  # warm the session
            with CaptureQueriesContext(connection) as captured:
                response = as_analyst.get(url, params)
            assert response.status_code == 200
            assert response.context["rows"], (url, params)
            assert not response.context["form"].errors
            sql = [q["sql"] for q in captured.captured_queries]
            # a bounded count, the latest alert (or the new ones), the page of rows, the alerts
            # with a new message, the untriaged backlog for the "triage stopped" banner, the
            # unacknowledged P1 and the last change (the polling's version)
            assert len([q for q in sql if "alerts_alert" in q]) == 7, (url, params)
            found.append(len(sql))
        return found

    grow(10)
    with_ten = costs()
    grow(30)
    assert costs() == with_ten


# --- API -----------------------------------------------------------------------------------------


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_api_takes_the_same_filters(api, analyst, gazetteer):
    olga = UserFactory(username="olga", role="analyst")
    can = NetworkFactory()
    member = FocalPointFactory()
    MembershipFactory(focal_point=member, network=can)
    mine = AlertFactory(triaged=True, assignee=analyst, location=gazetteer["centre"])
    olgas = AlertFactory(
        triaged=True, assignee=olga, location=gazetteer["kasugho"], reporter=member
    )
    nobodys = AlertFactory(triaged=True, location=gazetteer["mbau"])

    assert ids(api.get(API, {"territory": gazetteer["beni"].pk})) == {mine.pk, nobodys.pk}
    assert ids(api.get(API, {"territory": gazetteer["lubero"].pk})) == {olgas.pk}
    assert ids(api.get(API, {"network": can.pk})) == {olgas.pk}
    assert ids(api.get(API, {"assignee": "me"})) == {mine.pk}
    assert ids(api.get(API, {"assignee": "unassigned"})) == {nobodys.pk}
    assert ids(api.get(API, {"assignee": olga.pk})) == {olgas.pk}
    assert ids(api.get(API, {"assignee": "unassigned", "territory": gazetteer["beni"].pk})) == {
        nobodys.pk
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("territory", "abc"),
        ("territory", "99999999999999999999"),
        ("territory", "MBAU"),  # a village, not a territory
        ("network", "abc"),
        ("network", "0"),
        ("network", "424242"),
        ("assignee", "someone"),
        ("assignee", "0"),
        ("assignee", "-3"),
        ("assignee", "99999999999999999999"),
        ("assignee", "9" * 5000),
    ],
)
def test_the_api_answers_a_wrong_filter_with_a_400(api, gazetteer, key, value):
    value = str(gazetteer["mbau"].pk) if value == "MBAU" else value
    response = api.get(API, {key: value})
    assert response.status_code == 400
    assert key in response.json()


def test_the_api_schema_describes_the_new_filters(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"][API]["get"]["parameters"]}
    assert parameters["territory"]["schema"] == {"type": "integer"}
    assert parameters["network"]["schema"] == {"type": "integer"}
    assignee = parameters["assignee"]["schema"]["oneOf"]
    assert {"type": "string", "enum": ["me", "unassigned"]} in assignee
    assert any(option["type"] == "integer" for option in assignee)
