"""Lexicons as data: YAML files in ``triage/lexicons/`` plus admin-added rows, compiled once.

A file holds ``function_words``, ``abbreviations``, ``negators``, ``morphology`` (regexes that
only vote for the language) and ``entries``: groups of ``terms`` that share ``categories``
(code -> weight), ``risk_factors`` and ``signals`` (``life``, ``casualty``, ``urgent``,
``recent``, ``entry``, ``distress``, ``non_alert``, ``protected_site``, ``humanitarian``,
``state_actor``, ``mass``). A term is a word or phrase; a single word may carry a ``*`` at
either end to match a stem (``pill*``, ``*uawa``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .constants import CATEGORIES, LANGUAGES, MIN_PATTERN_CORE, RISK_FACTORS
from .normalise import fold, squeeze, term_tokens

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicons"
SHARED = "shared"
SIGNALS = frozenset(
    {
        "life",
        "casualty",
        "urgent",
        "recent",
        "entry",
        "distress",
        "non_alert",
        "protected_site",
        "humanitarian",
        "state_actor",
        "mass",
    }
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon term as written, with what it means."""

    term: str
    language: str
    categories: Mapping[str, float]
    risk_factors: tuple[str, ...]
    signals: frozenset[str]
    source: str


@dataclass(slots=True)
class Term:
    """Entries sharing the same normalised form, merged (max weight, union of the rest)."""

    tokens: tuple[str, ...]
    entries: list[Entry] = field(default_factory=list)

    @property
    def squeezed(self) -> tuple[str, ...]:
        return tuple(squeeze(t) for t in self.tokens)

    @property
    def categories(self) -> dict[str, float]:
        merged: dict[str, float] = {}
        for entry in self.entries:
            for code, weight in entry.categories.items():
                merged[code] = max(merged.get(code, 0.0), weight)
        return merged

    @property
    def risk_factors(self) -> set[str]:
        return {rf for e in self.entries for rf in e.risk_factors}

    @property
    def signals(self) -> set[str]:
        return {s for e in self.entries for s in e.signals}

    @property
    def languages(self) -> set[str]:
        return {e.language for e in self.entries if e.language in LANGUAGES}


@dataclass(frozen=True, slots=True)
class Pattern:
    kind: str  # "prefix", "suffix" or "infix"
    core: str
    term: Term

    def matches(self, word: str) -> bool:
        if len(word) <= len(self.core) and self.kind != "infix":
            return word == self.core
        if self.kind == "prefix":
            return word.startswith(self.core)
        if self.kind == "suffix":
            return word.endswith(self.core)
        return self.core in word


@dataclass(slots=True)
class Lexicon:
    """Compiled lexicon: lookup tables built once, shared read-only between calls."""

    by_first: dict[str, list[Term]]
    by_first_squeezed: dict[str, list[Term]]
    patterns: list[Pattern]
    fuzzy_words: dict[str, Term]
    function_words: dict[str, frozenset[str]]
    all_function_words: frozenset[str]
    abbreviations: dict[str, tuple[str, ...]]
    abbreviation_language: dict[str, str]
    negators: frozenset[str]
    morphology: dict[str, list[re.Pattern[str]]]
    size: int


def _as_weights(value: Any, weight: float) -> dict[str, float]:
    if value is None:
        return {}
    if isinstance(value, str):
        value = [value]
    weights = (
        {str(k): float(v) for k, v in value.items()}
        if isinstance(value, Mapping)
        else {str(code): weight for code in value}
    )
    unknown = set(weights) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories in lexicon: {sorted(unknown)}")
    return weights


def _entries_from_group(group: Mapping[str, Any], language: str, source: str) -> list[Entry]:
    terms = group.get("terms") or ([group["term"]] if group.get("term") else [])
    weight = float(group.get("weight", 1.0))
    categories = _as_weights(group.get("categories"), weight)
    risk_factors = tuple(str(rf).upper() for rf in group.get("risk_factors") or ())
    signals = frozenset(str(s) for s in group.get("signals") or ())
    if set(risk_factors) - set(RISK_FACTORS):
        raise ValueError(f"unknown risk factors in lexicon: {risk_factors}")
    if signals - SIGNALS:
        raise ValueError(f"unknown signals in lexicon: {sorted(signals - SIGNALS)}")
    lang = str(group.get("language", language))
    return [Entry(str(t), lang, categories, risk_factors, signals, source) for t in terms if str(t)]


class _WordLoader(yaml.SafeLoader):
    """YAML without implicit booleans, so words like ``no``, ``on``, ``y`` stay words."""


_WordLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_files(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    files = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_WordLoader) or {}  # noqa: S506
        files.append((str(data.get("language", path.stem)), data))
    return files


def load_lexicon(
    extra_entries: Iterable[Mapping[str, Any]] = (), directory: Path | str | None = None
) -> Lexicon:
    """Compile the YAML lexicons plus ``extra_entries`` (rows an admin added).

    Each extra entry is a mapping like ``{"term": "wamechinja", "language": "sw",
    "categories": {"attack": 3}, "risk_factors": ["RF13"], "signals": ["life"]}``
    (``categories`` may also be a list, weighted by ``weight``, default 1).
    """
    entries: list[Entry] = []
    function_words: dict[str, set[str]] = defaultdict(set)
    abbreviations: dict[str, tuple[str, ...]] = {}
    abbreviation_language: dict[str, str] = {}
    negators: set[str] = set()
    morphology: dict[str, list[re.Pattern[str]]] = defaultdict(list)

    for language, data in _read_files(Path(directory) if directory else LEXICON_DIR):
        for word in data.get("function_words") or ():
            function_words[language].update(term_tokens(str(word)))
        for short, long in (data.get("abbreviations") or {}).items():
            key = fold(str(short))
            abbreviations.setdefault(key, term_tokens(str(long)))
            abbreviation_language.setdefault(key, language)
        negators.update(fold(str(n)) for n in data.get("negators") or ())
        morphology[language].extend(re.compile(p) for p in data.get("morphology") or ())
        for group in data.get("entries") or ():
            entries.extend(_entries_from_group(group, language, "file"))
    for row in extra_entries:
        entries.extend(_entries_from_group(row, str(row.get("language", SHARED)), "extra"))
    return _compile(
        entries, function_words, abbreviations, abbreviation_language, negators, morphology
    )


def _compile(
    entries: list[Entry],
    function_words: dict[str, set[str]],
    abbreviations: dict[str, tuple[str, ...]],
    abbreviation_language: dict[str, str],
    negators: set[str],
    morphology: dict[str, list[re.Pattern[str]]],
) -> Lexicon:
    terms: dict[tuple[str, ...], Term] = {}
    patterns: dict[tuple[str, str], Term] = {}
    for entry in entries:
        text = entry.term.strip()
        if text.startswith("*") or text.endswith("*"):
            core = fold(text.strip("*"))
            if len(core) < MIN_PATTERN_CORE or not core.isalpha():
                raise ValueError(f"wildcard term too short or not one word: {entry.term!r}")
            kind = (
                "infix"
                if text.startswith("*") and text.endswith("*")
                else ("suffix" if text.startswith("*") else "prefix")
            )
            patterns.setdefault((kind, core), Term((core,))).entries.append(entry)
            continue
        tokens = term_tokens(text)
        if tokens:
            terms.setdefault(tokens, Term(tokens)).entries.append(entry)

    by_first: dict[str, list[Term]] = defaultdict(list)
    by_first_squeezed: dict[str, list[Term]] = defaultdict(list)
    for term in terms.values():
        by_first[term.tokens[0]].append(term)
        by_first_squeezed[term.squeezed[0]].append(term)
    for table in (by_first, by_first_squeezed):
        for candidates in table.values():
            candidates.sort(key=lambda t: len(t.tokens), reverse=True)

    fuzzy_words = {
        t.tokens[0]: t for t in terms.values() if len(t.tokens) == 1 and len(t.tokens[0]) >= 6
    }
    frozen_words = {lang: frozenset(words) for lang, words in function_words.items()}
    return Lexicon(
        by_first=dict(by_first),
        by_first_squeezed=dict(by_first_squeezed),
        patterns=[Pattern(kind, core, term) for (kind, core), term in patterns.items()],
        fuzzy_words=fuzzy_words,
        function_words=frozen_words,
        all_function_words=frozenset().union(*frozen_words.values())
        if frozen_words
        else frozenset(),
        abbreviations=abbreviations,
        abbreviation_language=abbreviation_language,
        negators=frozenset(negators),
        morphology=dict(morphology),
        size=len(entries),
    )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The file lexicons alone, compiled once per process."""
    return load_lexicon()
