"""Plain data the engine takes and returns: no Django, so the pipeline and tests share it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry, built by the caller from its own location rows."""

    id: int
    name: str
    alternate_names: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    territory: str | None = None
    province: str | None = None


@dataclass(slots=True)
class Analysis:
    """What triage decided about one message, and why (``explanation`` is JSON-serialisable)."""

    language: str
    categories: list[str]
    risk_factors: list[str]
    priority: int
    place: Place | None
    place_is_fallback: bool
    explanation: dict[str, Any] = field(default_factory=dict)
