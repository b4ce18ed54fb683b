"""Field visits: what the services accept and refuse, recruits, follow-ups, duplicate drafts."""

import datetime as dt
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from cla.models import FieldVisit, FollowUp, Recruitment, VisitEquipment
from cla.services import (
    EquipmentData,
    FollowUpData,
    RecruitData,
    field_visit_create,
    field_visit_update,
    follow_up_create,
    follow_up_mark_done,
)
from core.crypto import lookup_hash
from networks.models import Equipment, FocalPoint, Membership
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db


def test_a_visit_keeps_its_places_networks_counts_and_risks(visit_factory, gazetteer):
    network = NetworkFactory(area=[gazetteer["Mbau"]])
    visit = visit_factory(
        places=[gazetteer["Mbau"], gazetteer["Oicha"]],
        networks=[network],
        women_met=7,
        men_met=5,
        others_met=1,
        organisations_met="  Chefferie\nParoisse  ",
        categories=["armed_presence", "armed_presence", "displacement"],
        risk_factors=["RF1", "RF7"],
    )
    visit.refresh_from_db()
    assert set(visit.places.values_list("name", flat=True)) == {"Mbau", "Oicha"}
    assert list(visit.networks.all()) == [network]
    assert visit.people_met == 13
    assert visit.organisations_met == "Chefferie\nParoisse"
    assert visit.categories == ["armed_presence", "displacement"]
    assert visit.risk_factors == ["RF1", "RF7"]


@pytest.mark.parametrize("field", ["women_met", "men_met", "others_met"])
def test_it_refuses_a_negative_head_count(visit_factory, field):
    with pytest.raises(ValidationError) as caught:
        visit_factory(**{field: -1})
    assert field in caught.value.message_dict
    assert not FieldVisit.objects.exists()


def test_the_database_refuses_a_negative_head_count_too(visit_factory):
    visit = visit_factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FieldVisit.objects.filter(pk=visit.pk).update(men_met=-3)


@pytest.mark.parametrize(
    ("field", "value"),
    [("categories", ["gossip"]), ("risk_factors", ["RF15"]), ("risk_factors", ["rf1"])],
)
def test_it_refuses_unknown_risk_codes(visit_factory, field, value):
    with pytest.raises(ValidationError) as caught:
        visit_factory(**{field: value})
    assert field in caught.value.message_dict


def test_it_refuses_a_visit_without_places_or_in_the_future(visit_factory, today):
    with pytest.raises(ValidationError) as caught:
        visit_factory(places=[])
    assert "places" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        visit_factory(visited_on=today + dt.timedelta(days=1))
    assert "visited_on" in caught.value.message_dict


def test_a_follow_up_cannot_be_due_before_its_visit(visit_factory, today):
    with pytest.raises(ValidationError) as caught:
        visit_factory(
            visited_on=today - dt.timedelta(days=5),
            follow_ups=[FollowUpData(description="Call back", due_on=today - dt.timedelta(days=6))],
        )
    assert "due_on" in caught.value.message_dict
    assert not FieldVisit.objects.exists()  # nothing half-stored

    visit = visit_factory(
        visited_on=today - dt.timedelta(days=5),
        follow_ups=[FollowUpData(description="Call back", due_on=today - dt.timedelta(days=5))],
    )
    assert visit.follow_ups.get().due_on == today - dt.timedelta(days=5)
    with pytest.raises(ValidationError):
        follow_up_create(visit=visit, description="Too early", due_on=today - dt.timedelta(days=9))


def test_moving_a_visit_after_its_follow_ups_is_refused(visit_factory, cla_user, today):
    visit = visit_factory(
        visited_on=today - dt.timedelta(days=10),
        follow_ups=[FollowUpData(description="Bring SIMs", due_on=today - dt.timedelta(days=8))],
    )
    with pytest.raises(ValidationError) as caught:
        field_visit_update(visit=visit, by=cla_user, visited_on=today - dt.timedelta(days=2))
    assert "visited_on" in caught.value.message_dict


def test_marking_a_follow_up_done_twice_keeps_the_first_date(visit_factory, cla_user, today):
    visit = visit_factory(follow_ups=[FollowUpData(description="Bring SIMs", due_on=today)])
    follow_up = visit.follow_ups.get()
    first = follow_up_mark_done(follow_up=follow_up, by=cla_user).done_at
    again = follow_up_mark_done(follow_up=FollowUp.objects.get(pk=follow_up.pk), by=cla_user)
    assert again.done_at == first
    assert again.done_by == cla_user


def test_a_recruit_becomes_a_focal_point_with_a_normalised_phone_and_consent(
    visit_factory, gazetteer, cla_user, today
):
    network = NetworkFactory(area=[gazetteer["Mbau"]])
    visit = visit_factory(
        visited_on=today - dt.timedelta(days=2),
        recruits=[
            RecruitData(
                phone="0991 234 999",
                name="  Kahindo Masika ",
                consent=True,
                gender="female",
                language="sw",
                home_location=gazetteer["Mbau"],
                network=network,
                equipment=(
                    EquipmentData(kind="sim"),
                    EquipmentData(kind="airtime", amount=Decimal("5.00")),
                ),
            )
        ],
    )
    recruitment = visit.recruitments.get()
    focal_point = recruitment.focal_point
    assert recruitment.created is True
    assert focal_point.phone == "+243991234999"
    assert focal_point.phone_hash == lookup_hash("+243991234999")
    assert focal_point.name == "Kahindo Masika"
    assert focal_point.consent_at == today - dt.timedelta(days=2)
    assert focal_point.home_location == gazetteer["Mbau"]
    membership = Membership.objects.get(focal_point=focal_point)
    assert membership.network == network and membership.joined_on == visit.visited_on
    kit = Equipment.objects.filter(focal_point=focal_point).order_by("kind")
    assert [(e.kind, e.given_by, e.given_on) for e in kit] == [
        ("airtime", cla_user, visit.visited_on),
        ("sim", cla_user, visit.visited_on),
    ]
    assert VisitEquipment.objects.filter(visit=visit).count() == 2


def test_an_already_registered_phone_links_to_its_focal_point(visit_factory, focal_point):
    visit = visit_factory(
        recruits=[RecruitData(phone="+243 99 123 4567", name="Someone Else", consent=False)]
    )
    recruitment = visit.recruitments.get()
    assert recruitment.focal_point == focal_point
    assert recruitment.created is False
    assert FocalPoint.objects.count() == 1
    focal_point.refresh_from_db()
    assert focal_point.name == "Kavira Masika"  # the registered person is not renamed


def test_the_same_person_twice_in_one_visit_is_one_recruit(visit_factory):
    visit = visit_factory(
        recruits=[
            RecruitData(phone="0991234888", name="Amani Kambale", consent=True),
            RecruitData(phone="+243991234888", name="Amani Kambale", consent=True),
        ]
    )
    assert visit.recruitments.count() == 1
    assert FocalPoint.objects.count() == 1


@pytest.mark.parametrize(
    ("recruit", "field"),
    [
        (RecruitData(phone="0991234777", name="Amani", consent=False), "consent"),
        (RecruitData(phone="0991234777", name="", consent=True), "name"),
        (RecruitData(phone="12", name="Amani", consent=True), "phone"),
    ],
)
def test_a_new_recruit_needs_consent_a_name_and_a_real_number(visit_factory, recruit, field):
    with pytest.raises(ValidationError) as caught:
        visit_factory(recruits=[recruit])
    assert field in caught.value.message_dict
    assert not FieldVisit.objects.exists()
    assert not FocalPoint.objects.exists()


def test_airtime_without_an_amount_is_refused(visit_factory):
    recruit = RecruitData(
        phone="0991234666", name="Amani", consent=True, equipment=(EquipmentData(kind="airtime"),)
    )
    with pytest.raises(ValidationError):
        visit_factory(recruits=[recruit])
    assert not FocalPoint.objects.exists()


def test_the_same_draft_key_twice_stores_one_visit(cla_user, gazetteer, today):
    key = uuid.uuid4()
    arguments = {
        "cla": cla_user,
        "idempotency_key": key,
        "visited_on": today,
        "places": [gazetteer["Mbau"]],
        "recruits": [RecruitData(phone="0991234555", name="Amani", consent=True)],
        "follow_ups": [FollowUpData(description="Come back", due_on=today)],
        "alert_text": "Hommes armés vus à Mbau",
    }
    first, created = field_visit_create(**arguments)
    again, created_again = field_visit_create(**arguments)
    assert (created, created_again) == (True, False)
    assert again == first
    assert FieldVisit.objects.count() == 1
    assert Recruitment.objects.count() == 1
    assert FollowUp.objects.count() == 1
    assert first.alert_links.count() == 1


def test_another_cla_cannot_reuse_a_draft_key(visit_factory, other_cla, gazetteer, today):
    visit = visit_factory()
    with pytest.raises(ValidationError) as caught:
        field_visit_create(
            cla=other_cla,
            idempotency_key=visit.idempotency_key,
            visited_on=today,
            places=[gazetteer["Oicha"]],
        )
    assert "idempotency_key" in caught.value.message_dict
    assert FieldVisit.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sendings_of_one_draft_store_one_visit(cla_user, gazetteer, today):
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            barrier.wait(5)
            results.append(
                field_visit_create(
                    cla=cla_user,
                    idempotency_key=key,
                    visited_on=today,
                    places=[gazetteer["Mbau"]],
                    follow_ups=[FollowUpData(description="Come back", due_on=today)],
                )
            )
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(created for _visit, created in results) == [False, True]
    assert len({visit.pk for visit, _created in results}) == 1
    assert FieldVisit.objects.count() == 1
    assert FollowUp.objects.count() == 1
