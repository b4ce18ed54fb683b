"""{{ row.choices|count_of:number }}: a poll result's count for one answer."""

from django import template

register = template.Library()


@register.filter
def count_of(counts: dict, number) -> int:
    return (counts or {}).get(number, 0)
