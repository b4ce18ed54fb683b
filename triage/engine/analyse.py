"""The one entry point the pipeline calls: text in, an explained triage decision out."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from .language import detect_language
from .lexicon import Lexicon, default_lexicon
from .matching import mark_negations, match_fuzzy, match_patterns, match_phrases
from .normalise import longest_exclamation_run, tokenise
from .places import PlaceIndex, PlaceMatch, resolve
from .scoring import (
    collect_signals,
    count_casualties,
    decide_priority,
    decide_risk_factors,
    score_categories,
)
from .types import Analysis, Place

# Callers should build a PlaceIndex once; this only spares the ones that pass a plain list.
_INDEX_CACHE: OrderedDict[tuple[Place, ...], PlaceIndex] = OrderedDict()
_INDEX_CACHE_SIZE = 4


def _index_for(places: Sequence[Place] | PlaceIndex) -> PlaceIndex:
    if isinstance(places, PlaceIndex):
        return places
    key = tuple(places)
    index = _INDEX_CACHE.get(key)
    if index is None:
        index = _INDEX_CACHE[key] = PlaceIndex(key)
        while len(_INDEX_CACHE) > _INDEX_CACHE_SIZE:
            _INDEX_CACHE.popitem(last=False)
    return index


def analyse(
    text: str,
    places: Sequence[Place] | PlaceIndex,
    *,
    reporter_home: Place | None = None,
    hint_category: str | None = None,
    reporter_reliability: float | None = None,
    lexicon: Lexicon | None = None,
) -> Analysis:
    """Triage one alert: language, categories, risk factors, priority and place, explained.

    ``lexicon`` defaults to the YAML files; pass ``load_lexicon(extra_entries=...)`` to add
    admin-defined terms.
    """
    lex = lexicon or default_lexicon()
    index = _index_for(places)
    tokens = tokenise(text or "", lex.abbreviations)

    # Order matters: exact lexicon phrases, then exact place names, then stems and fuzzy
    # words, so a loose match never steals a token an exact one explains.
    consumed: set[int] = set()
    terms = match_phrases(tokens, lex, consumed)
    place_matches = index.match_exact(tokens, consumed, lex.all_function_words)
    terms += match_patterns(tokens, lex, consumed)
    terms += match_fuzzy(tokens, lex, consumed, lex.all_function_words)
    place_matches += index.match_fuzzy(tokens, consumed, lex.all_function_words)
    terms.sort(key=lambda m: m.start)
    place_matches.sort(key=lambda m: m.start)
    mark_negations(tokens, terms, lex.negators)

    place_positions = {i for m in place_matches for i in range(m.start, m.end)}
    language, language_why = detect_language(tokens, terms, place_positions, lex)

    signals, signal_rules = collect_signals(terms, longest_exclamation_run(text or ""))
    casualties = count_casualties(tokens, terms)
    categories, category_why = score_categories(terms, hint_category)
    risk_factors, risk_why = decide_risk_factors(terms, categories, signals, casualties)
    priority, priority_why = decide_priority(categories, signals, casualties, reporter_reliability)
    priority_why["signals"] = sorted(signals)
    priority_why["casualties"] = casualties
    priority_why["rules"] = signal_rules + priority_why["rules"]
    place, is_fallback, place_why = _choose_place(place_matches, reporter_home)

    return Analysis(
        language=language,
        categories=categories,
        risk_factors=risk_factors,
        priority=priority,
        place=place,
        place_is_fallback=is_fallback,
        explanation={
            "tokens": [t.norm for t in tokens],
            "terms": [m.to_dict() for m in terms],
            "language": language_why,
            "categories": {"value": categories, **category_why},
            "risk_factors": risk_why,
            "priority": priority_why,
            "place": place_why,
        },
    )


def _choose_place(
    matches: list[PlaceMatch], home: Place | None
) -> tuple[Place | None, bool, dict[str, object]]:
    for match in matches:
        resolve(match, home)
    if matches:
        # A lowercase near-miss ("shwari" ~ "Shari") is weaker evidence than a name spelt
        # exactly, so it only comes first when no name is spelt exactly.
        trusted = [m for m in matches if m.how != "fuzzy" or m.text[:1].isupper()]
        first = (trusted or matches)[0]
        rule = "first place named in the text"
        if first is not matches[0]:
            rule += " (lowercase fuzzy matches skipped for an exact name)"
        why = {
            "value": first.chosen.id if first.chosen else None,
            "rule": rule,
            "matches": [m.to_dict() for m in matches],
        }
        return first.chosen, False, why
    if home is not None:
        return (
            home,
            True,
            {
                "value": home.id,
                "rule": "no place named: reporter's home",
                "matches": [],
            },
        )
    return None, False, {"value": None, "rule": "no place named and no home known", "matches": []}
