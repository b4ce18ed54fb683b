"""Reads of alerts and messages, and the filters the API and dashboard share."""

import re

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Alert, Message

# The largest id a database stores (a signed 64-bit integer): a larger one in a filter is a 400
# rather than an overflow inside the database driver.
MAX_ID = 2**63 - 1
REFERENCE = re.compile(r"^\s*A-(\d{4})-0*(\d+)\s*$", re.IGNORECASE)
# The categories triage assigns, with the words people read for them (dashboard, exports).
CATEGORY_CHOICES = (
    ("attack", _("Attack")),
    ("armed_presence", _("Armed presence")),
    ("abduction", _("Abduction")),
    ("sexual_violence", _("Sexual violence")),
    ("displacement", _("Displacement")),
    ("looting", _("Looting")),
    ("hate_speech", _("Hate speech")),
    ("intercommunal_tension", _("Intercommunal tension")),
    ("other", _("Other")),
)
CATEGORY_CODES = tuple(code for code, _label in CATEGORY_CHOICES)


def alert_list() -> QuerySet[Alert]:
    return Alert.objects.select_related("location", "assignee", "reporter")


def alert_thread(*, alert: Alert) -> QuerySet[Message]:
    return alert.messages.order_by("created_at", "id")


class _AnyOrChoicesField(django_filters.fields.MultipleChoiceField):
    """A select's "any" option sends an empty value: read it as no choice, not a wrong one."""

    def to_python(self, value) -> list[str]:
        return [item for item in super().to_python(value) if item != ""]


class AnyOrChoicesFilter(django_filters.MultipleChoiceFilter):
    field_class = _AnyOrChoicesField


class AlertFilter(django_filters.FilterSet):
    status = AnyOrChoicesFilter(choices=Alert.Status.choices)
    priority = django_filters.NumberFilter(min_value=1, max_value=4)
    category = django_filters.ChoiceFilter(choices=CATEGORY_CHOICES, method="filter_category")
    source = AnyOrChoicesFilter(choices=Alert.Source.choices)
    network = django_filters.NumberFilter(method="filter_network", min_value=1, max_value=MAX_ID)
    location = django_filters.NumberFilter(method="filter_location", min_value=1, max_value=MAX_ID)
    assignee = django_filters.NumberFilter(min_value=1, max_value=MAX_ID)
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="filter_q", max_length=200)

    class Meta:
        model = Alert
        fields: list[str] = []

    def filter_category(self, queryset, name, value):
        # JSON list stored as text on every backend: match the quoted code.
        return queryset.filter(categories__icontains=f'"{value}"')

    def filter_network(self, queryset, name, value):
        return queryset.filter(
            reporter__memberships__network_id=value, reporter__memberships__left_on__isnull=True
        ).distinct()

    def filter_location(self, queryset, name, value):
        # The place itself or anything below it (a territory's villages), up to three levels.
        return queryset.filter(
            Q(location_id=value)
            | Q(location__parent_id=value)
            | Q(location__parent__parent_id=value)
            | Q(location__parent__parent__parent_id=value)
        )

    def filter_q(self, queryset, name, value):
        match = REFERENCE.match(value)
        if match:
            return queryset.filter(pk=int(match.group(2)))
        return queryset.filter(Q(text__icontains=value) | Q(location__name__icontains=value))
