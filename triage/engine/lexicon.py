"""Lexicons as data: YAML files in ``triage/lexicons/`` plus admin-added rows, compiled once.

A file holds ``function_words``, ``abbreviations``, ``negators`` (before the word they cancel),
``post_negators`` (after it: Lingala ``te``), ``keep_words`` (everyday words spelt close to a
term, never corrected towards it), ``morphology`` (regexes that only vote for the language),
``verb_grammar`` and ``verbs`` (stems read inside inflected verbs, see ``morphology.py``) and
``entries``: groups of ``terms`` that share ``categories``
(code -> weight), ``risk_factors`` and ``signals`` (``life``, ``casualty``, ``urgent``,
``recent``, ``entry``, ``distress`` (a plea for help), ``plea_alone`` (a plea only when the
message says nothing else: "Arrêtez !"), ``non_alert``, ``denial`` ("c'est faux"),
``protected_site``, ``humanitarian``, ``state_actor``, ``mass``). A term is a word or
phrase; a single word may carry a ``*`` at either end to match a stem (``pill*``, ``*uawa``).
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

from core.taxonomy import CATEGORY_CODES, RISK_FACTOR_CODES

from .constants import LANGUAGES, MIN_PATTERN_CORE
from .morphology import VerbGrammar, compile_grammar
from .normalise import fold, squeeze, term_tokens
from .spelling import Correction, Speller

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicons"
# Words whose stem pattern and spelling a lexicon remembers (per process; forgotten all at
# once when full).
WORD_MEMO_SIZE = 20000
SHARED = "shared"
SIGNALS = frozenset(
    {
        "life",
        "casualty",
        "urgent",
        "recent",
        "entry",
        "distress",
        "plea_alone",
        "non_alert",
        "denial",
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
    # Computed once: phrase matching reads it for every candidate at every position.
    squeezed: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        self.squeezed = tuple(squeeze(t) for t in self.tokens)

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


@dataclass(frozen=True, slots=True)
class Verb:
    """A verb stem with its meaning; ``needs`` names words one of which must follow it;
    ``refuse_endings`` are endings that make another verb (``wamebaki``, they stayed)."""

    stem: str
    term: Term
    needs: frozenset[str]
    refuse_endings: frozenset[str] = frozenset()


@dataclass(slots=True)
class Lexicon:
    """Compiled lexicon: lookup tables built once, shared read-only between calls."""

    by_first: dict[str, list[Term]]
    by_first_squeezed: dict[str, list[Term]]
    patterns: list[Pattern]
    function_words: dict[str, frozenset[str]]
    all_function_words: frozenset[str]
    abbreviations: dict[str, tuple[str, ...]]
    abbreviation_language: dict[str, str]
    negators: frozenset[str]
    morphology: dict[str, list[re.Pattern[str]]]
    size: int
    post_negators: frozenset[str] = frozenset()
    # (before, after, subjects): "ne ... personne", and "personne ne ..." (see mark_negations)
    split_negators: tuple[frozenset[str], ...] = (frozenset(), frozenset(), frozenset())
    keep_words: frozenset[str] = frozenset()
    grammars: dict[str, VerbGrammar] = field(default_factory=dict)
    verbs: dict[str, dict[str, list[Verb]]] = field(default_factory=dict)
    speller: Speller | None = None
    vocabulary: frozenset[str] = frozenset()
    # What pattern_for and respelling found for each word: the words of SMS alerts repeat a
    # great deal, and both depend on the word alone.
    word_memo: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False, compare=False)

    def _remembered(self, kind: str, word: str, work) -> Any:
        key = (kind, word)
        try:
            return self.word_memo[key]
        except KeyError:
            pass
        found = work(word)
        if len(self.word_memo) >= WORD_MEMO_SIZE:
            self.word_memo.clear()
        self.word_memo[key] = found
        return found

    def pattern_for(self, word: str) -> Pattern | None:
        """The stem pattern (``pill*``, ``*uawa``) `word` matches, the longest stem winning."""
        return self._remembered("pattern", word, self._pattern_for)

    def _pattern_for(self, word: str) -> Pattern | None:
        hits = [p for p in self.patterns if p.matches(word)]
        return max(hits, key=lambda p: len(p.core)) if hits else None

    def respelling(self, word: str) -> Correction | None:
        """The lexicon word an SMS spelling stands for (``masacre`` -> ``massacre``); None for a
        known word, a kept everyday word, a verb form (never corrected: ``wamekuja``, they
        came, is one letter from ``wamekufa``, they died) or a word near none."""
        return self._remembered("spelling", word, self._respelling)

    def _respelling(self, word: str) -> Correction | None:
        if (
            self.speller is None
            or word in self.vocabulary
            or word in self.keep_words
            or any(g.looks_like_a_verb(word) for g in self.grammars.values())
        ):
            return None
        return self.speller.correct(word)


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
    unknown = set(weights) - set(CATEGORY_CODES)
    if unknown:
        raise ValueError(f"unknown categories in lexicon: {sorted(unknown)}")
    return weights


def _entries_from_group(group: Mapping[str, Any], language: str, source: str) -> list[Entry]:
    terms = group.get("terms") or ([group["term"]] if group.get("term") else [])
    weight = float(group.get("weight", 1.0))
    categories = _as_weights(group.get("categories"), weight)
    risk_factors = tuple(str(rf).upper() for rf in group.get("risk_factors") or ())
    signals = frozenset(str(s) for s in group.get("signals") or ())
    if set(risk_factors) - set(RISK_FACTOR_CODES):
        raise ValueError(f"unknown risk factors in lexicon: {risk_factors}")
    if signals - SIGNALS:
        raise ValueError(f"unknown signals in lexicon: {sorted(signals - SIGNALS)}")
    lang = str(group.get("language", language))
    return [Entry(str(t), lang, categories, risk_factors, signals, source) for t in terms if str(t)]


# The C parser when PyYAML has it: the lexicons are read once per worker, but read fast.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _WordLoader(_SafeLoader):
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
    extras = _Extras()

    for language, data in _read_files(Path(directory) if directory else LEXICON_DIR):
        extras.read(language, data)
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
    lexicon = _compile(
        entries, function_words, abbreviations, abbreviation_language, negators, morphology
    )
    extras.apply(lexicon)
    return lexicon


class _Extras:
    """The keys beyond term entries: negators after the word, words never corrected, verbs."""

    def __init__(self) -> None:
        self.post_negators: set[str] = set()
        self.split_before: set[str] = set()
        self.split_after: set[str] = set()
        self.split_subjects: set[str] = set()
        self.keep_words: set[str] = set()
        self.grammar_specs: dict[str, Mapping[str, Any]] = {}
        self.verb_groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)

    def read(self, language: str, data: Mapping[str, Any]) -> None:
        self.post_negators.update(fold(str(n)) for n in data.get("post_negators") or ())
        split = data.get("split_negators") or {}
        self.split_before.update(fold(str(n)) for n in split.get("before") or ())
        self.split_after.update(fold(str(n)) for n in split.get("after") or ())
        self.split_subjects.update(fold(str(n)) for n in split.get("subjects") or ())
        for word in data.get("keep_words") or ():
            self.keep_words.update(term_tokens(str(word)))
        if data.get("verb_grammar"):
            self.grammar_specs[language] = data["verb_grammar"]
        self.verb_groups[language].extend(data.get("verbs") or ())

    def apply(self, lexicon: Lexicon) -> None:
        lexicon.post_negators = frozenset(self.post_negators)
        lexicon.split_negators = (
            frozenset(self.split_before),
            frozenset(self.split_after),
            frozenset(self.split_subjects),
        )
        lexicon.keep_words = frozenset(self.keep_words)
        for language, groups in self.verb_groups.items():
            spec = self.grammar_specs.get(language)
            if not groups:
                continue
            if spec is None:
                raise ValueError(f"verbs given for {language} without a verb_grammar")
            table: dict[str, list[Verb]] = defaultdict(list)
            for group in groups:
                needs = frozenset(fold(str(w)) for w in group.get("needs") or ())
                refused = frozenset(fold(str(e)) for e in group.get("refuse_endings") or ())
                for entry in _entries_from_group(
                    {**group, "terms": group.get("stems")}, language, "file"
                ):
                    stem = fold(entry.term)
                    term = Term((f"-{stem}-",), [entry])
                    table[stem].append(Verb(stem, term, needs, refused))
            grammar = compile_grammar(language, spec, table)
            if grammar is not None:
                lexicon.grammars[language] = grammar
                lexicon.verbs[language] = dict(table)
        vocabulary = {w for terms in lexicon.by_first.values() for t in terms for w in t.tokens}
        lexicon.vocabulary = frozenset(vocabulary)
        skip = lexicon.all_function_words | lexicon.keep_words
        lexicon.speller = Speller(w for w in vocabulary if w not in skip)


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

    frozen_words = {lang: frozenset(words) for lang, words in function_words.items()}
    return Lexicon(
        by_first=dict(by_first),
        by_first_squeezed=dict(by_first_squeezed),
        patterns=[Pattern(kind, core, term) for (kind, core), term in patterns.items()],
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
