"""The one entry point the pipeline calls: text in, an explained triage decision out."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from .language import detect_language
from .lexicon import Lexicon, default_lexicon
from .matching import (
    TermMatch,
    correct_spelling,
    is_event,
    mark_denial,
    mark_negations,
    match_patterns,
    match_phrases,
    match_verbs,
)
from .normalise import Token, longest_exclamation_run, tokenise
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

    # Order matters: exact lexicon phrases, then exact place names, then stems and verb forms,
    # then SMS spellings, so a loose match never steals a token an exact one explains.
    consumed: set[int] = set()
    terms = match_phrases(tokens, lex, consumed)
    place_matches = index.match_exact(tokens, consumed, lex.all_function_words)
    terms += match_verbs(tokens, lex, consumed)
    terms += match_patterns(tokens, lex, consumed)
    read = correct_spelling(tokens, lex, consumed, lex.all_function_words | index.words)
    if read is not tokens:  # the same words would find no phrase more
        terms += match_phrases(read, lex, consumed)
    place_matches += index.match_fuzzy(tokens, consumed, lex.all_function_words)
    terms.sort(key=lambda m: m.start)
    place_matches.sort(key=lambda m: m.start)
    mark_negations(read, terms, lex.negators, lex.post_negators, lex.split_negators)
    context_rules = _apply_denial(terms)

    place_positions = {i for m in place_matches for i in range(m.start, m.end)}
    language, language_why = detect_language(read, terms, place_positions, lex)
    unread = _unread_words(read, terms, place_positions, lex)

    signals, signal_rules = collect_signals(terms, longest_exclamation_run(text or ""))
    if _is_lone_plea(terms, unread):
        signals |= {"distress", "life"}
        context_rules.append("a word that may be a cry for help, alone: a plea")
    casualties = count_casualties(read, terms)
    categories, category_why = score_categories(terms, hint_category)
    risk_factors, risk_why = decide_risk_factors(terms, categories, signals, casualties)
    evidence = _not_alert_evidence(terms)
    priority, priority_why = decide_priority(
        categories,
        signals,
        casualties,
        reporter_reliability,
        not_alert_evidence=evidence,
        unread=len(unread),
    )
    priority_why["reading"] = {"not_alert_evidence": evidence, "unread_words": unread}
    priority_why["signals"] = sorted(signals)
    priority_why["casualties"] = casualties
    priority_why["rules"] = context_rules + signal_rules + priority_why["rules"]
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


def _apply_denial(terms: list[TermMatch]) -> list[str]:
    """A denial ("c'est faux", "uongo") cancels the events named, unless the same text says
    it is happening now or calls for help: when in doubt, the alert stands."""
    if not any("denial" in m.term.signals and not m.negated for m in terms):
        return []
    live = {s for m in terms if not m.negated for s in m.term.signals}
    if live & {"urgent", "distress"}:
        return ["denial ignored: urgency or a plea in the same text"]
    mark_denial(terms)
    if any(m.negated_by.startswith("denied:") for m in terms):
        return ["events the text names are denied: not counted"]
    return []


def _unread_words(
    tokens: list[Token], terms: list[TermMatch], place_positions: set[int], lex: Lexicon
) -> list[str]:
    """Words no lexicon, place name or function word explains: what a person must read."""
    covered = set(place_positions)
    for match in terms:
        covered.update(range(match.start, match.end))
    return [
        tok.raw
        for tok in tokens
        if tok.index not in covered
        and tok.expanded_from is None
        and not any(c.isdigit() for c in tok.norm)
        and tok.norm not in lex.all_function_words
        and tok.norm not in lex.keep_words
        and tok.norm not in lex.negators
        and tok.norm not in lex.post_negators
    ]


def _is_lone_plea(terms: list[TermMatch], unread: list[str]) -> bool:
    """ "Arrêtez !", "Acha!", "Tika": alone, a word that may be a cry for help is one."""
    live = [m for m in terms if not m.negated]
    return (
        not unread
        and any("plea_alone" in m.term.signals for m in live)
        and all(
            not is_event(m) and m.term.signals & {"plea_alone", "urgent", "distress"} for m in live
        )
    )


def _not_alert_evidence(terms: list[TermMatch]) -> dict[str, list[str]]:
    """What says a text is not an alert: a greeting, test, thanks, meeting or airtime word;
    an event the text negates or denies; the denial itself."""
    evidence: dict[str, list[str]] = {}
    for match in terms:
        if "non_alert" in match.term.signals:  # "pas de credit" is still about airtime
            evidence.setdefault("non_alert", []).append(match.normalised)
        elif "denial" in match.term.signals and not match.negated:
            evidence.setdefault("denied", []).append(match.normalised)
        elif match.negated and is_event(match):
            evidence.setdefault("negated", []).append(match.normalised)
    return evidence


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


def has_priority1_evidence(text: str, *, lexicon: Lexicon | None = None) -> bool:
    """Whether the text alone names a threat to life now (what makes ``analyse`` say priority
    1: killings, shooting, bodies, abductions, pleas, an armed group entering...), read with the
    same lexicon and rules, without places, language or the reporter. Intake asks it to send
    such an alert's triage ahead of the rest; triage still decides the priority."""
    lex = lexicon or default_lexicon()
    tokens = tokenise(text or "", lex.abbreviations)
    consumed: set[int] = set()
    terms = match_phrases(tokens, lex, consumed)
    terms += match_verbs(tokens, lex, consumed)
    terms += match_patterns(tokens, lex, consumed)
    read = correct_spelling(tokens, lex, consumed, lex.all_function_words)
    if read is not tokens:
        terms += match_phrases(read, lex, consumed)
    if not terms:
        return False
    terms.sort(key=lambda m: m.start)
    mark_negations(read, terms, lex.negators, lex.post_negators, lex.split_negators)
    _apply_denial(terms)
    signals, _ = collect_signals(terms, longest_exclamation_run(text or ""))
    if _is_lone_plea(terms, _unread_words(read, terms, set(), lex)):
        return True
    categories, _ = score_categories(terms, None)
    casualties = count_casualties(read, terms)
    priority, _ = decide_priority(categories, signals, casualties, None)
    return priority == 1
