from pathlib import Path

import pytest

from triage.engine import Place, PlaceIndex
from triage.engine.evaluate import read_gazetteer_csv

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# The gazetteer the product ships is the one the tests resolve places against.
GAZETTEER = ROOT / "networks" / "data" / "places.csv"
DEV_SET = HERE / "data" / "alerts-dev.jsonl"
HOLDOUT_SET = HERE / "data" / "alerts-holdout.jsonl"
FIELD_SET = HERE / "data" / "alerts-field.jsonl"


@pytest.fixture(scope="session")
def places() -> list[Place]:
    return read_gazetteer_csv(GAZETTEER)


@pytest.fixture(scope="session")
def index(places) -> PlaceIndex:
    return PlaceIndex(places)


@pytest.fixture(scope="session")
def place_named(places):
    def find(name: str) -> Place:
        return next(p for p in places if p.name == name)

    return find
