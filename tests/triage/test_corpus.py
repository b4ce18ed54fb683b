"""Whole labelled sets through the engine; floors are what it reaches minus a small margin."""

import pytest

from triage.engine.evaluate import evaluate, read_jsonl

from .conftest import DEV_SET, FIELD_SET, HOLDOUT_SET

FLOORS = {
    "category_accuracy": 0.93,
    "priority1_recall": 1.0,
    "priority_accuracy": 0.9,
    "place_accuracy": 0.95,
    "language_accuracy": 0.93,
}


@pytest.mark.parametrize("path", [DEV_SET, HOLDOUT_SET], ids=["dev", "holdout"])
def test_labelled_sets_stay_above_their_floors(path, index):
    report = evaluate(read_jsonl(path), index)
    below = {k: round(report[k], 3) for k, floor in FLOORS.items() if report[k] < floor}
    assert not below, (below, report["misses"])


def test_the_holdout_has_enough_lines_in_every_language():
    rows = read_jsonl(HOLDOUT_SET)
    assert len(rows) >= 40
    assert {r["language"] for r in rows} == {"fr", "sw", "ln", "en"}


# The thresholds the field set (SMS spellings, verb forms, pleas, denials, unreadable texts)
# must meet through the engine.
FIELD_FLOORS = {"priority1_recall": 1.0, "category_accuracy": 0.92, "place_accuracy": 0.95}


def test_the_field_set_meets_its_thresholds(index):
    rows = read_jsonl(FIELD_SET)
    assert len(rows) >= 150
    report = evaluate(rows, index)
    below = {k: round(report[k], 3) for k, floor in FIELD_FLOORS.items() if report[k] < floor}
    assert not below, (below, report["misses"])
