"""Coverage: which mechanisms reach each place, overlaps, gaps and forgotten networks."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cla.coverage import coverage_compute
from lpc.services import lpc_create
from networks.models import Location
from networks.services import focal_point_create, focal_point_opt_out
from tests.factories import NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reach(gazetteer, visit_factory, today):
    """A small map:
    Mbau    - CAN (network area) + LPC + CLA visit 10 days ago          -> 3 mechanisms
    Oicha   - CAN (network area) + CLA visit exactly 90 days ago         -> 2
    Kamango - CAN through a focal point living there; a closed network,
              a dormant LPC and a visit 91 days ago do not count         -> 1
    Kirumba - LPC covering its whole territory (Lubero)                  -> 1
    Butembo - in that LPC's territory too, but the LPC is named on Lubero,
              so it counts; an opted-out focal point living there doesn't
    """
    g = gazetteer
    days = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    networks = {
        "oicha": NetworkFactory(name="CAN Oicha", area=[g["Mbau"], g["Oicha"]]),
        "kamango": NetworkFactory(
            name="CAN Kamango", area=[g["Kamango"]], status="closed", closed_on=days(400)
        ),
        "never": NetworkFactory(name="CAN Never", area=[]),
        "dormant": NetworkFactory(name="CAN Dormant", status="dormant"),
        "boundary": NetworkFactory(name="CAN Boundary"),
    }
    lpc_create(by=None, name="LPC Mbau", places=[g["Mbau"]])
    lpc_create(by=None, name="LPC Kamango", places=[g["Kamango"]], status="dormant")
    lpc_create(by=None, name="LPC Lubero", places=[g["Lubero"]])
    focal_point_create(name="Muhindo Paluku", phone="+243991000001", home_location=g["Kamango"])
    gone = focal_point_create(
        name="Kasoki Mbambu", phone="+243991000002", home_location=g["Butembo"]
    )
    focal_point_opt_out(focal_point=gone)
    visit_factory(visited_on=days(10), places=[g["Mbau"]], networks=[networks["oicha"]])
    visit_factory(visited_on=days(90), places=[g["Oicha"]], networks=[networks["boundary"]])
    visit_factory(visited_on=days(91), places=[g["Kamango"]], networks=[networks["dormant"]])
    return networks


def _by_name(coverage):
    return {place.name: place for place in coverage.places}


def test_each_place_lists_the_mechanisms_that_reach_it(reach, today):
    places = _by_name(coverage_compute(today=today))
    assert set(places) == {"Mbau", "Oicha", "Kamango", "Kirumba", "Butembo"}  # villages only
    assert places["Mbau"].mechanisms == ("can", "lpc", "cla")
    assert places["Mbau"].networks == ["CAN Oicha"]
    assert places["Mbau"].lpcs == ["LPC Mbau"]
    assert places["Oicha"].mechanisms == ("can", "cla")
    assert places["Kamango"].mechanisms == ("can",)
    assert places["Kamango"].networks == [] and places["Kamango"].focal_points == 1
    assert places["Kamango"].last_visit == today - dt.timedelta(days=91)
    assert places["Kirumba"].mechanisms == ("lpc",)
    assert places["Kirumba"].lpcs == ["LPC Lubero"]
    assert places["Butembo"].focal_points == 0


def test_the_ninety_day_window_counts_its_last_day_and_not_the_one_before(reach, today):
    places = _by_name(coverage_compute(today=today))
    assert places["Oicha"].cla is True  # 90 days ago
    assert places["Kamango"].cla is False  # 91 days ago
    tomorrow = _by_name(coverage_compute(today=today + dt.timedelta(days=1)))
    assert tomorrow["Oicha"].cla is False


def test_it_counts_overlaps_and_lists_gaps(reach, gazetteer, today):
    Location.objects.create(name="Walikale", kind="locality", parent=gazetteer["Nord-Kivu"])
    coverage = coverage_compute(today=today)
    assert coverage.by_mechanism == {"can": 3, "lpc": 3, "cla": 2}
    assert coverage.by_count == {0: 1, 1: 3, 2: 1, 3: 1}
    assert coverage.overlaps == {"can+lpc": 0, "can+cla": 1, "lpc+cla": 0, "can+lpc+cla": 1}
    assert [p.name for p in coverage.gaps] == ["Walikale"]


def test_it_lists_networks_never_visited_or_not_for_ninety_days(reach, today):
    stale = coverage_compute(today=today).stale_networks
    assert [(n.name, n.days_since) for n in stale] == [("CAN Never", None), ("CAN Dormant", 91)]
    # CAN Oicha (10 days) and CAN Boundary (90 days) are recent; the closed CAN Kamango is over.


def test_it_narrows_to_an_area(reach, gazetteer, today):
    coverage = coverage_compute(today=today, within=gazetteer["Lubero"].pk)
    assert [p.name for p in coverage.places] == ["Butembo", "Kirumba"]


def test_it_reads_the_same_number_of_queries_for_a_bigger_map(reach, gazetteer, visit_factory):
    with CaptureQueriesContext(connection) as small:
        coverage_compute()
    for n in range(20):
        place = Location.objects.create(
            name=f"Village {n}", kind="village", parent=gazetteer["Beni"]
        )
        network = NetworkFactory(area=[place])
        lpc_create(by=None, name=f"LPC {n}", places=[place])
        visit_factory(places=[place], networks=[network])
        focal_point_create(name=f"Person {n}", phone=f"+24399200{n:04d}", home_location=place)
    with CaptureQueriesContext(connection) as big:
        coverage = coverage_compute()
    assert len(coverage.places) == 25
    assert len(big.captured_queries) == len(small.captured_queries)


def test_the_coverage_page_and_json_show_figures_to_a_viewer_without_names(client, reach):
    client.force_login(UserFactory(username="vera", role="viewer"))
    page = client.get(reverse("cla:coverage"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "CAN Never" in text and "Mbau" in text
    assert "Muhindo" not in text and "kavira" not in text  # no focal point, no CLA named
    body = client.get(reverse("cla:coverage-json")).json()
    assert body["summary"]["by_count"] == {"0": 0, "1": 3, "2": 1, "3": 1}
    mbau = next(p for p in body["places"] if p["name"] == "Mbau")
    assert mbau["mechanisms"] == ["can", "lpc", "cla"]
    assert {n["name"] for n in body["stale_networks"]} == {"CAN Never", "CAN Dormant"}


@pytest.mark.parametrize("within", ["abc", "0", "-1", "99999999999999999999", "1\x00"])
def test_a_bad_area_is_a_400(client, db, within):
    client.force_login(UserFactory(username="vera", role="viewer"))
    assert client.get(reverse("cla:coverage-json"), {"within": within}).status_code == 400
    assert client.get(reverse("cla:coverage"), {"within": within}).status_code == 400


def test_coverage_needs_a_login(client, db):
    assert client.get(reverse("cla:coverage")).status_code == 302
    assert client.get(reverse("cla:coverage-json")).status_code == 302
