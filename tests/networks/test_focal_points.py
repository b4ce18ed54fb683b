import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from core.crypto import lookup_hash
from networks.models import Equipment, FocalPoint
from networks.selectors import focal_point_by_phone, focal_point_list
from networks.services import focal_point_create, focal_point_set_phones, phones_normalise
from tests.factories import FocalPointFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_it_stores_the_number_in_e164_with_its_lookup_hash():
    person = focal_point_create(name="Kambale Muhindo", phone="0991234567")
    person.refresh_from_db()
    assert person.phone == "+243991234567"
    assert person.phone_hash == lookup_hash("+243991234567")


def test_it_refuses_the_same_number_written_another_way():
    focal_point_create(name="Kambale Muhindo", phone="+243 99 123 4567")
    with pytest.raises(ValidationError) as caught:
        focal_point_create(name="Masika Kahindo", phone="0991234567")
    assert caught.value.message_dict["phone"] == [
        "Another focal point already has the number +243991234567."
    ]
    assert FocalPoint.objects.count() == 1


def test_the_database_refuses_a_duplicate_phone_hash():
    first = FocalPointFactory()
    twin = FocalPoint(name="Twin", phone=first.phone, phone_hash=first.phone_hash)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_it_reports_phone_errors_on_their_own_field():
    person = FocalPoint(name="Bahati")
    with pytest.raises(ValidationError) as caught:
        focal_point_set_phones(focal_point=person, phone="0991234567", phone_alt="abc")
    assert set(caught.value.message_dict) == {"phone_alt"}


def test_it_refuses_a_second_phone_equal_to_the_main_one():
    with pytest.raises(ValidationError) as caught:
        focal_point_create(name="Bahati", phone="0991234567", phone_alt="+243991234567")
    assert "phone_alt" in caught.value.message_dict


def test_numbers_are_normalised_and_checked_without_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        numbers, errors = phones_normalise(phone="0991234567", phone_alt="")
        assert (numbers, errors) == ({"phone": "+243991234567", "phone_alt": ""}, {})
        numbers, errors = phones_normalise(phone="abc", phone_alt="+243 99 123 4567")
        assert numbers == {"phone": "", "phone_alt": "+243991234567"}
        assert set(errors) == {"phone"}
        _, errors = phones_normalise(phone="0991234567", phone_alt="+243991234567")
        assert errors["phone_alt"].code == "same_number"


def test_it_finds_a_focal_point_by_main_or_second_phone():
    person = focal_point_create(name="Furaha", phone="0991234567", phone_alt="0812345678")
    assert focal_point_by_phone("+243991234567") == person
    assert focal_point_by_phone("+243 81 234 5678") == person
    assert focal_point_by_phone("+243970000123") is None
    assert focal_point_by_phone("garbage") is None


def test_a_main_number_wins_over_someone_elses_second_phone():
    owner = focal_point_create(name="Safari", phone="0812345678")
    # Numbers shared this way were saved before sharing was refused; lookups still cope.
    other = focal_point_create(name="Amani", phone="0991234567")
    other.phone_alt, other.phone_alt_hash = owner.phone, owner.phone_hash
    other.save()
    assert focal_point_by_phone("0812345678") == owner


@pytest.mark.parametrize(
    ("existing", "new", "field"),
    [
        ({"phone": "0812345678"}, {"phone": "0991234567", "phone_alt": "0812345678"}, "phone_alt"),
        ({"phone": "0991234567", "phone_alt": "0812345678"}, {"phone": "0812345678"}, "phone"),
        (
            {"phone": "0991234567", "phone_alt": "0812345678"},
            {"phone": "0970001111", "phone_alt": "+243 81 234 5678"},
            "phone_alt",
        ),
    ],
)
def test_a_number_belongs_to_one_focal_point_whether_main_or_second(existing, new, field):
    focal_point_create(name="Safari", **existing)
    with pytest.raises(ValidationError) as caught:
        focal_point_create(name="Amani", **new)
    assert caught.value.message_dict == {
        field: ["Another focal point already has the number +243812345678."]
    }
    assert FocalPoint.objects.count() == 1


def test_a_focal_point_may_keep_its_own_numbers_when_edited():
    person = focal_point_create(name="Safari", phone="0991234567", phone_alt="0812345678")
    focal_point_set_phones(focal_point=person, phone="0812345678", phone_alt="0991234567")
    assert (person.phone, person.phone_alt) == ("+243812345678", "+243991234567")


def test_name_and_numbers_are_encrypted_at_rest():
    person = focal_point_create(
        name="Kavira Mapendo", phone="+243991234567", phone_alt="+243812345678"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, phone, phone_alt, phone_hash FROM networks_focalpoint WHERE id = %s",
            [person.pk],
        )
        row = cursor.fetchone()
    raw = " ".join(row)
    for secret in ("Kavira", "Mapendo", "991234567", "812345678"):
        assert secret not in raw
    assert FocalPoint.objects.get(pk=person.pk).name == "Kavira Mapendo"


def test_notes_about_a_person_are_encrypted_at_rest():
    person = focal_point_create(
        name="Kavira Mapendo", phone="+243991234567", notes="Sa soeur Neema: 0812345678"
    )
    sim = Equipment.objects.create(
        focal_point=person, kind="sim", given_on=dt.date(2025, 1, 1), notes="Ancienne 0971112233"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM networks_focalpoint WHERE id = %s", [person.pk])
        [person_notes] = cursor.fetchone()
        cursor.execute("SELECT notes FROM networks_equipment WHERE id = %s", [sim.pk])
        [sim_notes] = cursor.fetchone()
    for secret in ("Neema", "812345678", "971112233", "Ancienne"):
        assert secret not in person_notes + sim_notes
    assert FocalPoint.objects.get(pk=person.pk).notes == "Sa soeur Neema: 0812345678"
    assert Equipment.objects.get(pk=sim.pk).notes == "Ancienne 0971112233"


def test_its_string_form_never_shows_the_name():
    person = FocalPointFactory(name="Kavira Mapendo")
    assert "Kavira" not in str(person)
    assert str(person.pk) in str(person)


def test_the_list_brings_open_memberships_with_their_networks_in_one_more_query(
    django_assert_num_queries,
):
    current = MembershipFactory()
    MembershipFactory(focal_point=current.focal_point, left_on=dt.date(2024, 12, 31))
    with django_assert_num_queries(2):
        (person,) = focal_point_list()
        assert [m.network.code for m in person.open_memberships] == [current.network.code]
