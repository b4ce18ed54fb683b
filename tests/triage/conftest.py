from pathlib import Path

import pytest

from triage.engine import Place, PlaceIndex
from triage.engine.evaluate import read_gazetteer_csv

CORPUS = Path("/work/shared/corpus")
HERE = Path(__file__).resolve().parent
DEV_SET = CORPUS / "alerts-dev.jsonl"
HOLDOUT_SET = HERE / "data" / "alerts-holdout.jsonl"


@pytest.fixture(scope="session")
def places() -> list[Place]:
    return read_gazetteer_csv(CORPUS / "places.csv")


@pytest.fixture(scope="session")
def index(places) -> PlaceIndex:
    return PlaceIndex(places)


@pytest.fixture(scope="session")
def place_named(places):
    def find(name: str) -> Place:
        return next(p for p in places if p.name == name)

    return find
