"""Discreet mode: SMS that a phone searched at a checkpoint can show without exposing its
owner. What counts as revealing is data (alerts/data/discreet.yaml); who is discreet is the
networks app's rule (networks.selectors.focal_point_discreet)."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "discreet.yaml"
# How many digits of the alert's number a discreet acknowledgement shows ("Merci. 4821").
SHORT_NUMBER_DIGITS = 4
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Revealing:
    stems: tuple[tuple[str, ...], ...]  # folded words; the last one may go on ("alert" -> "alerte")
    acronyms: re.Pattern[str] | None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _revealing() -> _Revealing:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8")) or {}
    stems = tuple(tuple(_WORD.findall(_fold(str(stem)))) for stem in data.get("stems") or ())
    patterns = [
        r"\.?".join(re.escape(letter) for letter in str(acronym).replace(".", ""))
        for acronym in data.get("acronyms") or ()
    ]
    acronyms = re.compile(rf"(?<!\w)(?:{'|'.join(patterns)})\.?(?!\w)") if patterns else None
    return _Revealing(stems=tuple(stem for stem in stems if stem), acronyms=acronyms)


def revealing_words(text: str) -> list[str]:
    """The words of `text` that would expose a discreet recipient, as written, in order, each
    once ("Kengele : alerte reçue" -> ["Kengele", "alerte"])."""
    if not text:
        return []
    rules = _revealing()
    words = list(_WORD.finditer(text))
    folded = [_fold(match.group()) for match in words]
    found: list[tuple[int, str]] = []
    for i in range(len(words)):
        for stem in rules.stems:
            end = i + len(stem)
            if end > len(words):
                continue
            if folded[i : end - 1] == list(stem[:-1]) and folded[end - 1].startswith(stem[-1]):
                found.append((words[i].start(), text[words[i].start() : words[end - 1].end()]))
                break
    if rules.acronyms is not None:
        found += [(match.start(), match.group()) for match in rules.acronyms.finditer(text)]
    return list(dict.fromkeys(word for _start, word in sorted(found)))


def revealing_patterns() -> dict:
    """The same rules for the reply box's live warning (static/js/discreet.js)."""
    rules = _revealing()
    return {
        "stems": [list(stem) for stem in rules.stems],
        "acronyms": rules.acronyms.pattern if rules.acronyms is not None else "",
    }


def short_number(alert_id: int) -> str:
    """The few digits a discreet acknowledgement gives instead of the alert's reference: the
    end of its number (alert 104821 -> "4821"), enough for the reporter and the analyst to
    tell their recent alerts apart."""
    return f"{alert_id % 10**SHORT_NUMBER_DIGITS:0{SHORT_NUMBER_DIGITS}d}"
