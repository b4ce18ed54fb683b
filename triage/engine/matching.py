"""Find lexicon terms in a token list: exact phrases first, then stems, then fuzzy words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from .constants import (
    FUZZY_MAX_LEN_DIFF,
    FUZZY_TERM_CUTOFF,
    FUZZY_TERM_MIN_LEN,
    NEGATION_WINDOW,
)
from .lexicon import Lexicon, Term
from .normalise import Token

# Filler allowed between a negator and its term ("pas DE tirs", "no MORE shooting").
_NEGATION_FILLERS = frozenset({"de", "d", "des", "du", "any", "more", "ya", "wa"})


@dataclass(slots=True)
class TermMatch:
    start: int
    end: int
    text: str
    normalised: str
    term: Term
    how: str
    score: float
    negated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "normalised": self.normalised,
            "entry": " / ".join(sorted({e.term for e in self.term.entries})),
            "lexicons": sorted({e.language for e in self.term.entries}),
            "match": self.how,
            "score": round(self.score, 1),
            "categories": self.term.categories,
            "risk_factors": sorted(self.term.risk_factors, key=lambda rf: int(rf[2:])),
            "signals": sorted(self.term.signals),
            "negated": self.negated,
        }


def _span_text(tokens: list[Token], start: int, end: int) -> tuple[str, str]:
    raws: list[str] = []
    for tok in tokens[start:end]:
        if not raws or tok.expanded_from is None or raws[-1] != tok.raw:
            raws.append(tok.raw)
    return " ".join(raws), " ".join(t.norm for t in tokens[start:end])


def _phrase_at(tokens: list[Token], i: int, term: Term, squeezed: bool) -> bool:
    wanted = term.squeezed if squeezed else term.tokens
    if i + len(wanted) > len(tokens):
        return False
    for offset, word in enumerate(wanted):
        tok = tokens[i + offset]
        if (tok.squeezed if squeezed else tok.norm) != word:
            return False
    return True


def match_phrases(tokens: list[Token], lexicon: Lexicon, consumed: set[int]) -> list[TermMatch]:
    """Longest exact (or letter-squeezed) phrase at each position, left to right."""
    found: list[TermMatch] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        best: tuple[Term, str] | None = None
        for term in lexicon.by_first.get(tok.norm, ()):
            if _phrase_at(tokens, i, term, squeezed=False):
                best = (term, "exact")
                break
        for term in lexicon.by_first_squeezed.get(tok.squeezed, ()):
            if (best is None or len(term.tokens) > len(best[0].tokens)) and _phrase_at(
                tokens, i, term, squeezed=True
            ):
                exact = _phrase_at(tokens, i, term, squeezed=False)
                best = (term, "exact" if exact else "squeezed")
                break
        if best is None or any(j in consumed for j in range(i, i + len(best[0].tokens))):
            i += 1
            continue
        term, how = best
        end = i + len(term.tokens)
        text, norm = _span_text(tokens, i, end)
        found.append(TermMatch(i, end, text, norm, term, how, 100.0))
        consumed.update(range(i, end))
        i = end
    return found


def match_patterns(tokens: list[Token], lexicon: Lexicon, consumed: set[int]) -> list[TermMatch]:
    """Stems such as ``pill*`` or ``*uawa``; the longest matching stem wins."""
    found: list[TermMatch] = []
    for tok in tokens:
        if tok.index in consumed or tok.is_number:
            continue
        hits = [p for p in lexicon.patterns if p.matches(tok.norm)]
        if not hits:
            continue
        best = max(hits, key=lambda p: len(p.core))
        found.append(
            TermMatch(
                tok.index, tok.index + 1, tok.raw, tok.norm, best.term, f"stem:{best.kind}", 100.0
            )
        )
        consumed.add(tok.index)
    return found


def match_fuzzy(
    tokens: list[Token], lexicon: Lexicon, consumed: set[int], protected: frozenset[str]
) -> list[TermMatch]:
    """Misspelt long words (``massakre``, ``kidnaper``); short words never fuzz."""
    found: list[TermMatch] = []
    choices = list(lexicon.fuzzy_words)
    for tok in tokens:
        word = tok.norm
        if tok.index in consumed or len(word) < FUZZY_TERM_MIN_LEN or word in protected:
            continue
        hit = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_TERM_CUTOFF)
        if hit is None:
            continue
        choice, score, _ = hit
        if choice[0] != word[0] or abs(len(choice) - len(word)) > FUZZY_MAX_LEN_DIFF:
            continue
        found.append(
            TermMatch(
                tok.index,
                tok.index + 1,
                tok.raw,
                word,
                lexicon.fuzzy_words[choice],
                "fuzzy",
                float(score),
            )
        )
        consumed.add(tok.index)
    return found


def mark_negations(tokens: list[Token], matches: list[TermMatch], negators: frozenset[str]) -> None:
    """``pas de tirs``, ``hakuna risasi``, ``no shooting``: the term is reported but not counted."""
    for match in matches:
        j = match.start - 1
        steps = 0
        while j >= 0 and steps < NEGATION_WINDOW:
            word = tokens[j].norm
            if word in negators:
                match.negated = True
                break
            if word not in _NEGATION_FILLERS:
                break
            j -= 1
            steps += 1
