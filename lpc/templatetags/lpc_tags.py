"""Labels for the codes committee records carry."""

from django import template

from alerts.selectors import CATEGORY_CHOICES

from ..constants import RISK_FACTOR_CHOICES

register = template.Library()

_CATEGORY_LABELS = dict(CATEGORY_CHOICES)
_RISK_FACTOR_LABELS = dict(RISK_FACTOR_CHOICES)


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
