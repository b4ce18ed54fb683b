"""Threats against the person who reports: recognised in the four languages as priority 1,
and not when the text says it did not happen."""

import pytest

from core.taxonomy import CATEGORY_CODES
from triage.engine import analyse, has_priority1_evidence


@pytest.mark.parametrize(
    "text",
    [
        "On m'a menacé parce que je vous appelle",
        "Les miliciens savent que je vous appelle, ils me suivent depuis hier",
        "Ils ont pris mon téléphone et lu mes messages",
        "Wamenitishia kwa sababu ninawapigia simu",
        "Wanajua ninawapigia simu, wananifuatilia kila siku",
        "Babangisi ngai mpo nazali kobenga bino",
        "Bayebi ete nazali kobenga bino, bazali kolanda ngai",
        "They threatened me because I call you",
        "The militia took my phone, they know I call you",
    ],
)
def test_a_threat_against_the_reporter_is_priority_1_in_each_language(text, index):
    result = analyse(text, index)
    assert result.categories[0] == "threat_to_informant", result.explanation["categories"]
    assert result.priority == 1
    assert "RF13" in result.risk_factors
    assert has_priority1_evidence(text)  # sent to the urgent triage queue at intake


@pytest.mark.parametrize(
    "text",
    [
        "On ne m'a pas menacé, tout est calme",
        "Personne ne m'a menacé, tout est calme",
        "Hawajanitishia, hali ni shwari",
        "Babangisi ngai te, kimia",
        "Nobody threatened me, all calm",
    ],
)
def test_a_denied_threat_is_not_one(text, index):
    result = analyse(text, index)
    assert "threat_to_informant" not in result.categories
    assert result.priority == 4


def test_a_word_such_as_spy_alone_is_not_a_threat_to_the_reporter(index):
    result = analyse("ils traitent les Hema d'espions", index)
    assert "threat_to_informant" not in result.categories


def test_a_threat_to_the_reporter_comes_after_the_harm_done_to_others(index):
    result = analyse("Ils ont tué mon voisin et m'ont menacé parce que je vous appelle", index)
    assert result.categories[:2] == ["attack", "threat_to_informant"]


def test_the_category_is_in_the_one_taxonomy():
    assert "threat_to_informant" in CATEGORY_CODES
