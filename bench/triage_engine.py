"""Time ``triage.engine.analyse`` on the corpus gazetteer and on a synthetic 2,400-place one.

Run: ``.venv/bin/python bench/triage_engine.py``. Prints per-message timings (median, p95,
max) over the dev-set messages, the index build time, and accuracy with the large gazetteer
(where many invented names could steal matches from real ones).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage.engine import (  # noqa: E402
    Place,
    PlaceIndex,
    analyse,
    default_lexicon,
    has_priority1_evidence,
)
from triage.engine.evaluate import evaluate, read_gazetteer_csv, read_jsonl  # noqa: E402
from triage.engine.normalise import forget_words  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "tests" / "triage" / "data" / "alerts-dev.jsonl"
GAZETTEER = ROOT / "networks" / "data" / "places.csv"
SYNTHETIC_SIZE = 2400
ROUNDS = 20
SYLLABLES = (
    "ka ki ku ma mi mu ba bi bu nya nyi ga gi ru ri lu li to te se sa ngo nge mbo mba "
    "bwe kwa rwa shi sha tsi ndi nda wa we yo ze lo"
).split()


def synthetic_gazetteer(real: list[Place], size: int, seed: int = 7) -> list[Place]:
    """Real places plus invented Kivu-like names (2-4 syllables) scattered over the region."""
    rng = random.Random(seed)
    places = list(real)
    next_id = max(p.id for p in real) + 1
    while len(places) < size:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        alternates = (name.replace("k", "c", 1),) if rng.random() < 0.1 else ()
        places.append(
            Place(
                id=next_id,
                name=name,
                alternate_names=alternates,
                latitude=rng.uniform(-4.5, 3.0),
                longitude=rng.uniform(27.0, 31.0),
                territory=None,
                province=None,
            )
        )
        next_id += 1
    return places


def time_calls(texts: list[str], index: PlaceIndex) -> dict[str, float]:
    samples = []
    for _ in range(ROUNDS):
        for text in texts:
            start = time.perf_counter()
            analyse(text, index)
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[int(len(samples) * 0.95)], 3),
        "max_ms": round(samples[-1], 3),
        "calls": len(samples),
    }


def time_first_and_later_readings(texts: list[str]) -> dict[str, float]:
    """The urgent check (what every web process runs on every SMS) on each text read as if
    for the first time (the lexicon and the word forms remember nothing) and read again
    (its words remembered), alternating, in the same run: medians in microseconds."""
    lexicon = default_lexicon()
    first, later = [], []
    for _ in range(ROUNDS):
        for text in texts:
            lexicon.word_memo.clear()
            forget_words()
            start = time.perf_counter()
            has_priority1_evidence(text)
            first.append((time.perf_counter() - start) * 1e6)
            start = time.perf_counter()
            has_priority1_evidence(text)
            later.append((time.perf_counter() - start) * 1e6)
    return {
        "first_us": round(statistics.median(first), 1),
        "later_us": round(statistics.median(later), 1),
        "later_over_first": round(statistics.median(later) / statistics.median(first), 2),
    }


def main() -> None:
    start = time.perf_counter()
    default_lexicon()
    print(f"lexicon load + compile: {(time.perf_counter() - start) * 1000:.1f} ms (once)")

    rows = read_jsonl(DEV_SET)
    texts = [r["text"] for r in rows]
    print(f"urgent check per text: {json.dumps(time_first_and_later_readings(texts))}")
    real = read_gazetteer_csv(GAZETTEER)
    for label, places in (
        (f"{len(real)} places", real),
        (f"{SYNTHETIC_SIZE} places", synthetic_gazetteer(real, SYNTHETIC_SIZE)),
    ):
        start = time.perf_counter()
        index = PlaceIndex(places)
        build_ms = (time.perf_counter() - start) * 1000
        timings = time_calls(texts, index)
        report = evaluate(rows, index)
        report.pop("misses")
        accuracy = {k: round(v, 3) for k, v in report.items()}
        print(f"{label}: index build {build_ms:.1f} ms; analyse {json.dumps(timings)}")
        print(f"{label}: dev-set accuracy {json.dumps(accuracy)}")


if __name__ == "__main__":
    main()
