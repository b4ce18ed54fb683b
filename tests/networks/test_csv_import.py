import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from networks.constants import CSV_IMPORT_MAX_BYTES
from networks.csv_io import focal_points_import
from networks.models import FocalPoint, Membership, Network
from networks.services import focal_point_create
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "name,phone,phone_alt,language,gender,age_band,role,home_location,networks,consent_at,notes"
)
GOOD_ROWS = [
    "Kahindo Masika,0991234567,,sw,female,25-34,teacher,Oicha,can-oicha,2024-03-01,",
    "Kambale Muhindo,+243 81 234 5678,0970001111,fr,male,35-49,chief,Eringeti,can-oicha;can-mbau,2024-03-02,Chef de groupement",  # noqa: E501
    "Dz'ba Lokana,+243992223333,,ln,male,18-24,youth,Fataki,,,",
]


@pytest.fixture
def networks(places):
    return {
        "can-oicha": NetworkFactory(code="can-oicha"),
        "can-mbau": NetworkFactory(code="can-mbau"),
        "can-old": NetworkFactory(
            code="can-old", status=Network.Status.CLOSED, closed_on=dt.date(2024, 1, 1)
        ),
    }


def upload(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def csv_file(*rows: str, header: str = HEADER) -> io.BytesIO:
    return upload("\n".join([header, *rows]) + "\n")


def test_a_good_file_imports_every_row_with_its_memberships(networks):
    result = focal_points_import(file=csv_file(*GOOD_ROWS), by=None)
    assert result.ok, (result.file_errors, result.row_errors)
    assert result.created == 3
    kambale = FocalPoint.objects.get(role="chief")
    assert kambale.name == "Kambale Muhindo"
    assert kambale.phone == "+243812345678"
    assert kambale.phone_alt == "+243970001111"
    assert kambale.home_location.name == "Eringeti"
    assert kambale.consent_at == dt.date(2024, 3, 2)
    assert kambale.notes == "Chef de groupement"
    assert sorted(kambale.memberships.values_list("network__code", flat=True)) == [
        "can-mbau",
        "can-oicha",
    ]
    assert kambale.memberships.first().joined_on == dt.date(2024, 3, 2)
    assert FocalPoint.objects.get(role="youth").memberships.count() == 0


def test_two_bad_rows_among_good_ones_import_nothing_and_name_both_lines(networks):
    rows = [
        GOOD_ROWS[0],
        "Bahati Furaha,12,,sw,female,,,Oicha,can-oicha,,",
        GOOD_ROWS[1],
        "Safari Amani,0993334444,,klingon,male,,,Nowhere,can-oicha,2024-13-40,",
        GOOD_ROWS[2],
    ]
    result = focal_points_import(file=csv_file(*rows), by=None)
    assert not result.ok
    assert result.created == 0
    assert FocalPoint.objects.count() == 0
    assert Membership.objects.count() == 0
    assert [error.line for error in result.row_errors] == [3, 5]
    assert result.row_errors[0].messages == [
        "phone: “12” is not a valid phone number for its country."
    ]
    messages = " | ".join(result.row_errors[1].messages)
    assert "language: unknown value “klingon”" in messages
    assert "home_location: unknown place “Nowhere”" in messages
    assert "consent_at: “2024-13-40” is not a date" in messages


def test_it_reports_a_number_repeated_inside_the_file(networks):
    rows = [GOOD_ROWS[0], "Neema Sifa,+243 99 123 4567,,sw,female,,,,,,"]
    result = focal_points_import(file=csv_file(*rows), by=None)
    assert result.created == 0
    (error,) = result.row_errors
    assert error.line == 3
    assert error.messages == ["phone: +243991234567 is already on line 2 of this file."]


def test_it_reports_a_number_already_in_the_database(networks):
    focal_point_create(name="Existing", phone="+243991234567")
    result = focal_points_import(file=csv_file(GOOD_ROWS[0]), by=None)
    assert result.row_errors[0].messages == [
        "phone: another focal point already has the number +243991234567."
    ]
    assert FocalPoint.objects.count() == 1


def test_it_reports_a_second_phone_repeated_inside_the_file(networks):
    rows = [GOOD_ROWS[1], "Neema Sifa,0991112222,+243970001111,sw,female,,,,,,"]
    result = focal_points_import(file=csv_file(*rows), by=None)
    assert result.created == 0
    (error,) = result.row_errors
    assert error.line == 3
    assert error.messages == ["phone_alt: +243970001111 is already on line 2 of this file."]


def test_it_reports_a_main_number_that_is_another_rows_second_phone(networks):
    rows = [GOOD_ROWS[1], "Neema Sifa,0970001111,,sw,female,,,,,,"]
    result = focal_points_import(file=csv_file(*rows), by=None)
    (error,) = result.row_errors
    assert error.messages == ["phone: +243970001111 is already on line 2 of this file."]


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        ({"phone": "0970001111"}, "phone_alt: another focal point already has the number"),
        (
            {"phone": "0991112222", "phone_alt": "0812345678"},
            "phone: another focal point already has the number",
        ),
    ],
)
def test_it_reports_numbers_already_in_the_database_as_main_or_second(networks, existing, message):
    focal_point_create(name="Existing", **existing)
    result = focal_points_import(file=csv_file(GOOD_ROWS[1]), by=None)
    (error,) = result.row_errors
    assert len(error.messages) == 1
    assert error.messages[0].startswith(message)
    assert FocalPoint.objects.count() == 1


def test_it_checks_every_number_against_the_database_in_one_query(networks):
    with CaptureQueriesContext(connection) as queries:
        result = focal_points_import(file=csv_file(*GOOD_ROWS), by=None)
    assert result.ok, result.row_errors
    lookups = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and "phone_hash" in q["sql"]
    ]
    assert len(lookups) == 1, lookups


def test_it_reports_unknown_and_closed_networks(networks):
    result = focal_points_import(
        file=csv_file("Neema,0991234567,,,,,,,can-old;can-nowhere,,"), by=None
    )
    assert result.row_errors[0].messages == [
        "networks: the network “can-old” is closed.",
        "networks: unknown network code “can-nowhere”.",
    ]


def test_nul_characters_are_dropped_not_a_500(networks):
    row = "Ne\x00ema,0991234567,,,,,,Oi\x00cha,can-oi\x00cha,,Re\x00lais"
    result = focal_points_import(file=csv_file(row), by=None)
    assert result.ok, (result.file_errors, result.row_errors)
    neema = FocalPoint.objects.get()
    assert (neema.name, neema.home_location.name, neema.notes) == ("Neema", "Oicha", "Relais")
    assert neema.memberships.get().network.code == "can-oicha"


def test_it_matches_places_by_alternate_spelling_without_accents(networks):
    rows = ["Neema,0991234567,,,,,,kichanga,,,", "Sifa,0991234568,,,,,,OÏCHA,,,"]
    result = focal_points_import(file=csv_file(*rows), by=None)
    assert result.ok, result.row_errors
    homes = sorted(FocalPoint.objects.values_list("home_location__name", flat=True))
    assert homes == ["Kitshanga", "Oicha"]


def test_a_town_named_like_its_territory_is_the_town(networks):
    result = focal_points_import(file=csv_file("Neema,0991234567,,,,,,Beni,,,"), by=None)
    assert result.ok, result.row_errors
    assert FocalPoint.objects.get().home_location.kind == "locality"


def test_an_ambiguous_place_is_an_error_unless_qualified(networks):
    from networks.models import Location

    nord_kivu = Location.objects.get(name="Nord-Kivu")
    walikale = Location.objects.get(name="Walikale", kind="territory")
    Location.objects.create(name="Kasindi", kind="locality", parent=walikale)
    Location.objects.filter(name="Kasindi", parent__name="Beni").update(parent=nord_kivu)
    result = focal_points_import(file=csv_file("Neema,0991234567,,,,,,Kasindi,,,"), by=None)
    (error,) = result.row_errors
    assert "“Kasindi” is ambiguous" in error.messages[0]
    assert "Place (Territory)" in error.messages[0]
    result = focal_points_import(
        file=csv_file("Neema,0991234567,,,,,,Kasindi (Walikale),,,"), by=None
    )
    assert result.ok, result.row_errors
    assert FocalPoint.objects.get().home_location.parent == walikale


def test_it_accepts_labels_aliases_and_day_first_dates(networks):
    row = "Neema,0991234567,,Kiswahili,F,,Women's association,,,15/03/2024,"
    result = focal_points_import(file=csv_file(row), by=None)
    assert result.ok, result.row_errors
    person = FocalPoint.objects.get()
    assert (person.language, person.gender, person.role) == ("sw", "female", "women_association")
    assert person.consent_at == dt.date(2024, 3, 15)
    assert person.age_band == "unknown"  # blank takes the model's default


def test_it_reads_latin1_with_semicolons(networks):
    text = (
        "nom;x\n".replace("nom;x", HEADER.replace(",", ";"))
        + 'Espérance Kavira;0991234567;;fr;female;;;Mbau;"can-oicha;can-mbau";;Déplacée\n'
    )
    result = focal_points_import(file=upload(text, "latin-1"), by=None)
    assert result.ok, result.row_errors
    person = FocalPoint.objects.get()
    assert person.name == "Espérance Kavira"
    assert person.notes == "Déplacée"
    assert person.memberships.count() == 2


def test_it_reads_utf8_with_a_byte_order_mark_and_loose_headings(networks):
    text = "\ufeffName;Phone;Home location\nFuraha;0991234567;Oïcha\n"
    result = focal_points_import(file=upload(text), by=None)
    assert result.ok, (result.file_errors, result.row_errors)
    assert FocalPoint.objects.get().home_location.name == "Oicha"


def test_it_names_missing_required_columns(networks):
    result = focal_points_import(file=upload("name,language\nFuraha,sw\n"), by=None)
    assert result.created == 0
    assert result.file_errors == [
        "Missing required column(s): phone. Expected columns: name, phone, phone_alt, language, "
        "gender, age_band, role, home_location, networks, consent_at, notes, discreet."
    ]


def test_it_refuses_empty_files_and_header_only_files(networks):
    assert focal_points_import(file=upload(""), by=None).file_errors == ["The file is empty."]
    assert focal_points_import(file=upload(HEADER + "\n"), by=None).file_errors == [
        "The file has a header but no focal points."
    ]


def test_it_refuses_oversize_files(networks):
    big = HEADER + "\n" + "x" * CSV_IMPORT_MAX_BYTES
    result = focal_points_import(file=upload(big), by=None)
    assert result.file_errors == ["The file is larger than 5 MB: split it into smaller files."]


def test_it_skips_blank_lines_and_counts_lines_as_a_spreadsheet_does(networks):
    rows = [GOOD_ROWS[0], "", '"Multi\nline",0990', GOOD_ROWS[2]]
    result = focal_points_import(file=csv_file(*rows), by=None)
    (error,) = result.row_errors
    assert error.line == 4


def test_it_warns_about_ignored_columns_but_imports(networks):
    result = focal_points_import(file=upload("name,phone,colour\nFuraha,0991234567,red\n"), by=None)
    assert result.ok
    assert result.warnings == ["Ignored column(s): colour."]


def test_it_reads_files_with_bare_carriage_returns(networks):
    text = "name,phone\rFuraha,0991234567\rBahati,0991234568\r"
    result = focal_points_import(file=upload(text), by=None)
    assert result.ok, (result.file_errors, result.row_errors)
    assert result.created == 2


def test_a_spreadsheet_saved_in_its_own_format_gets_a_clear_message(networks):
    xlsx = io.BytesIO(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb4\x9a\x81\xd6")
    result = focal_points_import(file=xlsx, by=None)
    assert result.created == 0
    assert result.file_errors[0].startswith("Missing required column(s): name, phone.")


def test_a_cell_too_long_for_csv_is_a_file_error_not_a_crash(networks):
    text = 'name,phone\n"' + "x" * 200_000 + '",0991234567\n'
    result = focal_points_import(file=upload(text), by=None)
    assert result.created == 0
    assert result.file_errors[0].startswith("The file is not a readable CSV file (line")
