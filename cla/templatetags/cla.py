"""Template filters of the cla pages: labels for codes, masked identities."""

from django import template

from core import roles
from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES

register = template.Library()

_CATEGORY_LABELS = dict(CATEGORY_CHOICES)
_RISK_FACTOR_LABELS = dict(RISK_FACTOR_CHOICES)


@register.filter
def visit_category(code: str) -> str:
    return _CATEGORY_LABELS.get(code, code)


@register.filter
def visit_risk_factor(code: str) -> str:
    return _RISK_FACTOR_LABELS.get(code, code)


@register.filter
def mask_name(name: str) -> str:
    return roles.mask_name(name)


@register.filter
def mask_phone(phone: str) -> str:
    return roles.mask_phone(phone)
