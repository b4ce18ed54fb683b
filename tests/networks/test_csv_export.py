import csv
import datetime as dt
import io

import pytest

from networks.csv_io import focal_points_export, focal_points_import
from networks.models import FocalPoint
from networks.services import focal_point_create
from tests.factories import MembershipFactory, NetworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(places):
    person = focal_point_create(
        name="Kahindo Masika",
        phone="0991234567",
        phone_alt="0812345678",
        language="sw",
        notes="Tante du chef",
    )
    MembershipFactory(focal_point=person, network=NetworkFactory(code="can-oicha"))
    return person


def export(reveal_identity: bool) -> list[dict]:
    out = io.StringIO()
    count = focal_points_export(
        queryset=FocalPoint.objects.all(), writer=out, reveal_identity=reveal_identity
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue()), delimiter=";"))
    assert count == len(rows)
    return rows


def test_it_exports_identities_in_clear_for_those_who_may_see_them(person):
    (row,) = export(reveal_identity=True)
    assert row["id"] == str(person.pk)
    assert row["name"] == "Kahindo Masika"
    assert row["phone"] == "+243991234567"
    assert row["phone_alt"] == "+243812345678"
    assert row["networks"] == "can-oicha"
    assert row["notes"] == "Tante du chef"


def test_it_masks_identities_for_the_others(person):
    (row,) = export(reveal_identity=False)
    assert row["name"] == "K. M."
    assert row["phone"] == "'+243 ••• ••• 567"
    assert "991234" not in row["phone"]
    assert row["notes"] == ""
    assert row["language"] == "sw"


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(places):
    focal_point_create(name="=HYPERLINK(1)", phone="0991234567")
    (row,) = export(reveal_identity=True)
    assert row["name"] == "'=HYPERLINK(1)"


def test_an_export_imports_back(person):
    out = io.StringIO()
    focal_points_export(queryset=FocalPoint.objects.all(), writer=out, reveal_identity=True)
    FocalPoint.objects.all().update(phone_hash="moved-away", phone_alt_hash="")
    result = focal_points_import(file=io.BytesIO(out.getvalue().encode()), by=None)
    assert result.ok, (result.file_errors, result.row_errors, result.warnings)
    assert result.warnings == ["Ignored column(s): id, active, opted_out_at, at_risk_since."]


def test_it_lists_only_current_networks_in_two_queries(person, django_assert_num_queries):
    MembershipFactory(
        focal_point=person,
        network=NetworkFactory(code="can-mbau"),
        joined_on=dt.date(2020, 1, 1),
        left_on=dt.date(2022, 12, 31),
    )
    out = io.StringIO()
    with django_assert_num_queries(2):
        focal_points_export(queryset=FocalPoint.objects.all(), writer=out, reveal_identity=True)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()), delimiter=";")
    assert row["networks"] == "can-oicha"
