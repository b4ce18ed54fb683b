"""The rules the database and the models hold, whatever code writes the rows."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from lpc import services
from lpc.models import ActionPoint, LPCMeeting, LPCMember

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["women_youth", "men_elders"])
def test_the_database_refuses_a_negative_head_count(meeting, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        LPCMeeting.objects.filter(pk=meeting.pk).update(**{field: -1})


def test_the_model_refuses_a_negative_or_absurd_head_count(oicha):
    meeting = LPCMeeting(lpc=oicha, held_on=dt.date(2025, 1, 5), women_adults=-2, men_youth=10**6)
    with pytest.raises(ValidationError) as caught:
        meeting.full_clean()
    assert {"women_adults", "men_youth"} <= set(caught.value.message_dict)


def test_attendance_adds_up_the_cells(meeting):
    assert meeting.attendance_total == 8
    assert meeting.attendance["women_youth"] == 3


def test_the_database_refuses_an_action_point_due_before_its_meeting(meeting):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPoint.objects.create(
            meeting=meeting,
            description="Trop tôt",
            opened_on=meeting.held_on,
            due_on=meeting.held_on - dt.timedelta(days=1),
        )


def test_the_model_refuses_an_action_point_due_before_its_meeting(meeting):
    point = ActionPoint(
        meeting=meeting,
        description="Trop tôt",
        opened_on=meeting.held_on,
        due_on=dt.date(2025, 10, 1),
    )
    with pytest.raises(ValidationError) as caught:
        point.full_clean()
    assert "due_on" in caught.value.message_dict


def test_an_action_point_due_on_the_meeting_day_is_fine(meeting):
    point = services.action_point_create(
        meeting=meeting, by=None, description="Le jour même", due_on=meeting.held_on
    )
    assert point.pk and point.opened_on == meeting.held_on


def test_the_database_refuses_done_without_a_date(meeting):
    point = meeting.action_points.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPoint.objects.filter(pk=point.pk).update(status="done", done_on=None)


def test_a_member_needs_no_group(oicha):
    member = services.lpc_member_create(lpc=oicha, by=None, name="Paluku Kambale", gender="male")
    assert member.group == ""


def test_a_community_must_be_named_and_only_for_the_community_group(oicha):
    with pytest.raises(ValidationError) as caught:
        services.lpc_member_create(lpc=oicha, by=None, name="Muhindo", group="community")
    assert "community_name" in caught.value.message_dict
    member = services.lpc_member_create(
        lpc=oicha, by=None, name="Muhindo", group="youth", community_name="Nande"
    )
    assert member.community_name == ""  # dropped: only a community group names one


def test_member_names_and_communities_are_encrypted_at_rest(oicha):
    services.lpc_member_create(
        lpc=oicha, by=None, name="Kahindo Furaha", group="community", community_name="Nande"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, community_name FROM {LPCMember._meta.db_table}")
        stored_name, stored_community = cursor.fetchone()
    assert "Kahindo" not in stored_name and "Nande" not in stored_community
    assert LPCMember.objects.get().name == "Kahindo Furaha"


def test_the_database_refuses_a_member_leaving_before_joining(oicha):
    with pytest.raises(IntegrityError), transaction.atomic():
        LPCMember.objects.create(
            lpc=oicha, name="X", joined_on=dt.date(2024, 5, 1), left_on=dt.date(2024, 4, 1)
        )


def test_risks_must_be_known_codes(oicha):
    meeting = LPCMeeting(
        lpc=oicha, held_on=dt.date(2025, 1, 5), categories=["war"], risk_factors=["RF15"]
    )
    with pytest.raises(ValidationError) as caught:
        meeting.full_clean()
    assert {"categories", "risk_factors"} <= set(caught.value.message_dict)


def test_str_never_shows_a_member_name(secretary):
    assert "Kavira" not in str(secretary)
