"""SMS text to comparable tokens: accents, case, stretched letters and abbreviations removed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

_TOKEN_RE = re.compile(r"[A-Za-z0-9]+")
# "tiiiir" keeps two letters here so genuine doubles ("attaque", "kuuawa") still match
# exactly; the fully squeezed form is a second chance (see ``squeeze``).
_RUN3_RE = re.compile(r"([a-z])\1{2,}")
_RUN2_RE = re.compile(r"([a-z])\1+")


@dataclass(frozen=True, slots=True)
class Token:
    norm: str
    squeezed: str
    raw: str
    capitalised: bool
    index: int
    expanded_from: str | None = None
    # The word as written when spelling brought it back to a lexicon word ("masacre").
    spelled: str | None = None

    @property
    def is_number(self) -> bool:
        return self.norm.isdigit()


def fold(text: str) -> str:
    """Strip accents and lowercase (``"Enlèvement"`` -> ``"enlevement"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=16384)
def squeeze(word: str) -> str:
    """Collapse every run of a letter to one (``"tiiir"`` and ``"tir"`` meet as ``"tir"``)."""
    return _RUN2_RE.sub(r"\1", word)


def _shorten(word: str) -> str:
    return _RUN3_RE.sub(r"\1\1", word)


def term_tokens(term: str) -> tuple[str, ...]:
    """Normalise a lexicon term or place name the same way message tokens are."""
    return tuple(_shorten(fold(m)) for m in _TOKEN_RE.findall(_strip_marks(term)))


def _strip_marks(text: str) -> str:
    if text.isascii():  # nothing to decompose, no mark to strip
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Every text is cut into words and each word normalised: the words of SMS alerts repeat a
# great deal ("watu", "armés", "tirs"), so each word's forms are worked out once per process
# (bounded: the least recently met are forgotten).
@lru_cache(maxsize=16384)
def _word(raw: str) -> tuple[str, str, bool]:
    """A word as written: its normalised and squeezed forms, and whether it is capitalised."""
    norm = _shorten(raw.lower())
    return norm, squeeze(norm), raw[:1].isupper()


def forget_words() -> None:
    """Forget the word forms worked out so far (for measuring a first reading)."""
    _word.cache_clear()
    squeeze.cache_clear()


def tokenise(text: str, abbreviations: Mapping[str, tuple[str, ...]] | None = None) -> list[Token]:
    """Split a message into tokens, expanding SMS abbreviations (``ds`` -> ``dans``)."""
    tokens: list[Token] = []
    for raw in _TOKEN_RE.findall(_strip_marks(text)):
        norm, squeezed, capitalised = _word(raw)
        expansion = abbreviations.get(norm) if abbreviations else None
        if expansion:
            for word in expansion:
                tokens.append(Token(word, squeeze(word), raw, False, len(tokens), norm))
            continue
        tokens.append(Token(norm, squeezed, raw, capitalised, len(tokens)))
    return tokens


def longest_exclamation_run(text: str) -> int:
    runs = re.findall(r"!+", text)
    return max((len(r) for r in runs), default=0)
