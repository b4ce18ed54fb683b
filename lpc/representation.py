"""The representation report of a committee: who sits on it and who comes, over time.

A read (selector): the committee's members by gender, age band and group; each period's
meetings with their head counts by gender and age band, the members present by gender, age
band and group, and the committee's size at the period's end; and the groups no member ever
came to a meeting for. Figures only: names never leave this module.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext

from networks.models import FocalPoint

from .constants import ATTENDANCE_BANDS, ATTENDANCE_FIELDS, ATTENDANCE_GENDERS
from .models import LPC, LPCMeeting, LPCMember

PERIODS = ("quarter", "month")
# Beyond this many periods only the latest are shown (five years of quarters or months).
MAX_PERIODS = 60
NO_GROUP = ""


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    count: int


@dataclass
class PeriodRow:
    start: dt.date
    end: dt.date
    label: str
    meetings: int = 0
    attendance: Counter = field(default_factory=Counter)  # attendance field -> head count
    presences: int = 0  # members present, summed over the period's meetings
    present_by_gender: Counter = field(default_factory=Counter)
    present_by_band: Counter = field(default_factory=Counter)
    present_by_group: Counter = field(default_factory=Counter)
    members_at_end: int = 0
    women_members_at_end: int = 0

    @property
    def attendance_total(self) -> int:
        return sum(self.attendance.values())

    def attendance_of(self, gender: str) -> int:
        return sum(n for f, n in self.attendance.items() if ATTENDANCE_FIELDS[f][0] == gender)

    @property
    def women(self) -> int:
        return self.attendance_of("women")

    @property
    def men(self) -> int:
        return self.attendance_of("men")

    @property
    def women_share(self) -> int | None:
        """Women among those counted, in whole per cent (None when nobody was counted)."""
        total = self.attendance_total
        return round(100 * self.women / total) if total else None

    def cells(self) -> list[int]:
        return [self.attendance[f] for f in ATTENDANCE_FIELDS]

    def groups(self, codes: list[str]) -> list[int]:
        return [self.present_by_group[code] for code in codes]


@dataclass
class NeverPresent:
    code: str
    label: str
    members: int  # current members representing it: 0 means it has no seat at all


@dataclass
class Representation:
    lpc: LPC
    period: str
    members: int
    members_by_gender: list[Figure]
    members_by_band: list[Figure]
    members_by_group: list[Figure]
    rows: list[PeriodRow]
    totals: PeriodRow
    group_codes: list[str]
    group_labels: list[str]
    never_present: list[NeverPresent]
    # Named communities with a member on the committee and nobody ever at a meeting. Names are
    # sensitive: shown only to those allowed to see the groups members represent.
    communities_never_present: list[str]
    truncated: bool = False

    @property
    def attendance_columns(self) -> list[str]:
        return [
            f"{gender_label} · {band_label}"
            for _gender, gender_label in ATTENDANCE_GENDERS
            for _band, band_label in ATTENDANCE_BANDS
        ]


def _period_start(day: dt.date, period: str) -> dt.date:
    if period == "month":
        return day.replace(day=1)
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_start(start: dt.date, period: str) -> dt.date:
    months = 1 if period == "month" else 3
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def _label(start: dt.date, period: str) -> str:
    if period == "month":
        return start.strftime("%Y-%m")
    return gettext("Q%(quarter)s %(year)s") % {
        "quarter": (start.month - 1) // 3 + 1,
        "year": start.year,
    }


def _figures(counts: Counter, choices) -> list[Figure]:
    return [Figure(code, str(label), counts[code]) for code, label in choices if counts[code]]


def _member_rows(lpc: LPC) -> list[tuple]:
    return list(
        LPCMember.objects.filter(lpc=lpc).values_list(
            "pk", "gender", "age_band", "group", "community_name", "joined_on", "left_on"
        )
    )


def _group_key(group: str) -> str:
    return group or NO_GROUP


def lpc_representation(
    *, lpc: LPC, period: str = "quarter", today: dt.date | None = None
) -> Representation:
    """The report for one committee, its meetings grouped by quarter or month."""
    if period not in PERIODS:
        period = "quarter"
    members = _member_rows(lpc)
    current = [m for m in members if m[6] is None]
    meetings = list(
        LPCMeeting.objects.filter(lpc=lpc)
        .order_by("held_on", "pk")
        .values("pk", "held_on", *ATTENDANCE_FIELDS)
    )
    presences = list(
        LPCMeeting.members_present.through.objects.filter(lpcmeeting__lpc=lpc).values_list(
            "lpcmeeting_id", "lpcmember_id"
        )
    )
    by_member = {m[0]: m for m in members}
    held_on = {m["pk"]: m["held_on"] for m in meetings}

    group_choices = [(NO_GROUP, gettext("No group given")), *LPCMember.Group.choices]
    rows: list[PeriodRow] = []
    truncated = False
    if meetings:
        last_day = max(meetings[-1]["held_on"], today or meetings[-1]["held_on"])
        start, stop = _period_start(meetings[0]["held_on"], period), last_day
        while start <= stop:
            following = _next_start(start, period)
            rows.append(PeriodRow(start, following - dt.timedelta(days=1), _label(start, period)))
            start = following
        if len(rows) > MAX_PERIODS:
            rows, truncated = rows[-MAX_PERIODS:], True
    row_of = {row.start: row for row in rows}

    totals = PeriodRow(rows[0].start if rows else dt.date.min, dt.date.max, gettext("All"))
    for meeting in meetings:
        row = row_of.get(_period_start(meeting["held_on"], period))
        for target in (row, totals) if row else (totals,):
            target.meetings += 1
            for name in ATTENDANCE_FIELDS:
                target.attendance[name] += meeting[name]
    present_groups: set[str] = set()
    present_communities: set[str] = set()
    for meeting_id, member_id in presences:
        _pk, gender, band, group, community, _joined, _left = by_member[member_id]
        present_groups.add(_group_key(group))
        if group == LPCMember.Group.COMMUNITY and community:
            present_communities.add(community.strip().casefold())
        row = row_of.get(_period_start(held_on[meeting_id], period))
        for target in (row, totals) if row else (totals,):
            target.presences += 1
            target.present_by_gender[gender] += 1
            target.present_by_band[band] += 1
            target.present_by_group[_group_key(group)] += 1
    for row in rows:
        on_board = [
            m
            for m in members
            if (m[5] is None or m[5] <= row.end) and (m[6] is None or m[6] > row.end)
        ]
        row.members_at_end = len(on_board)
        row.women_members_at_end = sum(1 for m in on_board if m[1] == FocalPoint.Gender.FEMALE)

    current_groups = Counter(_group_key(m[3]) for m in current)
    never_present = [
        NeverPresent(code, str(label), current_groups[code])
        for code, label in LPCMember.Group.choices
        if code not in present_groups
    ]
    communities = sorted(
        {
            m[4].strip()
            for m in current
            if m[3] == LPCMember.Group.COMMUNITY
            and m[4]
            and m[4].strip().casefold() not in present_communities
        }
    )
    return Representation(
        lpc=lpc,
        period=period,
        members=len(current),
        members_by_gender=_figures(Counter(m[1] for m in current), FocalPoint.Gender.choices),
        members_by_band=_figures(Counter(m[2] for m in current), FocalPoint.AgeBand.choices),
        members_by_group=_figures(current_groups, group_choices),
        rows=rows,
        totals=totals,
        group_codes=[code for code, _label in group_choices],
        group_labels=[str(label) for _code, label in group_choices],
        never_present=never_present,
        communities_never_present=communities,
        truncated=truncated,
    )


def representation_as_dict(report: Representation, *, with_communities: bool) -> dict:
    """The report as plain data for the API."""

    def figures(items: list[Figure]) -> dict[str, int]:
        return {f.code or "none": f.count for f in items}

    def row(r: PeriodRow) -> dict:
        return {
            "period": r.label,
            "start": r.start.isoformat() if r.start != dt.date.min else None,
            "end": r.end.isoformat() if r.end != dt.date.max else None,
            "meetings": r.meetings,
            "attendance": {name: r.attendance[name] for name in ATTENDANCE_FIELDS},
            "attendance_total": r.attendance_total,
            "women_share": r.women_share,
            "members_present": r.presences,
            "members_present_by_gender": dict(r.present_by_gender),
            "members_present_by_age_band": dict(r.present_by_band),
            "members_present_by_group": {
                (code or "none"): n for code, n in r.present_by_group.items()
            },
        }

    data = {
        "lpc": report.lpc.pk,
        "period": report.period,
        "members": report.members,
        "members_by_gender": figures(report.members_by_gender),
        "members_by_age_band": figures(report.members_by_band),
        "members_by_group": figures(report.members_by_group),
        "periods": [
            {
                **row(r),
                "members_at_end": r.members_at_end,
                "women_members_at_end": r.women_members_at_end,
            }
            for r in report.rows
        ],
        "totals": row(report.totals),
        "groups_never_present": [
            {"group": g.code, "members": g.members} for g in report.never_present
        ],
    }
    if with_communities:
        data["communities_never_present"] = report.communities_never_present
    return data
