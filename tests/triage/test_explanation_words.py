"""The engine's reasons are shown in the reader's language."""

import pytest
from django.utils import translation

from dashboard.explanations import RULES, rule_in_words
from networks.models import Location
from triage.engine import analyse
from triage.services import place_index

SAMPLES = [
    "3 exclamation marks count as urgency",
    "keypad hint adds 2 to attack",
    "no category reached the minimum score: other",
    "harm done (attack) outranks context categories as the main one",
    "attack happening now: 1",
    "armed men entering or people in danger: 1",
    "threat-to-life words or casualties: 1 (when in doubt, 1)",
    "greeting, test, thanks or request: not an alert",
    "plea without details: call back",
    "not understood: read it",
    "events negated or denied: not an alert",
    "events the text names are denied: not counted",
    "denial ignored: urgency or a plea in the same text",
    "a word that may be a cry for help, alone: a plea",
    "low reliability never demotes a text not understood",
    "reporter reliability 0.2 < 0.4: one level down",
    "low reliability never demotes a threat to life",
    "missed call: priority 2 until called back",
    "first place named in the text",
    "first place named in the text (lowercase fuzzy matches skipped for an exact name)",
    "no place named: reporter's home",
    "no place named and no home known",
    "nearest of 2 entries to the reporter's home",
    "first of 3 entries (no home to compare)",
    "fr and sw too close",
    "too few recognised words",
    "only entry with this name",
    "most recognised words (fr), lead of 2.5",
]


@pytest.mark.parametrize("rule", SAMPLES)
def test_every_kind_of_rule_reads_in_french(rule):
    with translation.override("fr"):
        text, translated = rule_in_words(rule)
    assert translated, rule
    assert text != rule


def test_each_pattern_has_a_sample():
    for known in RULES:
        assert any(known.pattern.match(sample) for sample in SAMPLES), known.pattern.pattern


def test_codes_inside_a_rule_become_words():
    with translation.override("fr"):
        assert (
            "Attaque" in rule_in_words("attack happening now: 1")[0]
            or "attaque" in (rule_in_words("attack happening now: 1")[0])
        )
        assert "français" in rule_in_words("most recognised words (fr), lead of 2")[0]


def test_an_unknown_rule_is_shown_as_written():
    assert rule_in_words("a rule from a newer engine") == ("a rule from a newer engine", False)


def test_the_engine_writes_no_rule_that_no_pattern_knows(db):
    beni = Location.objects.create(name="Beni", kind="territory")
    Location.objects.create(name="Mbau", kind="village", parent=beni)
    texts = [
        "Des hommes armés tirent maintenant à Mbau !!!",
        "Bonjour merci",
        "Watu wenye silaha wameingia Mbau sasa hivi",
        "vol de chèvres",
        "Mbau",
        "Aide !",
        "Tika",
        "kibokoyo",
        "Uvumi wa shambulio Mbau ni uongo",
        "C'est faux, ils tirent encore maintenant à Mbau",
    ]
    for text in texts:
        analysis = analyse(text, place_index(), reporter_reliability=0.1)
        for section in analysis.explanation.values():
            if not isinstance(section, dict):
                continue
            rules = section.get("rules", []) + ([section["rule"]] if section.get("rule") else [])
            for rule in rules:
                assert rule_in_words(rule)[1], rule
