"""The triage engine's reasons in the reader's language.

The engine writes its rules as short English sentences, stored with each alert (the engine
knows no Django). They follow a small set of patterns; each is matched here and shown through
gettext, so a French analyst reads "attaque en cours : priorité 1". A rule no pattern knows is
shown as written, marked as English.
"""

import re
from dataclasses import dataclass

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES_NUMBERED
from triage.constants import SIGNAL_LABELS

CATEGORY_LABELS = dict(CATEGORY_CHOICES)
RISK_FACTOR_LABELS_NUMBERED = dict(RISK_FACTOR_CHOICES_NUMBERED)
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


# --- The evidence behind each decision, in sentences ------------------------------------------
# The engine stores its evidence as data (alerts.Alert.explanation); these read it back for an
# analyst: which words led to which category and priority, what was set aside and why. Only
# what a reader can act on is said; the engine's internal names never reach the page.

RISK_FACTOR_RULES = {
    "rule: harm at a protected site (health centre, school, camp)": _(
        "harm at a protected site (health centre, school, camp)"
    ),
    "rule: harm to humanitarian or peacekeeping personnel": _(
        "harm to humanitarian or peacekeeping personnel"
    ),
    "rule: harm attributed to State security forces": _("harm attributed to State security forces"),
    "rule: many victims in one event": _("many victims in one event"),
}


def _quoted(words) -> str:
    return ", ".join(f"« {w} »" if _is_french() else f"“{w}”" for w in words)


def _is_french() -> bool:
    return (get_language() or "").startswith("fr")


def _category(code: str) -> str:
    return str(CATEGORY_LABELS.get(code, code))


def _risk_factor(code: str) -> str:
    return str(RISK_FACTOR_LABELS_NUMBERED.get(code, code))


def _live_terms(terms: list) -> list[dict]:
    return [t for t in terms if isinstance(t, dict) and not t.get("negated")]


def _words_for(terms: list, *, category: str | None = None, risk_factor: str | None = None):
    words = []
    for term in _live_terms(terms):
        if category and category not in (term.get("categories") or {}):
            continue
        if risk_factor and risk_factor not in (term.get("risk_factors") or []):
            continue
        words.append(term.get("text") or term.get("normalised") or "")
    return [w for w in dict.fromkeys(words) if w]


def _negation(term: dict) -> str:
    """Why a negated term was set aside, in words."""
    how = str(term.get("negated_by") or "")
    kind, _sep, word = how.partition(":")
    if kind == "denied":
        return gettext("the text denies it (%(words)s)") % {"words": _quoted([word])}
    if kind in ("negator", "negator after") and word:
        return gettext("the text negates it (%(words)s)") % {"words": _quoted([word])}
    if how == "negative verb form":
        return gettext("the verb is in the negative")
    return gettext("the text negates it")


def category_sentences(data: dict, terms: list) -> list[str]:
    sentences = []
    kept = data.get("kept") or {}
    for code in data.get("value") or []:
        words = _words_for(terms, category=code)
        if words:
            sentences.append(
                gettext("%(category)s: from the words %(words)s.")
                % {"category": _category(code), "words": _quoted(words)}
            )
        elif code != "other":
            sentences.append(
                gettext("%(category)s: from the key pressed on the phone.")
                % {"category": _category(code)}
            )
    for code in data.get("scores") or {}:
        if code not in kept and code != "other":
            sentences.append(
                gettext("%(category)s set aside: too little in the text (%(words)s).")
                % {
                    "category": _category(code),
                    "words": _quoted(_words_for(terms, category=code)) or "—",
                }
            )
    return sentences


def _terms_sentences(terms: list) -> list[str]:
    sentences = []
    for term in terms:
        if not isinstance(term, dict):
            continue
        word = term.get("text") or term.get("normalised") or ""
        about = [_category(code) for code in (term.get("categories") or {})]
        about += [str(SIGNAL_LABELS[s]) for s in term.get("signals") or [] if s in SIGNAL_LABELS]
        about_text = ", ".join(about) or gettext("context only")
        spelling = ""
        entry = term.get("entry") or ""
        if term.get("match") not in ("exact", "squeezed", None) and entry:
            spelling = " " + gettext("(read as %(entry)s)") % {"entry": _quoted([entry])}
        if term.get("negated"):
            sentences.append(
                gettext("%(word)s%(spelling)s: %(about)s; not counted, %(why)s.")
                % {
                    "word": _quoted([word]),
                    "spelling": spelling,
                    "about": about_text,
                    "why": _negation(term),
                }
            )
        else:
            sentences.append(
                gettext("%(word)s%(spelling)s: %(about)s.")
                % {"word": _quoted([word]), "spelling": spelling, "about": about_text}
            )
    return sentences


def risk_factor_sentences(data: dict, terms: list) -> list[str]:
    sentences = []
    for code, reasons in (data.get("because") or {}).items():
        words, categories, rules = [], [], []
        for reason in reasons or []:
            reason = str(reason)
            if reason.startswith("term:"):
                words.append(reason[5:])
            elif reason.startswith("category:"):
                categories.append(_category(reason[9:]))
            else:
                rules.append(str(RISK_FACTOR_RULES.get(reason, reason)))
        # The reader's own spelling of the words, where the terms keep it.
        spelled = {t.get("normalised"): t.get("text") for t in _live_terms(terms)}
        parts = []
        if words:
            parts.append(
                gettext("the words %(words)s")
                % {"words": _quoted(spelled.get(w) or w for w in dict.fromkeys(words))}
            )
        if categories:
            parts.append(
                gettext("the category %(categories)s")
                % {"categories": ", ".join(dict.fromkeys(categories))}
            )
        parts += rules
        sentences.append(
            gettext("%(risk_factor)s: because of %(reasons)s.")
            % {"risk_factor": _risk_factor(code), "reasons": "; ".join(parts) or "—"}
        )
    return sentences


def priority_sentences(data: dict) -> list[str]:
    sentences = []
    for code, level in (data.get("per_category") or {}).items():
        sentences.append(
            gettext("%(category)s alone gives priority %(level)s.")
            % {"category": _category(code), "level": level}
        )
    signals = [str(SIGNAL_LABELS[s]) for s in data.get("signals") or [] if s in SIGNAL_LABELS]
    if signals:
        sentences.append(gettext("The text speaks of: %(signs)s.") % {"signs": ", ".join(signals)})
    for casualty in data.get("casualties") or []:
        if isinstance(casualty, dict):
            sentences.append(
                gettext("Victims counted: %(count)s (%(words)s).")
                % {"count": casualty.get("count"), "words": _quoted([casualty.get("term", "")])}
            )
    reading = data.get("reading") or {}
    evidence = reading.get("not_alert_evidence") or {}
    if evidence.get("non_alert"):
        sentences.append(
            gettext("Words of a greeting, test, thanks or request: %(words)s.")
            % {"words": _quoted(evidence["non_alert"])}
        )
    if evidence.get("denied"):
        sentences.append(
            gettext("Words that deny the events: %(words)s.")
            % {"words": _quoted(evidence["denied"])}
        )
    if evidence.get("negated"):
        sentences.append(
            gettext("Set aside because the text negates them: %(words)s.")
            % {"words": _quoted(evidence["negated"])}
        )
    if reading.get("unread_words"):
        sentences.append(
            gettext("Words the engine did not recognise (read them): %(words)s.")
            % {"words": _quoted(reading["unread_words"])}
        )
    return sentences


def place_sentences(data: dict) -> list[str]:
    sentences = []
    for match in data.get("matches") or []:
        if not isinstance(match, dict):
            continue
        said = match.get("text") or ""
        name = match.get("place") or match.get("gazetteer_name") or ""
        how = (
            gettext("spelt as in the list of places")
            if match.get("match") in ("exact", "squeezed")
            else gettext("a close spelling")
        )
        sentence = gettext("%(said)s in the text: %(place)s, %(how)s") % {
            "said": _quoted([said]),
            "place": name,
            "how": how,
        }
        if match.get("rule"):
            sentence += f" ({rule_in_words(str(match['rule']))[0]})"
        sentences.append(sentence + ".")
    return sentences


def language_sentences(data: dict) -> list[str]:
    scores = data.get("scores") or {}
    counted = [
        gettext("%(language)s %(count)s")
        % {"language": _words("language", code), "count": f"{n:g}"}
        for code, n in sorted(scores.items(), key=lambda item: -item[1])
        if isinstance(n, int | float) and n > 0
    ]
    if not counted:
        return []
    return [gettext("Words recognised per language: %(counts)s.") % {"counts": ", ".join(counted)}]


def section_sentences(key: str, data, explanation: dict) -> list[str]:
    """The evidence of one section of the explanation, as sentences for an analyst."""
    terms = explanation.get("terms") if isinstance(explanation.get("terms"), list) else []
    if key == "terms" and isinstance(data, list):
        return _terms_sentences(data)
    if not isinstance(data, dict):
        return []
    builders = {
        "categories": lambda: category_sentences(data, terms),
        "risk_factors": lambda: risk_factor_sentences(data, terms),
        "priority": lambda: priority_sentences(data),
        "place": lambda: place_sentences(data),
        "language": lambda: language_sentences(data),
    }
    builder = builders.get(key)
    return builder() if builder else []
