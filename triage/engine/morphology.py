"""Swahili and Lingala verb forms read by their stem, from a small grammar in the lexicons.

A Bantu verb is built around its stem: ``wa-me-u-aw-a`` (they have been killed), ``ha-wa-ja-
tek-w-a`` (they have not been abducted), ``ba-bom-ak-i`` (they killed). Each lexicon file may
describe its verb grammar (``verb_grammar``: the slots before and after the stem, as lists
of affixes) and its ``verbs`` (stems with what they mean). Both are compiled into one regular
expression per language, so reading a word costs one match, whatever the number of stems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .normalise import fold

# The slots of a verb, in order; ``stem`` and ``extensions`` are placed by the compiler.
_PREFIX_SLOTS = ("negative", "subject", "tense", "relative", "object")


@dataclass(frozen=True, slots=True)
class VerbReading:
    """One word read as a verb: which stem, and whether the verb itself is negative."""

    stem: str
    negative: bool
    parts: str  # the word cut into its slots, for the explanation ("wa-me-u-aw-a")
    ending: str  # what follows the stem ("awa")


def _alternation(affixes: Iterable[str]) -> str:
    ordered = sorted({fold(str(a)) for a in affixes if str(a)}, key=len, reverse=True)
    return "|".join(re.escape(a) for a in ordered)


def _slot(name: str, affixes: Sequence[str], optional: bool) -> str:
    body = _alternation(affixes)
    if not body:
        return ""
    return f"(?P<{name}>{body})" + ("?" if optional else "")


@dataclass(frozen=True, slots=True)
class VerbGrammar:
    """A language's verb template with its known stems, compiled once."""

    language: str
    known: re.Pattern[str]
    any_stem: re.Pattern[str] | None

    def read(self, word: str) -> VerbReading | None:
        match = self.known.match(word)
        if match is None:
            return None
        groups = match.groupdict()
        parts = [groups[name] for name in (*_PREFIX_SLOTS, "stem") if groups.get(name)]
        rest = word[match.end("stem") :]
        if rest:
            parts.append(rest)
        return VerbReading(groups["stem"], bool(groups.get("negative")), "-".join(parts), rest)

    def looks_like_a_verb(self, word: str) -> bool:
        """A verb form of any stem: read by its stem or not at all, never by spelling distance
        (``wamekuja``, they came, is one letter from ``wamekufa``, they died)."""
        return self.any_stem is not None and self.any_stem.match(word) is not None


def compile_grammar(
    language: str, spec: Mapping[str, Any], stems: Iterable[str]
) -> VerbGrammar | None:
    """``spec`` holds affix lists per slot plus ``extensions`` and ``finals``; ``infinitive``
    may stand instead of subject and tense; ``tense_required`` refuses untensed forms."""
    stems = [fold(s) for s in stems if s]
    if not stems or not spec:
        return None
    tense_optional = not spec.get("tense_required", False)
    slots = {
        "negative": _slot("negative", spec.get("negative") or (), True),
        "subject": _slot("subject", spec.get("subject") or (), True),
        "tense": _slot("tense", spec.get("tense") or (), tense_optional),
        "relative": _slot("relative", spec.get("relative") or (), True),
        "object": _slot("object", spec.get("object") or (), True),
    }
    finite = "".join(slots.values())
    infinitive = _alternation(spec.get("infinitive") or ())
    head = f"(?:{finite}|(?P<infinitive>{infinitive}))" if infinitive else f"(?:{finite})"
    if spec.get("subject_required"):
        # Without a subject (or an infinitive) a short stem would match everyday nouns.
        finite = (
            slots["negative"]
            + slots["subject"].rstrip("?")
            + "".join(slots[name] for name in ("tense", "relative", "object"))
        )
        head = f"(?:{finite}|(?P<infinitive>{infinitive}))" if infinitive else f"(?:{finite})"
    extensions = _alternation(spec.get("extensions") or ())
    finals = _alternation(spec.get("finals") or ("a",))
    tail = (f"(?:{extensions})*" if extensions else "") + f"(?:{finals})$"
    known = re.compile(f"^{head}(?P<stem>{_alternation(stems)}){tail}")
    any_stem = None
    if spec.get("protect_verb_forms"):
        any_stem = re.compile(f"^{head}[a-z]{{2,}}{tail}")
    return VerbGrammar(language, known, any_stem)
