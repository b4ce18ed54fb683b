"""The triage engine's reasons in the reader's language.

The engine writes its rules as short English sentences, stored with each alert (the engine
knows no Django). They follow a small set of patterns; each is matched here and shown through
gettext, so a French analyst reads "attaque en cours : priorité 1". A rule no pattern knows is
shown as written, marked as English.
"""

import re
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.taxonomy import CATEGORY_CHOICES

CATEGORY_LABELS = dict(CATEGORY_CHOICES)
LANGUAGE_NAMES = {
    "fr": _("French"),
    "sw": _("Swahili"),
    "ln": _("Lingala"),
    "en": _("English"),
    "und": _("undetermined"),
}


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    text: object  # a lazy translation with %(name)s placeholders


def _rule(pattern: str, text) -> Rule:
    return Rule(re.compile(f"^{pattern}$"), text)


RULES = (
    _rule(
        r"(?P<n>\d+) exclamation marks count as urgency",
        _("%(n)s exclamation marks count as urgency"),
    ),
    _rule(
        r"keypad hint adds (?P<weight>[\d.]+) to (?P<category>\w+)",
        _("the key pressed on the phone adds %(weight)s to “%(category)s”"),
    ),
    _rule(
        r"no category reached the minimum score: other",
        _("no category reached the minimum score: other"),
    ),
    _rule(
        r"harm done \((?P<category>\w+)\) outranks context categories as the main one",
        _("harm done (“%(category)s”) comes first, before categories of context"),
    ),
    _rule(r"(?P<category>\w+) happening now: 1", _("“%(category)s” happening now: priority 1")),
    _rule(
        r"armed men entering or people in danger: 1",
        _("armed men entering or people in danger: priority 1"),
    ),
    _rule(
        r"threat-to-life words or casualties: 1 \(when in doubt, 1\)",
        _("words of a threat to life, or victims: priority 1 (when in doubt, 1)"),
    ),
    _rule(
        r"greeting, test, thanks or request: not an alert",
        _("greeting, test, thanks or request: not an alert"),
    ),
    _rule(
        r"plea without details: call back",
        _("a call for help with no details: call the sender back"),
    ),
    _rule(r"not understood: read it", _("not understood by the engine: read it")),
    _rule(
        r"events negated or denied: not an alert",
        _("the events named are negated or denied: not an alert"),
    ),
    _rule(
        r"events the text names are denied: not counted",
        _("the text denies the events it names: they are not counted"),
    ),
    _rule(
        r"denial ignored: urgency or a plea in the same text",
        _("denial set aside: the same text speaks of urgency or calls for help"),
    ),
    _rule(
        r"a word that may be a cry for help, alone: a plea",
        _("a word on its own that may be a cry for help: treated as a call for help"),
    ),
    _rule(
        r"low reliability never demotes a text not understood",
        _("low reliability never lowers a text the engine did not understand"),
    ),
    _rule(
        r"reporter reliability (?P<score>[\d.]+) < (?P<threshold>[\d.]+): one level down",
        _("reporter reliability %(score)s below %(threshold)s: one level lower"),
    ),
    _rule(
        r"low reliability never demotes a threat to life",
        _("low reliability never lowers a threat to life"),
    ),
    _rule(
        r"missed call: priority 2 until called back",
        _("missed call: priority 2 until someone calls back"),
    ),
    _rule(r"first place named in the text", _("first place named in the text")),
    _rule(
        r"first place named in the text \(lowercase fuzzy matches skipped for an exact name\)",
        _("first place named in the text (rough lowercase matches set aside for an exact name)"),
    ),
    _rule(r"no place named: reporter's home", _("no place named: the reporter's home")),
    _rule(r"no place named and no home known", _("no place named and no home known")),
    _rule(
        r"nearest of (?P<n>\d+) entries to the reporter's home",
        _("the nearest of %(n)s places of that name to the reporter's home"),
    ),
    _rule(
        r"first of (?P<n>\d+) entries \(no home to compare\)",
        _("the first of %(n)s places of that name (no home to compare with)"),
    ),
    _rule(r"too few recognised words", _("too few words recognised")),
    _rule(r"only entry with this name", _("the only place of that name")),
    _rule(r"(?P<a>\w+) and (?P<b>\w+) too close", _("%(a)s and %(b)s too close to choose")),
    _rule(
        r"most recognised words \((?P<language>\w+)\), lead of (?P<margin>[\d.]+)",
        _("most words recognised in %(language)s, ahead by %(margin)s"),
    ),
)


def _words(name: str, value: str) -> str:
    if name == "category":
        return str(CATEGORY_LABELS.get(value, value))
    if name in ("language", "a", "b"):
        label = str(LANGUAGE_NAMES.get(value, value))
        # Inside a French sentence a language takes no capital: "en français".
        return label.lower() if (get_language() or "").startswith("fr") else label
    return value


def rule_in_words(rule: str) -> tuple[str, bool]:
    """(text, translated): the rule in the active language when a pattern knows it."""
    for known in RULES:
        match = known.pattern.match(rule)
        if match:
            params = {name: _words(name, value) for name, value in match.groupdict().items()}
            return str(known.text) % params, True
    return rule, False
