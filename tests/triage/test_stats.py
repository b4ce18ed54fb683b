"""The statistics, each against the hand-worked world of stats_support (see its docstring)."""

import datetime as dt

import pytest

from alerts.models import Alert
from dashboard import stats
from tests.triage.stats_support import WEEKS, build_world, local

pytestmark = pytest.mark.django_db

MIN = 60  # seconds


@pytest.fixture
def world():
    return build_world()


def minutes(value: float | None) -> float | None:
    return None if value is None else round(value / MIN, 3)


# --- Volumes -------------------------------------------------------------------------------------


def test_it_counts_alerts_per_week_and_category_with_the_empty_week(world):
    volumes = stats.alert_volumes(scope=world.scope())
    assert volumes.weeks == WEEKS
    assert [volumes.totals[w] for w in WEEKS] == [3, 0, 3, 2]
    nonzero = {
        week: {code: n for code, n in counts.items() if n}
        for week, counts in volumes.by_category.items()
    }
    assert nonzero == {
        WEEKS[0]: {"attack": 2, "displacement": 1, "armed_presence": 1},
        WEEKS[1]: {},
        WEEKS[2]: {"looting": 1, "hate_speech": 1, "": 1},  # "": not yet categorised
        WEEKS[3]: {"attack": 1, "other": 1},
    }


def test_it_counts_alerts_per_week_and_territory_whatever_the_depth_of_the_place(world):
    volumes = stats.alert_volumes(scope=world.scope())
    beni, lubero = world.beni.pk, world.lubero.pk
    assert volumes.by_territory == {
        WEEKS[0]: {beni: 2, lubero: 1},
        WEEKS[1]: {},
        WEEKS[2]: {beni: 1, None: 1, lubero: 1},  # A4 placed at the territory, A5 nowhere
        WEEKS[3]: {beni: 2},
    }


def test_it_counts_alerts_by_mechanism_and_corroboration(world):
    by_mechanism = stats.alert_volumes(scope=world.scope()).by_mechanism
    assert by_mechanism == {
        "can": {"": 2, "single_source": 0, "several_sources": 2, "several_mechanisms": 1},
        "lpc": {"": 0, "single_source": 1, "several_sources": 0, "several_mechanisms": 0},
        "cla": {"": 0, "single_source": 0, "several_sources": 0, "several_mechanisms": 1},
        "web": {"": 1, "single_source": 0, "several_sources": 0, "several_mechanisms": 0},
        "operator": {"": 0, "single_source": 0, "several_sources": 0, "several_mechanisms": 0},
        "town_hall": {"": 0, "single_source": 0, "several_sources": 0, "several_mechanisms": 0},
    }


def test_the_period_is_made_of_local_days_both_included(world):
    # A11 at 23:30 on the last day counts; A10 half an hour after midnight does not.
    alerts = stats.stats_alerts(scope=world.scope())
    assert sorted(alerts.values_list("pk", flat=True)) == sorted(
        world.alerts[k].pk for k in ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A11")
    )
    day = dt.date(2026, 3, 30)
    one_day = stats.stats_alerts(scope=world.scope(since=day, until=day))
    assert list(one_day.values_list("pk", flat=True)) == [world.alerts["A10"].pk]


def test_the_territory_and_network_filters_narrow_the_alerts(world):
    in_lubero = stats.alert_volumes(scope=world.scope(territory=world.lubero))
    assert [in_lubero.totals[w] for w in WEEKS] == [1, 0, 1, 0]  # A3, A6
    # Reporters who are members of Kasugho today: c (A3) and d (A6), whatever the place.
    kasugho = stats.alert_volumes(scope=world.scope(network=world.networks["kasugho"]))
    assert [kasugho.totals[w] for w in WEEKS] == [1, 0, 1, 0]
    in_beni = stats.alert_volumes(scope=world.scope(territory=world.beni))
    assert [in_beni.totals[w] for w in WEEKS] == [2, 0, 1, 2]


# --- Reaction times ------------------------------------------------------------------------------


def figures(reaction: stats.Reaction, measure: str) -> tuple:
    return (
        reaction.reached[measure],
        minutes(reaction.median[measure]),
        minutes(reaction.p90[measure]),
        reaction.never(measure),
    )


def test_reaction_times_take_median_and_90th_percentile_and_count_the_rest_apart(world):
    overall = stats.reaction_times(scope=world.scope()).overall
    assert overall.alerts == 8
    # acknowledged after 10, 20, 30, 40, 50 min; A4, A5 and A11 never: not zeros.
    assert figures(overall, "acknowledge") == (5, 30, 46, 3)
    # first reply after 20 (A1: the second reply does not count) and 60 min; no notices.
    assert figures(overall, "reply") == (2, 40, 56, 6)
    # closed after 2 h, 4 h and a day
    assert figures(overall, "close") == (3, 240, 1200, 5)


def test_reaction_times_per_priority(world):
    by_priority = stats.reaction_times(scope=world.scope()).by_priority
    assert figures(by_priority[1], "acknowledge") == (3, 20, 36, 0)
    assert figures(by_priority[2], "acknowledge") == (2, 40, 48, 0)
    assert figures(by_priority[3], "acknowledge") == (0, None, None, 1)
    assert figures(by_priority[4], "acknowledge") == (0, None, None, 1)
    assert figures(by_priority[None], "acknowledge") == (0, None, None, 1)


def test_reaction_times_per_network_of_the_reporter_today(world):
    by_network = stats.reaction_times(scope=world.scope()).by_network
    mbau, kasugho = world.networks["mbau"].pk, world.networks["kasugho"].pk
    # Mbau: A1, A2, A6 (d is in both networks) and A11 never acknowledged.
    assert (by_network[mbau].alerts, *figures(by_network[mbau], "acknowledge")) == (
        4, 3, 30, 46, 1,
    )  # fmt: skip
    assert figures(by_network[kasugho], "acknowledge") == (2, 35, 47, 0)  # A3, A6
    # No reporter, or one in no network: A4, A5, A7.
    assert (by_network[None].alerts, *figures(by_network[None], "acknowledge")) == (
        3, 1, 40, 40, 2,
    )  # fmt: skip
    assert set(by_network) == {mbau, kasugho, None}


def test_reaction_times_per_month_include_months_without_alerts(world):
    # A9 (20 February, acknowledged after 15 minutes) joins; January has nothing.
    reactions = stats.reaction_times(scope=world.scope(since=dt.date(2026, 1, 15)))
    january, february, march = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
    assert reactions.months == [january, february, march]
    assert reactions.by_month[january].alerts == 0
    assert figures(reactions.by_month[january], "acknowledge") == (0, None, None, 0)
    assert figures(reactions.by_month[february], "acknowledge") == (1, 15, 15, 0)
    assert figures(reactions.by_month[march], "acknowledge") == (5, 30, 46, 3)


def test_a_month_is_counted_in_local_time(world):
    # 1 March 01:00 in Lubumbashi is still 28 February in UTC: it belongs to March.
    Alert.objects.create(source="web", received_at=local(1, 1), acknowledged_at=local(1, 2))
    reactions = stats.reaction_times(scope=world.scope(since=dt.date(2026, 2, 25)))
    assert reactions.by_month[dt.date(2026, 3, 1)].alerts == 9
    assert reactions.by_month[dt.date(2026, 2, 1)].alerts == 0


def test_percentile_cont_interpolates_like_postgresql():
    assert stats.percentile_cont([], 0.5) is None
    assert stats.percentile_cont([7.0], 0.9) == 7.0
    assert stats.percentile_cont([40.0, 10.0, 30.0, 20.0], 0.5) == 25.0
    assert stats.percentile_cont([10.0, 20.0, 30.0, 40.0], 0.9) == pytest.approx(37.0)


# --- Silent networks and inclusion ---------------------------------------------------------------


def people(p: stats.People) -> tuple:
    return (p.total, p.women, p.youth, p.silent)


def test_silent_networks_and_focal_points(world):
    figures = stats.network_figures(scope=world.scope())
    n = world.networks
    assert [network.name for network in figures.networks] == [
        "CAN Empty",
        "CAN Kasugho",
        "CAN Mbau",
        "CAN Quiet",
    ]  # fmt: skip  (closed networks are left out)
    members = {pk: p.total for pk, p in figures.members.items()}
    silent = {pk: p.silent for pk, p in figures.members.items()}
    # Active current members only: f is inactive, g left Mbau; d counts in both networks.
    assert members == {n["mbau"].pk: 3, n["kasugho"].pk: 3, n["quiet"].pk: 1}
    assert n["empty"].pk not in figures.members  # no members at all
    assert silent == {n["mbau"].pk: 0, n["kasugho"].pk: 1, n["quiet"].pk: 1}  # h; i
    assert figures.show_unattached
    assert (figures.unattached.total, figures.unattached.silent) == (2, 1)  # e heard, g not
    assert (figures.all_members.total, figures.all_members.silent) == (8, 3)


def test_an_alert_that_was_dismissed_does_not_make_a_focal_point_heard_from(world):
    # Without her keyword SMS, e (whose only alert was dismissed) would be silent.
    world.people["e"].messages.all().delete()
    figures = stats.network_figures(scope=world.scope())
    assert (figures.unattached.total, figures.unattached.silent) == (2, 2)


def test_the_silent_window_ends_with_the_period(world):
    # Up to 15 January, h's SMS of the 10th is within the 30 days; nobody else wrote yet.
    figures = stats.network_figures(scope=world.scope(until=dt.date(2026, 1, 15)))
    assert figures.members[world.networks["kasugho"].pk].silent == 2  # c, d
    assert figures.all_members.silent == 7


def test_inclusion_of_women_and_youth_among_focal_points_and_senders(world):
    figures = stats.network_figures(scope=world.scope())
    n = world.networks
    members = {pk: people(p) for pk, p in figures.members.items()}
    assert members[n["mbau"].pk][:3] == (3, 1, 1)  # a (woman, 18–24), b, d
    assert members[n["kasugho"].pk][:3] == (3, 2, 1)  # c (woman, 25–34), d, h (woman, 65+)
    assert members[n["quiet"].pk][:3] == (1, 0, 1)  # i, 25–34
    assert people(figures.unattached)[:3] == (2, 1, 1)  # e (woman), g (18–24)
    assert people(figures.all_members)[:3] == (8, 4, 4)
    assert figures.all_members.share(figures.all_members.women) == 50.0

    # Senders in March: a, b, c, d (e's only alert was dismissed).
    senders = {pk: people(p)[:3] for pk, p in figures.senders.items()}
    assert senders == {n["mbau"].pk: (3, 1, 1), n["kasugho"].pk: (2, 1, 1)}
    assert people(figures.all_senders)[:3] == (4, 2, 2)
    assert people(figures.unattached_senders)[:3] == (0, 0, 0)


def test_a_group_without_anyone_has_no_share():
    assert stats.People().share(0) is None
    assert stats.People(total=3, women=1).share(1) == pytest.approx(33.333, abs=1e-3)


def test_network_figures_follow_the_territory_and_the_network(world):
    in_lubero = stats.network_figures(scope=world.scope(territory=world.lubero))
    assert [n.name for n in in_lubero.networks] == ["CAN Kasugho"]
    # nobody in no network lives in Lubero (everyone's home is Mbau)
    assert in_lubero.unattached.total == 0
    assert in_lubero.all_members.total == 3

    one = stats.network_figures(scope=world.scope(network=world.networks["quiet"]))
    assert [n.name for n in one.networks] == ["CAN Quiet"]
    assert not one.show_unattached
    assert (one.all_members.total, one.all_members.silent) == (1, 1)
    assert one.all_senders.total == 0
