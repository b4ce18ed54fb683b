"""Discreet mode, per focal point and per network: the rule, and how the admin, the CSV files
and the API carry it."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection

from core.crypto import lookup_hash
from networks.csv_io import focal_points_export, focal_points_import
from networks.models import FocalPoint, Network
from networks.selectors import (
    discreet_sql,
    focal_point_by_hash,
    focal_point_discreet,
    focal_points_discreet,
)
from networks.services import focal_point_create, membership_end
from tests.factories import MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    """Focal points covering the rule, with what each should be (own setting, networks)."""
    discreet_can, open_can = NetworkFactory(discreet=True), NetworkFactory(discreet=False)

    def person(number: str, own, *networks, left=()):
        fp = focal_point_create(name=f"Person {number}", phone=f"+24399100{number}", discreet=own)
        for network in networks:
            MembershipFactory(focal_point=fp, network=network)
        for network in left:
            membership_end(
                membership=MembershipFactory(focal_point=fp, network=network),
                left_on=dt.date(2024, 6, 1),
            )
        return fp

    return {
        # own setting wins, either way
        person("0001", True, open_can): True,
        person("0002", False, discreet_can): False,
        # no setting: discreet when any current network is
        person("0003", None, open_can, discreet_can): True,
        person("0004", None, open_can): False,
        person("0005", None): False,
        # a network they left does not count
        person("0006", None, open_can, left=[discreet_can]): False,
    }


def test_their_own_setting_wins_and_without_one_any_network_makes_them_discreet(people):
    for fp, expected in people.items():
        assert focal_point_discreet(FocalPoint.objects.get(pk=fp.pk)) is expected, fp.name
    assert focal_points_discreet([fp.pk for fp in people]) == {
        fp.pk for fp, expected in people.items() if expected
    }


def test_the_sql_rule_says_the_same_as_the_python_one(people):
    table = connection.ops.quote_name(FocalPoint._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {discreet_sql(table)} FROM {table}")
        found = {pk: bool(discreet) for pk, discreet in cursor.fetchall()}
    assert found == {fp.pk: expected for fp, expected in people.items()}
    for fp, expected in people.items():  # as intake reads a sender, in the same query
        sender = focal_point_by_hash(lookup_hash(fp.phone))
        assert sender.discreet_mode == expected and focal_point_discreet(sender) is expected


# --- Admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory.with_role("admin", is_staff=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def focal_point_form(**overrides) -> dict:
    data = {
        "name": "Furaha Bahati",
        "phone": "+243 99 765 4321",
        "phone_alt": "",
        "language": "sw",
        "gender": "female",
        "age_band": "25-34",
        "role": "teacher",
        "home_location": "",
        "consent_at": "2025-01-10",
        "active": "on",
        "opted_out_at_0": "",
        "opted_out_at_1": "",
        "discreet": "",
        "notes": "",
    }
    for prefix in ("memberships", "equipment"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | overrides


@pytest.mark.parametrize(("posted", "stored"), [("", None), ("True", True), ("False", False)])
def test_the_admin_sets_a_focal_points_own_setting(admin_client, posted, stored):
    response = admin_client.post(
        "/admin/networks/focalpoint/add/", focal_point_form(discreet=posted)
    )
    assert response.status_code == 302
    assert FocalPoint.objects.get().discreet is stored


def test_the_admin_shows_and_filters_the_setting(admin_client, people):
    page = admin_client.get("/admin/networks/focalpoint/", {"discreet__exact": "1"})
    assert page.status_code == 200
    assert "Person 0001" in page.content.decode()
    assert "Person 0002" not in page.content.decode()
    fp = next(iter(people))
    page = admin_client.get(f"/admin/networks/focalpoint/{fp.pk}/change/").content.decode()
    assert "As their networks" in page and 'name="discreet"' in page


def test_the_admin_sets_a_networks_default(admin_client):
    network = NetworkFactory(code="can-kalau")
    data = {
        "name": network.name,
        "code": network.code,
        "status": "active",
        "started_on": "2022-01-01",
        "discreet": "on",
        "notes": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/networks/network/{network.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Network.objects.get(pk=network.pk).discreet is True


# --- CSV --------------------------------------------------------------------------------------

HEADER = "name,phone,networks,discreet"


def test_the_csv_import_reads_the_setting(db):
    NetworkFactory(code="can-oicha")
    lines = [
        HEADER,
        "Kahindo Masika,0991234567,can-oicha,oui",
        "Kambale Muhindo,0991234568,can-oicha,no",
        "Dz'ba Lokana,0991234569,can-oicha,",
    ]
    result = focal_points_import(file=io.BytesIO("\n".join(lines).encode()), by=None)
    assert result.ok, (result.file_errors, result.row_errors)
    settings = dict(FocalPoint.objects.values_list("phone_hash", "discreet"))
    assert [settings[lookup_hash(f"+24399123456{n}")] for n in (7, 8, 9)] == [True, False, None]


def test_the_csv_import_refuses_an_unknown_setting_and_imports_nothing(db):
    text = f"{HEADER}\nKahindo Masika,0991234567,,maybe\n"
    result = focal_points_import(file=io.BytesIO(text.encode()), by=None)
    assert not result.ok
    assert "discreet: unknown value “maybe”" in result.row_errors[0].messages[0]
    assert not FocalPoint.objects.exists()


def test_the_csv_export_writes_the_setting_and_imports_back(people):
    out = io.StringIO()
    focal_points_export(queryset=FocalPoint.objects.all(), writer=out, reveal_identity=True)
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(out.getvalue()), delimiter=";")}
    assert [rows[f"Person 000{n}"]["discreet"] for n in (1, 2, 3)] == ["yes", "no", ""]
    assert rows["Person 0001"]["at_risk_since"] == ""
    for pk in FocalPoint.objects.values_list("pk", flat=True):
        FocalPoint.objects.filter(pk=pk).update(phone_hash=f"moved-{pk}")
    result = focal_points_import(file=io.BytesIO(out.getvalue().encode()), by=None)
    assert result.ok, (result.file_errors, result.row_errors)
    again = FocalPoint.objects.exclude(phone_hash__startswith="moved-")
    assert sorted(again.values_list("discreet", flat=True), key=str) == sorted(
        [fp.discreet for fp in people], key=str
    )


# --- API --------------------------------------------------------------------------------------


def test_the_api_shows_the_setting_and_what_it_amounts_to(client, people):
    client.force_login(UserFactory.with_role("analyst"))
    results = client.get("/api/v1/focal-points/", {"page_size": 50}).json()["results"]
    by_name = {row["name"]: row for row in results}
    for fp, expected in people.items():
        row = by_name[fp.name]
        assert row["discreet"] is fp.discreet
        assert row["discreet_effective"] is expected
        assert row["at_risk_since"] is None
    networks = client.get("/api/v1/networks/").json()["results"]
    assert sorted(n["discreet"] for n in networks) == [False, True]
