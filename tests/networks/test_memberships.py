import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from networks.models import Membership
from networks.services import membership_end, membership_record, membership_start
from tests.factories import FocalPointFactory, MembershipFactory, NetworkFactory

pytestmark = pytest.mark.django_db


def test_ending_a_membership_keeps_the_row():
    membership = MembershipFactory(joined_on=dt.date(2024, 1, 1))
    membership_end(membership=membership, left_on=dt.date(2025, 6, 30), reason="Moved to Goma")
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2025, 6, 30)
    assert membership.left_reason == "Moved to Goma"
    assert not membership.is_open
    assert Membership.objects.count() == 1


def test_rejoining_makes_a_second_row():
    person, network = FocalPointFactory(), NetworkFactory()
    first = membership_start(focal_point=person, network=network, joined_on=dt.date(2023, 1, 1))
    membership_end(membership=first, left_on=dt.date(2023, 12, 31))
    second = membership_start(focal_point=person, network=network, joined_on=dt.date(2024, 3, 1))
    assert second.pk != first.pk
    assert list(person.memberships.values_list("joined_on", "left_on")) == [
        (dt.date(2024, 3, 1), None),
        (dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    ]


def test_joining_a_network_one_is_in_returns_the_open_membership():
    membership = MembershipFactory()
    again = membership_start(focal_point=membership.focal_point, network=membership.network)
    assert again == membership


def test_it_cannot_end_before_joining():
    membership = MembershipFactory(joined_on=dt.date(2024, 5, 1))
    with pytest.raises(ValidationError) as caught:
        membership_end(membership=membership, left_on=dt.date(2024, 4, 30))
    assert caught.value.message_dict["left_on"] == [
        "A membership cannot end before it started (2024-05-01)."
    ]
    membership.refresh_from_db()
    assert membership.left_on is None


def test_the_database_allows_one_open_membership_per_network():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            focal_point=membership.focal_point,
            network=membership.network,
            joined_on=dt.date(2025, 1, 1),
        )


def test_the_database_refuses_leaving_before_joining():
    membership = MembershipFactory(joined_on=dt.date(2024, 5, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(left_on=dt.date(2024, 1, 1))


def test_recording_a_past_membership_leaves_the_current_one_alone():
    current = MembershipFactory(joined_on=dt.date(2023, 3, 1))
    past = membership_record(
        focal_point=current.focal_point,
        network=current.network,
        joined_on=dt.date(2020, 1, 1),
        left_on=dt.date(2022, 12, 31),
        reason="Moved to Goma",
    )
    assert past.pk != current.pk
    current.refresh_from_db()
    assert (current.joined_on, current.left_on, current.left_reason) == (
        dt.date(2023, 3, 1),
        None,
        "",
    )
    past.refresh_from_db()
    assert (past.left_on, past.left_reason) == (dt.date(2022, 12, 31), "Moved to Goma")


@pytest.mark.parametrize(
    ("joined_on", "left_on"),
    [
        (dt.date(2020, 1, 1), dt.date(2024, 1, 1)),  # runs into the current membership
        (dt.date(2024, 6, 1), dt.date(2024, 7, 1)),  # lies inside it
        (dt.date(2025, 1, 1), None),  # a second open membership
    ],
)
def test_recording_a_period_overlapping_another_is_refused(joined_on, left_on):
    current = MembershipFactory(joined_on=dt.date(2023, 3, 1))
    with pytest.raises(ValidationError) as caught:
        membership_record(
            focal_point=current.focal_point,
            network=current.network,
            joined_on=joined_on,
            left_on=left_on,
        )
    assert caught.value.code == "overlap"
    assert Membership.objects.count() == 1


def test_recording_a_membership_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValidationError) as caught:
        membership_record(
            focal_point=FocalPointFactory(),
            network=NetworkFactory(),
            joined_on=dt.date(2024, 5, 1),
            left_on=dt.date(2024, 4, 30),
        )
    assert "left_on" in caught.value.message_dict
    assert Membership.objects.count() == 0
