"""The representation report against a small committee built by hand."""

import datetime as dt

import pytest

from lpc import services
from lpc.representation import lpc_representation, representation_as_dict

pytestmark = pytest.mark.django_db

JOINED = dt.date(2024, 1, 1)
TODAY = dt.date(2025, 4, 30)


@pytest.fixture
def committee(oicha):
    def member(name, gender, band, group="", community="", left_on=None):
        return services.lpc_member_create(
            lpc=oicha,
            by=None,
            name=name,
            gender=gender,
            age_band=band,
            group=group,
            community_name=community,
            joined_on=JOINED,
            left_on=left_on,
        )

    a = member("Kavira", "female", "25-34", "women")
    b = member("Paluku", "male", "50-64", "elders")
    c = member("Baraka", "male", "18-24", "youth", left_on=dt.date(2025, 2, 15))
    member("Sifa", "female", "35-49", "disability")  # never comes
    e = member("Kambale", "male", "65+")
    member("Muhindo", "male", "35-49", "community", "Hunde")  # never comes
    g = member("Neema", "female", "35-49", "community", "Nande")

    def meeting(day, attendance, present):
        services.lpc_meeting_create(
            lpc=oicha, by=None, held_on=day, attendance=attendance, members_present=present
        )

    meeting(dt.date(2025, 1, 10), {"women_youth": 2, "men_adults": 3}, [a, b, c])
    meeting(dt.date(2025, 2, 20), {"women_adults": 4, "men_elders": 1}, [a, e])
    meeting(dt.date(2025, 4, 5), {"men_youth": 5}, [b, g])
    return oicha


def test_it_sums_each_quarter(committee):
    report = lpc_representation(lpc=committee, today=TODAY)
    assert [row.label for row in report.rows] == ["Q1 2025", "Q2 2025"]
    first, second = report.rows
    assert (first.meetings, first.attendance_total, first.women, first.women_share) == (
        2,
        10,
        6,
        60,
    )
    assert first.attendance["women_youth"] == 2 and first.attendance["men_elders"] == 1
    assert first.presences == 5
    assert dict(first.present_by_group) == {"women": 2, "elders": 1, "youth": 1, "": 1}
    assert dict(first.present_by_gender) == {"female": 2, "male": 3}
    assert (second.meetings, second.attendance_total, second.women_share) == (1, 5, 0)
    assert dict(second.present_by_group) == {"elders": 1, "community": 1}
    assert (report.totals.meetings, report.totals.attendance_total) == (3, 15)


def test_it_counts_the_committee_at_each_period_end(committee):
    first, second = lpc_representation(lpc=committee, today=TODAY).rows
    # Baraka left in February: six members at the end of March, three of them women.
    assert (first.members_at_end, first.women_members_at_end) == (6, 3)
    assert second.members_at_end == 6


def test_it_lists_the_current_members_by_gender_band_and_group(committee):
    report = lpc_representation(lpc=committee, today=TODAY)
    assert report.members == 6
    assert {f.code: f.count for f in report.members_by_gender} == {"female": 3, "male": 3}
    assert {f.code: f.count for f in report.members_by_group}["community"] == 2
    assert {f.code: f.count for f in report.members_by_band}["35-49"] == 3


def test_it_names_the_groups_never_present(committee):
    report = lpc_representation(lpc=committee, today=TODAY)
    never = {g.code: g.members for g in report.never_present}
    assert never == {"customary": 0, "religious": 0, "displaced": 0, "disability": 1}
    assert report.communities_never_present == ["Hunde"]


def test_by_month_it_shows_the_months_without_meetings(committee):
    report = lpc_representation(lpc=committee, period="month", today=TODAY)
    assert [(row.label, row.meetings) for row in report.rows] == [
        ("2025-01", 1),
        ("2025-02", 1),
        ("2025-03", 0),
        ("2025-04", 1),
    ]


def test_a_committee_without_meetings_has_an_empty_report(kitshanga):
    report = lpc_representation(lpc=kitshanga)
    assert report.rows == [] and report.totals.meetings == 0
    assert len(report.never_present) == 8  # every group


def test_as_data_it_leaves_community_names_out_unless_asked(committee):
    report = lpc_representation(lpc=committee, today=TODAY)
    assert "communities_never_present" not in representation_as_dict(report, with_communities=False)
    data = representation_as_dict(report, with_communities=True)
    assert data["communities_never_present"] == ["Hunde"]
    assert data["periods"][0]["members_present_by_group"]["none"] == 1
    assert {"group": "disability", "members": 1} in data["groups_never_present"]
