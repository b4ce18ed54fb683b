"""Score the engine against labelled alerts (the corpus JSONL format), for tests and benches."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .analyse import analyse
from .places import PlaceIndex
from .types import Place


def read_gazetteer_csv(path: Path | str) -> list[Place]:
    """Places from the corpus CSV (province, territory, place, lat, lon, alternate names)."""
    places = []
    with open(path, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            alternates = tuple(a.strip() for a in (row.get("alternate_names") or "").split(";"))
            places.append(
                Place(
                    id=number,
                    name=row["place"].strip(),
                    alternate_names=tuple(a for a in alternates if a),
                    latitude=float(row["latitude"]) if row.get("latitude") else None,
                    longitude=float(row["longitude"]) if row.get("longitude") else None,
                    territory=row.get("territory") or None,
                    province=row.get("province") or None,
                )
            )
    return places


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(rows: Iterable[Mapping[str, Any]], index: PlaceIndex) -> dict[str, Any]:
    """The ``triage_report`` figures plus the lines the engine got wrong."""
    n = category_hits = priority_hits = language_hits = 0
    p1_total = p1_hits = place_total = place_hits = 0
    misses: list[dict[str, Any]] = []
    for row in rows:
        n += 1
        result = analyse(row["text"], index)
        got_place = result.place.name if result.place else None
        checks = {
            "category": row["categories"][0] in result.categories,
            "priority": result.priority == row["priority"],
            "language": result.language == row["language"],
            "place": row.get("place") is None or got_place == row["place"],
        }
        category_hits += checks["category"]
        priority_hits += checks["priority"]
        language_hits += checks["language"]
        if row["priority"] == 1:
            p1_total += 1
            p1_hits += result.priority == 1
        if row.get("place") is not None:
            place_total += 1
            place_hits += checks["place"]
        if not all(checks.values()):
            misses.append(
                {
                    "text": row["text"],
                    "wrong": [k for k, ok in checks.items() if not ok],
                    "expected": {
                        k: row.get(k) for k in ("language", "categories", "priority", "place")
                    },
                    "got": {
                        "language": result.language,
                        "categories": result.categories,
                        "priority": result.priority,
                        "place": got_place,
                    },
                }
            )
    return {
        "n": n,
        "category_accuracy": category_hits / n if n else 0.0,
        "priority1_recall": p1_hits / p1_total if p1_total else 1.0,
        "priority_accuracy": priority_hits / n if n else 0.0,
        "place_accuracy": place_hits / place_total if place_total else 1.0,
        "language_accuracy": language_hits / n if n else 0.0,
        "misses": misses,
    }
