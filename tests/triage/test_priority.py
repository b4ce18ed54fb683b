import pytest

from triage.engine import analyse


@pytest.mark.parametrize(
    "text",
    [
        "on tire a Beni",
        "Risasi zinasikika sasa hivi",
        "bazali kobeta masasi",
        "gunfire heard in the village",
        "3 morts ce matin",
        "watu wawili wamefariki",
        "ils ont enleve le chef",
        "maisons brulees cette nuit",
        "au secours!!",
        "tuko hatarini",
    ],
)
def test_threats_to_life_are_priority_one(text, index):
    assert analyse(text, index).priority == 1


def test_priority_one_wins_when_in_doubt(index):
    # Looting on its own is 2, but a casualty word anywhere makes it a threat to life.
    assert analyse("pillage du marche", index).priority == 2
    assert analyse("pillage du marche, un blesse", index).priority == 1


def test_armed_men_entering_now_is_priority_one(index):
    assert analyse("des hommes armes rodent autour du village", index).priority == 2
    assert analyse("des hommes armes rodent autour du village maintenant", index).priority == 1
    assert analyse("maadui wameingia kijijini", index).priority == 1


def test_exclamation_marks_count_as_urgency(index):
    assert analyse("Les gens fuient", index).priority == 2
    assert analyse("Les gens fuient!!!", index).priority == 1


def test_sexual_violence_after_the_fact_is_priority_two(index):
    assert analyse("une femme violee hier par des militaires", index).priority == 2


def test_land_disputes_are_priority_three(index):
    assert analyse("conflit foncier entre deux familles", index).priority == 3


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour",
        "merci pour la formation",
        "Habari, hii ni test tu",
        "Mbote na bino",
        "Pls send airtime",
        "when is the next meeting?",
    ],
)
def test_greetings_tests_and_requests_are_priority_four(text, index):
    result = analyse(text, index)
    assert (result.categories, result.priority) == (["other"], 4)


def test_low_reliability_lowers_a_non_urgent_alert_by_one_level(index):
    text = "Mouvement des ADF vers le village"
    assert analyse(text, index, reporter_reliability=0.9).priority == 2
    assert analyse(text, index, reporter_reliability=0.1).priority == 3


def test_low_reliability_never_demotes_priority_one(index):
    result = analyse("ils tirent sur la population", index, reporter_reliability=0.0)
    assert result.priority == 1
    assert any("never demotes" in r for r in result.explanation["priority"]["rules"])


def test_low_reliability_never_pushes_past_four(index):
    assert analyse("Bonjour", index, reporter_reliability=0.0).priority == 4


def test_it_counts_casualties(index):
    result = analyse("12 personnes tuees a Oicha", index)
    assert result.explanation["priority"]["casualties"] == [{"count": 12, "term": "tuees"}]
    assert "RF11" in result.risk_factors
