"""Find lexicon terms in a token list: exact phrases first, then stems, then fuzzy words."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz

from .constants import NEGATION_WINDOW, POST_NEGATION_WINDOW, VERB_NEEDS_WINDOW
from .lexicon import Lexicon, Term, Verb
from .normalise import Token, squeeze

# Filler allowed between a negator and its term ("pas DE tirs", "il n'y a pas EU D'attaque",
# "no ONE WAS killed", "hakuna MTU aliyeuawa").
_NEGATION_FILLERS = frozenset(
    {
        "de", "d", "des", "du", "eu", "ete", "n", "a", "y", "personne", "une", "un",
        "any", "more", "one", "was", "were", "been", "body", "people",
        "ya", "wa", "mtu", "watu", "tena", "moto", "bato",
    }
)  # fmt: skip


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
    negated_by: str = ""

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
            **({"negated_by": self.negated_by} if self.negated_by else {}),
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
        score = 100.0
        for tok in tokens[i:end]:
            if tok.spelled is not None:
                how, score = "fuzzy", min(score, fuzz.ratio(tok.spelled, tok.norm))
        found.append(TermMatch(i, end, text, norm, term, how, score))
        consumed.update(range(i, end))
        i = end
    return found


def match_patterns(tokens: list[Token], lexicon: Lexicon, consumed: set[int]) -> list[TermMatch]:
    """Stems such as ``pill*`` or ``*uawa``; the longest matching stem wins."""
    found: list[TermMatch] = []
    for tok in tokens:
        if tok.index in consumed or tok.is_number:
            continue
        best = lexicon.pattern_for(tok.norm)
        if best is None:
            continue
        found.append(
            TermMatch(
                tok.index, tok.index + 1, tok.raw, tok.norm, best.term, f"stem:{best.kind}", 100.0
            )
        )
        consumed.add(tok.index)
    return found


def match_verbs(tokens: list[Token], lexicon: Lexicon, consumed: set[int]) -> list[TermMatch]:
    """Swahili and Lingala verbs by their stem (``wameuliwa``, ``hawajatekwa``, ``babomaki``);
    a verb in the negative form is reported but not counted."""
    found: list[TermMatch] = []
    for tok in tokens:
        if tok.index in consumed or tok.is_number or len(tok.norm) < 4:
            continue
        for language, grammar in lexicon.grammars.items():
            reading = grammar.read(tok.norm)
            if reading is None:
                continue
            verbs = [
                v
                for v in lexicon.verbs[language][reading.stem]
                if reading.ending not in v.refuse_endings
            ]
            verb = _verb_with_its_needs(tokens, tok.index, verbs)
            if verb is None:
                continue
            found.append(
                TermMatch(
                    tok.index,
                    tok.index + 1,
                    tok.raw,
                    tok.norm,
                    verb.term,
                    f"verb:{reading.parts}",
                    100.0,
                    negated=reading.negative,
                    negated_by="negative verb form" if reading.negative else "",
                )
            )
            consumed.add(tok.index)
            break
    return found


def _verb_with_its_needs(tokens: list[Token], i: int, verbs: list[Verb]) -> Verb | None:
    after = {t.norm for t in tokens[i + 1 : i + 1 + VERB_NEEDS_WINDOW]}
    for verb in sorted(verbs, key=lambda v: -len(v.needs)):
        if not verb.needs or verb.needs & after:
            return verb
    return None


def correct_spelling(
    tokens: list[Token], lexicon: Lexicon, consumed: set[int], protected: frozenset[str]
) -> list[Token]:
    """The same tokens, with unexplained SMS spellings replaced by the lexicon word they stand
    for (``masacre`` -> ``massacre``). Known words, place names, kept everyday words and
    Swahili verb forms are never touched. `tokens` itself when no word was replaced: the
    phrases are then already matched."""
    if lexicon.speller is None:
        return tokens
    corrected = None
    for tok in tokens:
        word = tok.norm
        if tok.index in consumed or word in protected:
            continue
        fix = lexicon.respelling(word)
        if fix is not None and fix.word != word:
            if corrected is None:
                corrected = list(tokens)
            corrected[tok.index] = replace(
                tok, norm=fix.word, squeezed=squeeze(fix.word), spelled=word
            )
    return tokens if corrected is None else corrected


def mark_negations(
    tokens: list[Token],
    matches: list[TermMatch],
    negators: frozenset[str],
    post_negators: frozenset[str] = frozenset(),
    split_negators: tuple[frozenset[str], ...] = (frozenset(), frozenset(), frozenset()),
) -> None:
    """``pas de tirs``, ``hakuna risasi``, ``no shooting``, ``babomi bato te``, ``ils n'ont
    tué personne``, ``personne ne m'a menacé``: the term is reported but not counted."""
    for match in matches:
        if match.negated:
            continue
        j = match.start - 1
        steps = 0
        while j >= 0 and steps < NEGATION_WINDOW:
            word = tokens[j].norm
            if word in negators:
                match.negated, match.negated_by = True, f"negator:{word}"
                break
            if word not in _NEGATION_FILLERS:
                break
            j -= 1
            steps += 1
        before, after, *rest = split_negators
        subjects = rest[0] if rest else frozenset()
        if (
            not match.negated
            and match.end < len(tokens)
            and tokens[match.end].norm in after
            and any(
                t.norm in before
                for t in tokens[max(0, match.start - NEGATION_WINDOW) : match.start]
            )
        ):
            match.negated, match.negated_by = True, f"negator:{tokens[match.end].norm}"
        if not match.negated and subjects:
            # "Personne n'a tiré": nobody as the subject, "ne" right after it, the verb after.
            window = tokens[max(0, match.start - NEGATION_WINDOW) : match.start]
            for subject, particle in zip(window, window[1:], strict=False):
                if subject.norm in subjects and particle.norm in before:
                    match.negated, match.negated_by = True, f"negator:{subject.norm}"
                    break
        if match.negated or not post_negators:
            continue
        for tok in tokens[match.end : match.end + POST_NEGATION_WINDOW]:
            if tok.norm in post_negators:
                match.negated, match.negated_by = True, f"negator after:{tok.norm}"
                break


def is_event(match: TermMatch) -> bool:
    """A term that names harm, a threat or armed men (not a greeting or a time word)."""
    return bool(match.term.categories) or bool(match.term.signals & {"life", "casualty"})


def mark_denial(matches: list[TermMatch]) -> list[TermMatch]:
    """ "C'est faux", "uongo", "lokuta", "not true": the events the text names are denied.
    Returns the denial terms found (not themselves negated)."""
    denials = [m for m in matches if "denial" in m.term.signals and not m.negated]
    if denials:
        for match in matches:
            if not match.negated and is_event(match) and match not in denials:
                match.negated, match.negated_by = True, f"denied:{denials[0].normalised}"
    return denials
