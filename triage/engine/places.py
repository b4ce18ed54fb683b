"""Gazetteer matching: exact and alternate names, multi-word names, fuzzy spellings."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from .constants import FUZZY_MAX_LEN_DIFF, FUZZY_PLACE_CUTOFF, FUZZY_PLACE_MIN_LEN
from .normalise import Token, squeeze, term_tokens
from .types import Place

_EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class _Name:
    tokens: tuple[str, ...]
    squeezed: tuple[str, ...]
    spelling: str
    places: tuple[Place, ...]


@dataclass(slots=True)
class PlaceMatch:
    start: int
    end: int
    text: str
    name: _Name
    how: str
    score: float
    chosen: Place | None = None
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "normalised": " ".join(self.name.tokens),
            "gazetteer_name": self.name.spelling,
            "match": self.how,
            "score": round(self.score, 1),
            "candidates": [p.id for p in self.name.places],
            "place_id": self.chosen.id if self.chosen else None,
            "place": self.chosen.name if self.chosen else None,
            "rule": self.rule,
        }


class PlaceIndex:
    """Normalised place names, built once from the gazetteer and reused for every message."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places: tuple[Place, ...] = tuple(places)
        grouped: dict[tuple[str, ...], list[Place]] = defaultdict(list)
        spelling: dict[tuple[str, ...], str] = {}
        for place in self.places:
            for name in (place.name, *place.alternate_names):
                tokens = term_tokens(name)
                if tokens and place not in grouped[tokens]:
                    grouped[tokens].append(place)
                    spelling.setdefault(tokens, name)
        self._by_first: dict[str, list[_Name]] = defaultdict(list)
        self._by_first_squeezed: dict[str, list[_Name]] = defaultdict(list)
        self._fuzzy: dict[str, _Name] = {}
        for tokens, members in grouped.items():
            name = _Name(
                tokens, tuple(squeeze(t) for t in tokens), spelling[tokens], tuple(members)
            )
            self._by_first[tokens[0]].append(name)
            self._by_first_squeezed[name.squeezed[0]].append(name)
            if len(tokens) == 1 and len(tokens[0]) >= FUZZY_PLACE_MIN_LEN:
                self._fuzzy[tokens[0]] = name
        for table in (self._by_first, self._by_first_squeezed):
            for names in table.values():
                names.sort(key=lambda n: len(n.tokens), reverse=True)
        self._fuzzy_choices = list(self._fuzzy)
        # Every word of every name: spelling correction leaves these alone.
        self.words: frozenset[str] = frozenset(
            word for tokens in grouped for word in (*tokens, *(squeeze(t) for t in tokens))
        )

    def __len__(self) -> int:
        return len(self.places)

    def match_exact(
        self, tokens: list[Token], consumed: set[int], common_words: frozenset[str]
    ) -> list[PlaceMatch]:
        found: list[PlaceMatch] = []
        for tok in tokens:
            if tok.index in consumed:
                continue
            for table, key, squeezed in (
                (self._by_first, tok.norm, False),
                (self._by_first_squeezed, tok.squeezed, True),
            ):
                name = self._longest_at(tokens, tok.index, table.get(key, ()), squeezed, consumed)
                if name is None:
                    continue
                # A place called like an everyday word ("Sake", "Boga") counts only when the
                # writer capitalised it.
                if len(name.tokens) == 1 and tok.norm in common_words and not tok.capitalised:
                    break
                end = tok.index + len(name.tokens)
                text = " ".join(t.raw for t in tokens[tok.index : end])
                found.append(
                    PlaceMatch(
                        tok.index, end, text, name, "squeezed" if squeezed else "exact", 100.0
                    )
                )
                consumed.update(range(tok.index, end))
                break
        return found

    @staticmethod
    def _longest_at(
        tokens: list[Token], i: int, names: Sequence[_Name], squeezed: bool, consumed: set[int]
    ) -> _Name | None:
        for name in names:
            wanted = name.squeezed if squeezed else name.tokens
            if i + len(wanted) > len(tokens):
                continue
            span = tokens[i : i + len(wanted)]
            if any(t.index in consumed for t in span):
                continue
            if all(
                (t.squeezed if squeezed else t.norm) == w for t, w in zip(span, wanted, strict=True)
            ):
                return name
        return None

    def match_fuzzy(
        self, tokens: list[Token], consumed: set[int], protected: frozenset[str]
    ) -> list[PlaceMatch]:
        found: list[PlaceMatch] = []
        for tok in tokens:
            word = tok.norm
            if (
                tok.index in consumed
                or len(word) < FUZZY_PLACE_MIN_LEN
                or word in protected
                or not word.isalpha()
            ):
                continue
            hit = process.extractOne(
                word, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_PLACE_CUTOFF
            )
            if hit is None:
                continue
            choice, score, _ = hit
            if choice[0] != word[0] or abs(len(choice) - len(word)) > FUZZY_MAX_LEN_DIFF:
                continue
            found.append(
                PlaceMatch(
                    tok.index, tok.index + 1, tok.raw, self._fuzzy[choice], "fuzzy", float(score)
                )
            )
            consumed.add(tok.index)
        return found


def haversine_km(a: Place, b: Place) -> float:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return math.inf
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def resolve(match: PlaceMatch, home: Place | None) -> Place:
    """Pick one gazetteer entry for a name that several places share."""
    members = match.name.places
    if len(members) == 1:
        match.chosen, match.rule = members[0], "only entry with this name"
        return members[0]
    if home is not None:
        nearest = min(members, key=lambda p: haversine_km(p, home))
        if haversine_km(nearest, home) < math.inf:
            match.chosen = nearest
            match.rule = f"nearest of {len(members)} entries to the reporter's home"
            return nearest
    match.chosen, match.rule = members[0], f"first of {len(members)} entries (no home to compare)"
    return members[0]
