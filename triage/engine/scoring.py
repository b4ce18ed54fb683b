"""From matched terms to categories, risk factors and priority, recording each rule applied."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .constants import (
    BASE_PRIORITY,
    CASUALTY_COUNT_WINDOW,
    CATEGORY_RISK_FACTORS,
    CONTEXT_CATEGORIES,
    EVENT_CATEGORIES,
    EXCLAMATION_RUN,
    HINT_WEIGHT,
    LOW_RELIABILITY,
    MASS_CASUALTIES,
    MIN_CATEGORY_SCORE,
    NOT_ALERT_UNREAD_ALLOWANCE,
    NOT_ALERT_UNREAD_PER_EVIDENCE,
    SEVERITY_ORDER,
    URGENCY_PROMOTES,
)
from .matching import TermMatch
from .normalise import Token


def collect_signals(matches: list[TermMatch], exclamations: int) -> tuple[set[str], list[str]]:
    signals: set[str] = set()
    rules: list[str] = []
    for match in matches:
        if not match.negated:
            signals.update(match.term.signals)
    if exclamations >= EXCLAMATION_RUN:
        signals.add("urgent")
        rules.append(f"{exclamations} exclamation marks count as urgency")
    return signals, rules


def count_casualties(tokens: list[Token], matches: list[TermMatch]) -> list[dict[str, Any]]:
    """Numbers written before a casualty word: ``20 morts``, ``watu 3 wameuawa``."""
    counts = []
    for match in matches:
        if match.negated or "casualty" not in match.term.signals:
            continue
        for tok in reversed(tokens[max(0, match.start - CASUALTY_COUNT_WINDOW) : match.start]):
            if tok.is_number:
                counts.append({"count": int(tok.norm), "term": match.normalised})
                break
    return counts


def score_categories(
    matches: list[TermMatch], hint_category: str | None
) -> tuple[list[str], dict[str, Any]]:
    scores: dict[str, float] = defaultdict(float)
    rules: list[str] = []
    for match in matches:
        if match.negated:
            continue
        for code, weight in match.term.categories.items():
            scores[code] += weight
    if hint_category and hint_category in BASE_PRIORITY and hint_category != "other":
        scores[hint_category] += HINT_WEIGHT
        rules.append(f"keypad hint adds {HINT_WEIGHT:g} to {hint_category}")
    kept = {c: s for c, s in scores.items() if s >= MIN_CATEGORY_SCORE and c != "other"}
    if not kept:
        rules.append("no category reached the minimum score: other")
        return ["other"], {"scores": dict(scores), "rules": rules}

    def rank(code: str) -> tuple[float, int]:
        return (-kept[code], SEVERITY_ORDER.index(code))

    events = sorted((c for c in kept if c in EVENT_CATEGORIES), key=rank)
    context = sorted((c for c in kept if c in CONTEXT_CATEGORIES), key=rank)
    if events:
        rules.append(f"harm done ({events[0]}) outranks context categories as the main one")
    ordered = events + context
    return ordered, {"scores": dict(scores), "kept": kept, "rules": rules}


def decide_risk_factors(
    matches: list[TermMatch],
    categories: list[str],
    signals: set[str],
    casualties: list[dict[str, Any]],
) -> tuple[list[str], dict[str, Any]]:
    found: dict[str, list[str]] = defaultdict(list)
    for match in matches:
        if match.negated:
            continue
        for rf in match.term.risk_factors:
            found[rf].append(f"term:{match.normalised}")
    for code in categories:
        for rf in CATEGORY_RISK_FACTORS.get(code, ()):
            found[rf].append(f"category:{code}")
    harm = any(c in EVENT_CATEGORIES for c in categories)
    if harm and "protected_site" in signals:
        found["RF13"].append("rule: harm at a protected site (health centre, school, camp)")
    if harm and "humanitarian" in signals:
        found["RF14"].append("rule: harm to humanitarian or peacekeeping personnel")
    if harm and "state_actor" in signals:
        found["RF3"].append("rule: harm attributed to State security forces")
    if "mass" in signals or sum(c["count"] for c in casualties) >= MASS_CASUALTIES:
        found["RF11"].append("rule: many victims in one event")
    ordered = sorted(found, key=lambda rf: int(rf[2:]))
    return ordered, {"value": ordered, "because": {rf: found[rf] for rf in ordered}}


def decide_priority(
    categories: list[str],
    signals: set[str],
    casualties: list[dict[str, Any]],
    reliability: float | None,
    *,
    not_alert_evidence: dict[str, list[str]] | None = None,
    unread: int = 0,
) -> tuple[int, dict[str, Any]]:
    """Priority from the categories and signals. "Not an alert" (4) only on evidence: a text
    with no category and nothing that says it is harmless is "not understood" (2)."""
    rules: list[str] = []
    per_category: dict[str, int] = {}
    for code in categories:
        level = BASE_PRIORITY[code]
        if level > 1 and code in URGENCY_PROMOTES and "urgent" in signals:
            level = 1
            rules.append(f"{code} happening now: 1")
        elif level > 1 and code == "armed_presence" and signals & {"entry", "distress"}:
            level = 1
            rules.append("armed men entering or people in danger: 1")
        per_category[code] = level
    priority = min(per_category.values())
    if priority > 1 and (signals & {"life", "distress"} or casualties):
        priority = 1
        if categories == ["other"] and "distress" in signals and not casualties:
            rules.append("plea without details: call back")
        else:
            rules.append("threat-to-life words or casualties: 1 (when in doubt, 1)")
    understood = True
    if priority == 4:
        evidence = not_alert_evidence or {}
        pieces = sum(len(words) for words in evidence.values())
        allowed = NOT_ALERT_UNREAD_ALLOWANCE + NOT_ALERT_UNREAD_PER_EVIDENCE * max(pieces - 1, 0)
        if pieces and unread <= allowed:
            if "non_alert" in evidence:
                rules.append("greeting, test, thanks or request: not an alert")
            else:
                rules.append("events negated or denied: not an alert")
        else:
            priority, understood = 2, False
            rules.append("not understood: read it")
    if not understood and reliability is not None and reliability < LOW_RELIABILITY:
        rules.append("low reliability never demotes a text not understood")
    elif reliability is not None and reliability < LOW_RELIABILITY and priority in (2, 3):
        priority += 1
        rules.append(f"reporter reliability {reliability:g} < {LOW_RELIABILITY:g}: one level down")
    elif reliability is not None and reliability < LOW_RELIABILITY and priority == 1:
        rules.append("low reliability never demotes a threat to life")
    return priority, {"value": priority, "per_category": per_category, "rules": rules}
