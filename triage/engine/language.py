"""Which language an SMS is in, by counting words each language's lexicon recognises."""

from __future__ import annotations

from typing import Any

from .constants import (
    FUNCTION_WORD_VOTE,
    LANGUAGE_MIN_MARGIN,
    LANGUAGE_MIN_SCORE,
    LANGUAGES,
    MORPHOLOGY_VOTE,
    TERM_VOTE,
    UNDETERMINED,
)
from .lexicon import Lexicon
from .matching import TermMatch
from .normalise import Token


def detect_language(
    tokens: list[Token], terms: list[TermMatch], skip: set[int], lexicon: Lexicon
) -> tuple[str, dict[str, Any]]:
    """Vote per token: lexicon terms and function words count fully, morphology half.

    ``skip`` holds token positions (place names) that say nothing about the language.
    """
    scores = dict.fromkeys(LANGUAGES, 0.0)
    evidence: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    in_terms: set[int] = set()
    for match in terms:
        in_terms.update(range(match.start, match.end))
        for lang in match.term.languages:
            scores[lang] += TERM_VOTE
            evidence[lang].append(f"term:{match.normalised}")
    for tok in tokens:
        if tok.index in in_terms or tok.index in skip or tok.is_number:
            continue
        if tok.expanded_from is not None:
            # One vote per abbreviation however many words it expands to.
            lang = lexicon.abbreviation_language.get(tok.expanded_from)
            previous = tokens[tok.index - 1] if tok.index else None
            continues = previous is not None and previous.expanded_from == tok.expanded_from
            if lang in scores and not continues:
                scores[lang] += FUNCTION_WORD_VOTE
                evidence[lang].append(f"abbreviation:{tok.expanded_from}")
            continue
        voted = False
        for lang in LANGUAGES:
            if tok.norm in lexicon.function_words.get(lang, ()):
                scores[lang] += FUNCTION_WORD_VOTE
                evidence[lang].append(f"word:{tok.norm}")
                voted = True
        if voted:
            continue
        for lang in LANGUAGES:
            if any(p.search(tok.norm) for p in lexicon.morphology.get(lang, ())):
                scores[lang] += MORPHOLOGY_VOTE
                evidence[lang].append(f"morphology:{tok.norm}")

    ranked = sorted(LANGUAGES, key=lambda lang: scores[lang], reverse=True)
    best, runner_up = ranked[0], ranked[1]
    margin = scores[best] - scores[runner_up]
    if scores[best] < LANGUAGE_MIN_SCORE:
        language, rule = UNDETERMINED, "too few recognised words"
    elif margin < LANGUAGE_MIN_MARGIN:
        language, rule = UNDETERMINED, f"{best} and {runner_up} too close"
    else:
        language, rule = best, f"most recognised words ({best}), lead of {margin:g}"
    return language, {
        "value": language,
        "rule": rule,
        "scores": {lang: scores[lang] for lang in LANGUAGES},
        "evidence": {lang: words for lang, words in evidence.items() if words},
    }
