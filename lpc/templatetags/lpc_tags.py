"""Labels for the codes committee records carry."""

from django import template

from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES_NUMBERED

register = template.Library()

_CATEGORY_LABELS = dict(CATEGORY_CHOICES)
_RISK_FACTOR_LABELS = dict(RISK_FACTOR_CHOICES_NUMBERED)


@register.filter
def category_label(code: str) -> str:
    return str(_CATEGORY_LABELS.get(code, code))


@register.filter
def risk_factor_label(code: str) -> str:
    return str(_RISK_FACTOR_LABELS.get(code, code))


@register.filter
def group_counts(row, codes: list[str]) -> list[int]:
    """A report row's members present for each group, in the report's column order."""
    return row.groups(codes)
