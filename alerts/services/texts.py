"""Admin-editable automatic texts and keywords, cached briefly in each process."""

import logging
import time
import unicodedata

from ..constants import KEYWORD_CACHE_SECONDS
from ..discreet import revealing_words, short_number
from ..models import Keyword, ReplyText

log = logging.getLogger(__name__)

_cache: dict[str, tuple[float, dict]] = {}


def cached(name: str, load) -> dict:
    hit = _cache.get(name)
    if hit and time.monotonic() - hit[0] < KEYWORD_CACHE_SECONDS:
        return hit[1]
    value = load()
    _cache[name] = (time.monotonic(), value)
    return value


def clear_cache() -> None:
    _cache.clear()


def normalise_keyword(text: str) -> str:
    """'  Arrêt! ' -> 'ARRET': upper case, no accents, letters and spaces only."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(ch for ch in decomposed if ch.isalnum() or ch.isspace())
    return " ".join(letters.upper().split())


def keyword_for(body: str) -> Keyword | None:
    """The keyword the whole message is, if any (a keyword inside a sentence is an alert)."""
    word = normalise_keyword(body)
    if not word or len(word) > 30:
        return None
    table = cached("keywords", lambda: {k.word: k for k in Keyword.objects.all()})
    return table.get(word)


def reply_text(key: str, language: str, *, discreet: bool = False, **values: str) -> str:
    """The automatic text for this purpose in this language (French, then English, as
    fallback). `discreet`: the neutral wording, with {number} (give `alert_id`); never a text
    that would expose the recipient: without a safe one, nothing."""
    table = cached(
        "replies",
        lambda: {(r.key, r.language): (r.text, r.discreet_text) for r in ReplyText.objects.all()},
    )
    if discreet:
        alert_id = values.get("alert_id")
        values = {"number": short_number(int(alert_id)) if alert_id is not None else ""}
    for lang in (language, "fr", "en"):
        text = table.get((key, lang), ("", ""))[1 if discreet else 0]
        if not text:
            continue
        try:
            text = text.format(**values)
        except (KeyError, IndexError, ValueError):
            # An admin's edit broke a placeholder: send the text as written, not nothing.
            pass
        if discreet and revealing_words(text):
            log.error("discreet %s text in %s reveals the sender: not sent", key, lang)
            return ""
        return text.strip()
    return ""
