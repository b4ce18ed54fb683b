"""The engine's cheap first look for intake: does the text alone name a threat to life?"""

from pathlib import Path

import pytest

from triage.engine import analyse, has_priority1_evidence
from triage.engine.evaluate import read_jsonl

DATA = Path(__file__).parent / "data"
LABELLED = [row for path in sorted(DATA.glob("*.jsonl")) for row in read_jsonl(path)]


@pytest.mark.parametrize(
    "text",
    [
        "Ils tirent sur la population à Mbau, trois morts",
        "4 corps retrouvés sur la route Oicha-Eringeti ce matin",
        "Wanaua watu, tusaidie",
        "ns sommes attake mnt a Mbau svp intervenez",
        "Acha!",  # a plea alone
    ],
)
def test_killings_shooting_bodies_and_pleas_are_priority1_evidence(text):
    assert has_priority1_evidence(text)


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, merci pour le crédit",
        "Pas de coups de feu à Beni, tout est calme",
        "c'est faux, personne n'a été tué",
        "Hommes armés vus près de Mbau hier",  # priority 2: no threat to life now
        "",
    ],
)
def test_greetings_denials_and_lesser_reports_are_not(text):
    assert not has_priority1_evidence(text)


def test_it_agrees_with_the_full_analysis_on_every_labelled_line():
    disagree = [
        row["text"]
        for row in LABELLED
        if has_priority1_evidence(row["text"]) != (analyse(row["text"], []).priority == 1)
    ]
    assert disagree == []
    assert sum(row["priority"] == 1 for row in LABELLED) > 100  # the sets hold enough of them
