"""SMS spellings brought back to lexicon words: a sound key, then a bounded edit distance.

Focal points write as they speak and as the keypad allows: ``kidnaper``, ``masacre``,
``blesser`` for ``blessé``, ``atak``. Each lexicon word gets a sound key (``qu``/``c`` -> ``k``,
soft ``c`` -> ``s``, doubled letters once, final ``er``/``ez`` -> ``e``, final ``s``/``x``
dropped). A message word whose key is a lexicon word's key is that word; otherwise it may be
a few dropped or added letters away (a changed letter counts twice), never under
``FUZZY_MIN_LEN`` letters and never across its first letter.
Everything is built once per lexicon; a word costs a dictionary look-up and, at most, one
rapidfuzz pass over the lexicon words that share its first letter.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .constants import FUZZY_DISTANCES, FUZZY_MIN_LEN, SOUND_KEY_MIN_LEN

_SOUND_RULES = (
    (re.compile(r"qu|ck|q"), "k"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"([a-z])\1+"), r"\1"),
    (re.compile(r"(?<=[a-z]{3})(er|ez)$"), "e"),
    (re.compile(r"(?<=[a-z]{3})[sx]$"), ""),
)


# Insertions and deletions cost 1, a substitution 2: a dropped or doubled letter is how SMS
# spelling goes wrong ("blese", "attak"); a changed letter makes another word ("monte" is not
# "morte"). Sounds spelt differently are already met by the sound key.
_WEIGHTS = (1, 1, 2)


@lru_cache(maxsize=8192)
def sound_key(word: str) -> str:
    """``"kidnappés"`` and ``"kidnaper"`` share the key ``"kidnape"``."""
    for pattern, replacement in _SOUND_RULES:
        word = pattern.sub(replacement, word)
    return word


def max_distance(length: int) -> int:
    """Edits allowed for a word of this many letters (0 for short words)."""
    allowed = 0
    for min_length, distance in FUZZY_DISTANCES:
        if length >= min_length:
            allowed = distance
    return allowed


@dataclass(frozen=True, slots=True)
class Correction:
    word: str
    how: str  # "sound" (same key) or "fuzzy" (a few edits away)
    score: float  # rapidfuzz ratio between the written word and the lexicon word


class Speller:
    """Lexicon words by sound key, bucketed by first letter for the fuzzy pass."""

    def __init__(self, words: Iterable[str]) -> None:
        self.by_key: dict[str, str] = {}
        buckets: dict[str, list[str]] = defaultdict(list)
        for word in sorted(set(words)):
            if len(word) < SOUND_KEY_MIN_LEN or not word.isalpha():
                continue
            key = sound_key(word)
            if key not in self.by_key:
                self.by_key[key] = word
                buckets[key[0]].append(key)
        self.buckets = dict(buckets)

    def correct(self, word: str) -> Correction | None:
        if len(word) < SOUND_KEY_MIN_LEN or not word.isalpha():
            return None
        key = sound_key(word)
        found = self.by_key.get(key)
        if found is not None:
            return Correction(found, "sound", fuzz.ratio(word, found))
        limit = max_distance(len(word))
        if limit == 0 or len(word) < FUZZY_MIN_LEN:
            return None
        hit = process.extractOne(
            key,
            self.buckets.get(key[0], ()),
            scorer=Levenshtein.distance,
            scorer_kwargs={"weights": _WEIGHTS},
            score_cutoff=limit,
        )
        if hit is None:
            return None
        found = self.by_key[hit[0]]
        return Correction(found, "fuzzy", fuzz.ratio(word, found))
