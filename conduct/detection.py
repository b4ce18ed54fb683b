"""Does an SMS report sexual exploitation or abuse by peacekeepers? One term naming
peacekeepers and one naming abuse (data/peacekeeper_abuse.json, in French, Swahili, Lingala
and English) within a few words of each other. A mention of peacekeepers alone ("the MONUSCO
patrol arrived") or of abuse alone (by an armed group) is an ordinary alert."""

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TERMS_FILE = Path(__file__).resolve().parent / "data" / "peacekeeper_abuse.json"


def normalise(text: str) -> list[str]:
    """Lower case words without accents; apostrophes, hyphens and punctuation split words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.findall(r"[a-z0-9]+", plain)


@dataclass(frozen=True)
class _Terms:
    window: int
    peacekeepers: tuple[tuple[str, ...], ...]
    abuse: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=1)
def _terms() -> _Terms:
    data = json.loads(TERMS_FILE.read_text(encoding="utf-8"))

    def phrases(group: dict) -> tuple[tuple[str, ...], ...]:
        found = set()
        for terms in group.values():
            for term in terms:
                star = term.endswith("*")
                words = normalise(term.rstrip("*"))
                if words:
                    found.add((*words[:-1], words[-1] + ("*" if star else "")))
        return tuple(sorted(found))

    return _Terms(int(data["window"]), phrases(data["peacekeepers"]), phrases(data["abuse"]))


def _positions(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[int]:
    found = []
    for start in range(len(words)):
        for phrase in phrases:
            end = start + len(phrase)
            if end > len(words):
                continue
            head, last = phrase[:-1], phrase[-1]
            if tuple(words[start : end - 1]) != head:
                continue
            word = words[end - 1]
            if word == last or (last.endswith("*") and word.startswith(last[:-1])):
                found.append(start)
                break
    return found


def reports_peacekeeper_abuse(text: str) -> bool:
    words = normalise(text or "")
    if not words:
        return False
    terms = _terms()
    actors = _positions(words, terms.peacekeepers)
    if not actors:
        return False
    abuses = _positions(words, terms.abuse)
    return any(abs(a - b) <= terms.window for a in actors for b in abuses)
