"""Reading an SMS as the answer to a question: "2", "2.", " 2 ", "B" (the second answer), and
for yes-or-no questions "oui", "ndiyo", "iyo", "yes", "non", "hapana", "te", "no". Anything
else is no answer (a free-text question takes any text). The words are data (data/answers.yaml)."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "answers.yaml"
# Punctuation and spaces a respondent may put around a short answer.
_AROUND = re.compile(r"^[\s.,;:!?)(\-\"'*#]+|[\s.,;:!?)(\-\"'*#]+$")

CHOICE, YES_NO, TEXT = "choice", "yes_no", "text"


@dataclass(frozen=True)
class Match:
    """The answer's number (None for free text) and the text as given, stripped."""

    number: int | None
    text: str = ""


@cache
def answer_words() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def answer_match(*, kind: str, choice_count: int, body: str) -> Match | None:
    """The answer `body` gives to a question of `kind` with `choice_count` numbered answers,
    or None when it gives none (the text then goes through intake like any other)."""
    stripped = (body or "").strip()
    if not stripped:
        return None
    if kind == TEXT:
        return Match(number=None, text=stripped)
    short = _fold(_AROUND.sub("", stripped))
    words = answer_words()
    number = None
    if short.isdigit() and len(short) <= 2:
        number = int(short)
    elif len(short) == 1 and short in words["letters"]:
        number = words["letters"].index(short) + 1
    elif kind == YES_NO and short in words["yes_words"]:
        number = 1
    elif kind == YES_NO and short in words["no_words"]:
        number = 2
    if number is None or not 1 <= number <= choice_count:
        return None
    return Match(number=number, text=stripped)
