"""Recording meetings, members and action points through the services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lpc import services
from lpc.models import ActionPoint

pytestmark = pytest.mark.django_db


def test_a_meeting_is_recorded_with_attendance_members_and_action_points(meeting, secretary):
    assert meeting.recorded_by is None
    assert list(meeting.members_present.all()) == [secretary]
    point = meeting.action_points.get()
    assert (point.opened_on, point.due_on, point.status) == (
        dt.date(2025, 10, 4),
        dt.date(2025, 10, 18),
        "open",
    )
    assert point.owner == "Président"


def test_it_refuses_an_action_point_due_before_the_meeting_and_saves_nothing(oicha):
    with pytest.raises(ValidationError) as caught:
        services.lpc_meeting_create(
            lpc=oicha,
            by=None,
            held_on=dt.date(2025, 10, 4),
            action_points=[
                services.ActionPointInput(description="Trop tôt", due_on=dt.date(2025, 10, 3))
            ],
        )
    assert "action_points" in caught.value.message_dict
    assert not oicha.meetings.exists()


def test_it_refuses_members_of_another_committee(oicha, kitshanga):
    stranger = services.lpc_member_create(lpc=kitshanga, by=None, name="Ngabo")
    with pytest.raises(ValidationError) as caught:
        services.lpc_meeting_create(
            lpc=oicha, by=None, held_on=dt.date(2025, 3, 1), members_present=[stranger]
        )
    assert "members_present" in caught.value.message_dict


def test_it_refuses_a_member_present_after_leaving(oicha):
    gone = services.lpc_member_create(
        lpc=oicha, by=None, name="Sifa", joined_on=dt.date(2020, 1, 1), left_on=dt.date(2024, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.lpc_meeting_create(
            lpc=oicha, by=None, held_on=dt.date(2025, 3, 1), members_present=[gone]
        )


def test_it_refuses_a_second_meeting_the_same_day(meeting):
    with pytest.raises(ValidationError) as caught:
        services.lpc_meeting_create(lpc=meeting.lpc, by=None, held_on=meeting.held_on)
    assert caught.value.message_dict["held_on"] == [
        "This committee already has a meeting recorded on that day."
    ]


def test_it_refuses_a_meeting_in_the_future(oicha):
    with pytest.raises(ValidationError) as caught:
        services.lpc_meeting_create(
            lpc=oicha, by=None, held_on=timezone.localdate() + dt.timedelta(days=1)
        )
    assert "held_on" in caught.value.message_dict


def test_moving_a_meeting_moves_its_action_points_with_it(meeting):
    services.lpc_meeting_update(meeting=meeting, by=None, held_on=dt.date(2025, 10, 10))
    assert meeting.action_points.get().opened_on == dt.date(2025, 10, 10)


def test_moving_a_meeting_past_an_action_point_due_date_is_refused(meeting):
    with pytest.raises(ValidationError) as caught:
        services.lpc_meeting_update(meeting=meeting, by=None, held_on=dt.date(2025, 10, 20))
    assert "held_on" in caught.value.message_dict
    meeting.refresh_from_db()
    assert meeting.held_on == dt.date(2025, 10, 4)


def test_an_update_changes_listed_action_points_and_adds_new_ones(meeting):
    point = meeting.action_points.get()
    services.lpc_meeting_update(
        meeting=meeting,
        by=None,
        action_points=[
            services.ActionPointInput(
                description=point.description,
                due_on=point.due_on,
                status="dropped",
                action_point=point,
            ),
            services.ActionPointInput(description="Nouvelle", due_on=dt.date(2025, 11, 1)),
        ],
    )
    assert sorted(meeting.action_points.values_list("description", "status")) == [
        ("Informer le chef de groupement", "dropped"),
        ("Nouvelle", "open"),
    ]


def test_marking_an_action_point_done_records_today_and_reopening_clears_it(meeting):
    point = meeting.action_points.get()
    services.action_point_update(action_point=point, by=None, status="done", follow_up="Fait")
    point.refresh_from_db()
    assert point.done_on == timezone.localdate() and point.follow_up == "Fait"
    services.action_point_update(action_point=point, by=None, status="open")
    point.refresh_from_db()
    assert point.done_on is None


def test_an_action_point_cannot_be_done_before_its_meeting(meeting):
    point = meeting.action_points.get()
    with pytest.raises(ValidationError) as caught:
        services.action_point_update(
            action_point=point, by=None, status="done", done_on=dt.date(2025, 9, 1)
        )
    assert "done_on" in caught.value.message_dict
    assert ActionPoint.objects.get(pk=point.pk).status == "open"


def test_an_action_point_due_date_cannot_move_before_its_meeting(meeting):
    point = meeting.action_points.get()
    with pytest.raises(ValidationError) as caught:
        services.action_point_update(action_point=point, by=None, due_on=dt.date(2025, 1, 1))
    assert "due_on" in caught.value.message_dict


def test_the_alert_draft_names_the_committee_the_place_and_the_risks(meeting):
    text = services.meeting_alert_text(meeting=meeting)
    assert "CLP Oicha" in text and "Oicha" in text and "Armed presence" in text
