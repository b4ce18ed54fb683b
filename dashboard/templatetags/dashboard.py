"""Template helpers for the analyst dashboard: labels for codes, badges, the triage explanation."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert, unit_name_in_words
from core import roles
from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES_NUMBERED
from triage.constants import EVENT_NOTES, MECHANISM_LABELS
from triage.selectors import claim_holder

from ..explanations import rule_in_words, section_sentences
from ..page_context import is_overdue

register = template.Library()

CATEGORY_LABELS = dict(CATEGORY_CHOICES)

RISK_FACTOR_LABELS = dict(RISK_FACTOR_CHOICES_NUMBERED)  # "FR1 · Conflit armé…"

PRIORITY_LABELS = {
    1: _("Threat to life now"),
    2: _("Urgent"),
    3: _("Concern"),
    4: _("Information"),
}

# The explanation's sections, in reading order, with their headings.
EXPLANATION_SECTIONS = (
    ("priority", _("Priority")),
    ("priority_rule", _("Priority rule")),
    ("categories", _("Categories")),
    ("risk_factors", _("Risk factors")),
    ("place", _("Place")),
    ("language", _("Language")),
    ("terms", _("Recognised terms")),
)
# Sections whose evidence shows unfolded: the words behind the categories and the priority.
OPEN = frozenset({"priority", "categories"})


EMPTY = mark_safe('<span class="muted">—</span>')  # noqa: S308 (a constant)


@register.filter
def mask_name(name: str) -> str:
    return roles.mask_name(name)


@register.filter
def mask_phone(phone: str) -> str:
    return roles.mask_phone(phone)


@register.filter
def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)


@register.filter
def risk_factor_label(code: str) -> str:
    """The risk factor's number and name, as people read it ("FR1 · Conflit armé…")."""
    return str(RISK_FACTOR_LABELS.get(code, code))


@register.filter
def priority_label(priority: int | None) -> str:
    if priority is None:
        return _("Not yet triaged")
    return PRIORITY_LABELS.get(priority, str(priority))


@register.filter
def ago(value: dt.datetime | None) -> str:
    """'5 minutes ago', or 'just now' under a minute; one unit is enough in a table."""
    if value is None:
        return ""
    now = timezone.now()
    if value > now:
        return _("in %(time)s") % {"time": timeuntil(value, now, depth=1)}
    if (now - value).total_seconds() < 60:
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(value, now, depth=1)}


@register.simple_tag
def priority_badge(priority: int | None):
    if priority is None:
        return format_html(
            '<span class="badge badge-untriaged" title="{}">P?</span>', _("Not yet triaged")
        )
    return format_html(
        '<span class="badge badge-p{}" title="{}">P{}</span>',
        priority,
        PRIORITY_LABELS.get(priority, ""),
        priority,
    )


@register.filter
def overdue(alert, now=None) -> bool:
    """Past its deadline and not acknowledged yet (an acknowledged alert is never overdue)."""
    return is_overdue(alert, now=now)


@register.simple_tag
def working_on(alert, now=None):
    """The user working on the alert now (a fresh claim), or None."""
    return claim_holder(alert, now=now)


@register.filter
def mechanism_labels(codes) -> str:
    return ", ".join(str(MECHANISM_LABELS.get(code, code)) for code in codes or ())


@register.filter
def person(user) -> str:
    return user.get_full_name() or user.get_username() if user else ""


def _value(value) -> str:
    """A JSON value as readable HTML: lists inline, objects as nested definition lists."""
    if isinstance(value, dict):
        if not value:
            return EMPTY
        rows = format_html_join(
            "",
            "<dt>{}</dt><dd>{}</dd>",
            ((str(key).replace("_", " "), _value(item)) for key, item in value.items()),
        )
        return format_html('<dl class="kv">{}</dl>', rows)
    if isinstance(value, list):
        if not value:
            return EMPTY
        if all(not isinstance(item, dict | list) for item in value):
            return format_html_join(", ", "{}", ((str(item),) for item in value))
        return format_html(
            '<ul class="plain">{}</ul>',
            format_html_join("", "<li>{}</li>", ((_value(i),) for i in value)),
        )
    if value is None:
        return EMPTY
    if isinstance(value, float):
        return format_html("{}", f"{value:.2f}")
    return format_html("{}", value)


def _decided(key: str, value, alert):
    """The decided value in words where a code or an id would mean little to a reader."""
    if key == "priority" and isinstance(value, int):
        return f"P{value} · {PRIORITY_LABELS.get(value, '')}"
    if key == "categories" and isinstance(value, list):
        return ", ".join(str(CATEGORY_LABELS.get(code, code)) for code in value)
    if key == "language" and isinstance(value, str):
        return dict(alert.Language.choices).get(value, value)
    if key == "risk_factors" and isinstance(value, list):
        return ", ".join(risk_factor_label(code) for code in value)
    if key == "place":  # an id: the name when it is still the alert's place
        return alert.location.name if value is not None and value == alert.location_id else None
    return value


@register.simple_tag
def explanation_sections(alert) -> list[dict]:
    """Split Alert.explanation into sections: the decided value, the rules that led to it,
    and the evidence in sentences (the words behind each category, what was set aside)."""
    explanation = alert.explanation
    if not isinstance(explanation, dict):
        return []
    sections = []
    for key, label in EXPLANATION_SECTIONS:
        if key not in explanation:
            continue
        data = explanation[key]
        section = {"key": key, "label": label, "value": "", "rules": [], "open": key in OPEN}
        if isinstance(data, dict):
            if "value" in data:
                section["value"] = _value(_decided(key, data["value"], alert))
            rules = ([data["rule"]] if data.get("rule") else []) + list(data.get("rules") or [])
            section["rules"] = [
                dict(zip(("text", "translated"), rule_in_words(str(r)), strict=True)) for r in rules
            ]
        elif isinstance(data, str):  # a rule on its own, e.g. the missed-call priority
            section["rules"] = [dict(zip(("text", "translated"), rule_in_words(data), strict=True))]
        section["details"] = section_sentences(key, data, explanation)
        if section["value"] or section["rules"] or section["details"]:
            sections.append(section)
    return sections


@register.filter
def event_note(note: str) -> str:
    """A history note in the reader's language when triage wrote it as a fixed code."""
    return str(EVENT_NOTES.get(note, note))


def _event_value(kind: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if kind == "status" and value in Alert.Status.values:
        return str(Alert.Status(value).label)
    if kind == "priority":
        return f"P{value}"
    if kind == "categories":
        return ", ".join(str(CATEGORY_LABELS.get(code, code)) for code in value)
    if kind == "risk_factors":
        return ", ".join(risk_factor_label(code) for code in value)
    if kind == "language" and value in Alert.Language.values:
        return str(Alert.Language(value).label)
    if kind == "escalated_to" and isinstance(value, dict):
        return unit_name_in_words(str(value.get("name") or ""))
    if isinstance(value, dict):
        return str(value.get("name") or value.get("username") or value.get("reference") or "")
    return str(value)


@register.simple_tag
def event_change(event) -> str:
    """One history entry's change in words: "Triaged → Acknowledged", "P3 → P1", a unit's name."""
    if event.kind == "triaged":
        after = event.after or {}
        categories = _event_value("categories", after.get("categories"))
        return f"P{after.get('priority')} · {categories}"
    if event.kind == "new_message":  # what the reporter's new text changed
        before, after = event.before or {}, event.after or {}
        priority = _event_value("priority", after.get("priority"))
        if before.get("priority") != after.get("priority"):
            priority = f"{_event_value('priority', before.get('priority'))} → {priority}"
        return f"{priority} · {_event_value('categories', after.get('categories'))}"
    if event.kind == "revealing_reply":  # the words an analyst chose to send anyway
        return ", ".join(f"“{word}”" for word in (event.after or {}).get("words", []))
    if event.kind == "informant_threat":
        return (
            gettext("broadcasts to the reporter paused")
            if (event.after or {}).get("marked")
            else ""
        )
    before, after = event.before, event.after
    if before is None and after is None:
        return ""
    if before is None:
        return _event_value(event.kind, after)
    return f"{_event_value(event.kind, before)} → {_event_value(event.kind, after)}"
