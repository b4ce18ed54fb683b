"""SMS text to comparable tokens: accents, case, stretched letters and abbreviations removed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

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


def squeeze(word: str) -> str:
    """Collapse every run of a letter to one (``"tiiir"`` and ``"tir"`` meet as ``"tir"``)."""
    return _RUN2_RE.sub(r"\1", word)


def _shorten(word: str) -> str:
    return _RUN3_RE.sub(r"\1\1", word)


def term_tokens(term: str) -> tuple[str, ...]:
    """Normalise a lexicon term or place name the same way message tokens are."""
    return tuple(_shorten(fold(m)) for m in _TOKEN_RE.findall(_strip_marks(term)))


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenise(text: str, abbreviations: Mapping[str, tuple[str, ...]] | None = None) -> list[Token]:
    """Split a message into tokens, expanding SMS abbreviations (``ds`` -> ``dans``)."""
    tokens: list[Token] = []
    for raw in _TOKEN_RE.findall(_strip_marks(text)):
        norm = _shorten(raw.lower())
        expansion = abbreviations.get(norm) if abbreviations else None
        if expansion:
            for word in expansion:
                tokens.append(Token(word, squeeze(word), raw, False, len(tokens), norm))
            continue
        tokens.append(Token(norm, squeeze(norm), raw, raw[:1].isupper(), len(tokens)))
    return tokens


def longest_exclamation_run(text: str) -> int:
    runs = re.findall(r"!+", text)
    return max((len(r) for r in runs), default=0)
