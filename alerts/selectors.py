"""Reads of alerts and messages, and the filters the API and dashboard share."""

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.roles import roles_with
from core.search import Fold, fold
from core.taxonomy import CATEGORY_CHOICES
from networks import selectors as network_selectors
from networks.models import Location, Membership, Network
from networks.selectors import location_ids_within, location_ids_within_any

from .models import (
    Alert,
    AlertEvent,
    Broadcast,
    BroadcastRecipient,
    Message,
    OptOut,
    Recording,
)
from .segments import count_segments

# The largest id a database stores (a signed 64-bit integer): a larger one in a filter is a 400
# rather than an overflow inside the database driver.
MAX_ID = 2**63 - 1
# An alert's reference as people type it: "A-2026-00125", "2026-00125" (the year and number), or
# the number alone ("00125", "125"), which may also be a number in a text.
REFERENCE = re.compile(r"^\s*(?:A\s*-?\s*)?(?:(\d{4})\s*-\s*)?0*(\d{1,18})\s*$", re.IGNORECASE)

QUEUE_TABS = ("open", "mine", "unassigned", "overdue")
# Untriaged alerts (no priority yet) come first: nobody has assessed them, so any of them may be
# a threat to life, and triage normally takes seconds, so one that lingers needs a human look.
# Then P1 before P4, the nearest deadline first (none last), and the newest.
QUEUE_ORDER = (
    F("priority").asc(nulls_first=True),
    F("sla_due_at").asc(nulls_last=True),
    F("received_at").desc(),
    F("pk").desc(),
)


# A reporter's reliability needs this many checked alerts before it counts at all.
RELIABILITY_MIN_OUTCOMES = 3


def reporter_outcomes(*, reporter_id: int) -> dict[str, int]:
    """How the reporter's past alerts turned out once checked: verified, unverified, false alarm
    (kept when an alert is later escalated or closed)."""
    counts = dict.fromkeys(Alert.Outcome.values, 0)
    rows = (
        Alert.objects.filter(reporter_id=reporter_id)
        .exclude(outcome="")
        .values_list("outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts.update(dict(rows))
    return counts


def reporter_outcome_counts(reporter: str = "reporter_id") -> dict[str, Subquery]:
    """Annotations counting, for each alert of a queryset, how its reporter's checked alerts
    turned out (one `outcome_<code>` per outcome), so the alert and its reporter's record
    come back in one statement. Read them with `annotated_outcomes`."""
    return {
        f"outcome_{outcome}": Coalesce(
            Subquery(
                Alert.objects.filter(reporter_id=OuterRef(reporter), outcome=outcome)
                .order_by()
                .values("reporter_id")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )
        for outcome in Alert.Outcome.values
    }


def annotated_outcomes(row) -> dict[str, int] | None:
    """The outcome counts `reporter_outcome_counts` put on `row`, or None when it has none."""
    try:
        return {outcome: getattr(row, f"outcome_{outcome}") for outcome in Alert.Outcome.values}
    except AttributeError:
        return None


def reliability_score(outcomes: dict[str, int]) -> float | None:
    """Share of a reporter's checked alerts that held up, smoothed towards one half (an
    unverified alert counts half): None until there are enough to say anything."""
    verified = outcomes.get(Alert.Outcome.VERIFIED, 0)
    unverified = outcomes.get(Alert.Outcome.UNVERIFIED, 0)
    total = verified + unverified + outcomes.get(Alert.Outcome.FALSE_ALARM, 0)
    if total < RELIABILITY_MIN_OUTCOMES:
        return None
    return round((verified + unverified / 2 + 1) / (total + 2), 2)


def reporter_reliability(*, reporter_id: int) -> float | None:
    return reliability_score(reporter_outcomes(reporter_id=reporter_id))


def triage_corrections(*, since: dt.datetime, until: dt.datetime) -> dict:
    """How often analysts corrected the triage engine on alerts it triaged in [since, until):
    per decision, the alerts with at least one correction, and the accuracy that leaves; plus
    the recall of priority 1 (alerts people ended up treating as priority 1 that triage had
    already put first). A handful of queries whatever the volume."""
    triaged = Alert.objects.filter(triaged_at__gte=since, triaged_at__lt=until)
    total = triaged.count()
    corrected = dict(
        AlertEvent.objects.filter(
            alert__in=triaged, kind__in=AlertEvent.CORRECTIONS, by__isnull=False
        )
        .values_list("kind")
        .annotate(n=Count("alert_id", distinct=True))
        .order_by()
    )
    final_p1 = triaged.filter(priority=1)
    p1_total = final_p1.count()
    p1_hits = AlertEvent.objects.filter(
        alert__in=final_p1, kind=AlertEvent.Kind.TRIAGED, after__priority=1
    ).count()
    summary = {"n": total, "since": since.isoformat(), "until": until.isoformat()}
    for kind, key in (
        ("categories", "category"),
        ("priority", "priority"),
        ("location", "place"),
        ("language", "language"),
        ("risk_factors", "risk_factor"),
    ):
        summary[f"{key}_corrections"] = corrected.get(kind, 0)
        summary[f"{key}_accuracy"] = round(1 - corrected.get(kind, 0) / total, 4) if total else None
    summary["priority1_total"] = p1_total
    summary["priority1_recall"] = round(p1_hits / p1_total, 4) if p1_total else None
    return summary


def alert_list() -> QuerySet[Alert]:
    return Alert.objects.select_related("location", "assignee", "reporter")


def alert_history(*, alert: Alert) -> QuerySet[AlertEvent]:
    return alert.events.select_related("by").order_by("at", "id")


def alert_thread(*, alert: Alert) -> QuerySet[Message]:
    return alert.messages.select_related("sent_by").order_by("created_at", "id")


def alert_queue() -> QuerySet[Alert]:
    """Alerts as the queue's rows show them: with their place and assignee, but without the
    reporter or the sender's number and the triage explanation, which a row never shows and
    which would otherwise be read (and decrypted) on every poll."""
    return Alert.objects.select_related("location", "assignee").defer("sender", "explanation")


def alerts_open(queryset: QuerySet[Alert]) -> QuerySet[Alert]:
    return queryset.filter(status__in=Alert.OPEN_STATUSES)


def alerts_assigned_to(queryset: QuerySet[Alert], *, user: User) -> QuerySet[Alert]:
    return queryset.filter(assignee=user)


def alerts_unassigned(queryset: QuerySet[Alert]) -> QuerySet[Alert]:
    return queryset.filter(assignee__isnull=True)


def alerts_overdue(queryset: QuerySet[Alert]) -> QuerySet[Alert]:
    """Alerts past the time by which they should have been acknowledged and still not
    acknowledged: once someone has taken an alert up, its deadline is met."""
    return queryset.filter(
        status__in=(Alert.Status.NEW, Alert.Status.TRIAGED),
        acknowledged_at__isnull=True,
        sla_due_at__lt=timezone.now(),
    )


# Alerts nobody has read yet: not acknowledged, or the reporter wrote again since someone did.
UNREAD = Q(status__in=(Alert.Status.NEW, Alert.Status.TRIAGED)) | Q(
    status__in=Alert.OPEN_STATUSES, new_message_at__isnull=False
)


def alerts_with_new_message(queryset: QuerySet[Alert]) -> QuerySet[Alert]:
    """Alerts whose reporter wrote again and nobody has read it yet, the latest first: the queue
    shows them above the others. Few at any time: read apart from the queue's own order."""
    return queryset.filter(new_message_at__isnull=False).order_by("-new_message_at", "-pk")


# Priority 1 that nobody has acknowledged yet: pinned above the queue until someone does.
URGENT = Q(priority=1, status__in=(Alert.Status.NEW, Alert.Status.TRIAGED))


def alerts_urgent(queryset: QuerySet[Alert]) -> QuerySet[Alert]:
    """Unacknowledged P1 alerts, the nearest deadline first, then the oldest: the one waiting
    longest for a person stands at the top."""
    return queryset.filter(URGENT).order_by(
        F("sla_due_at").asc(nulls_last=True), "received_at", "pk"
    )


def alerts_last_change(queryset: QuerySet[Alert]):
    """When an alert of `queryset` last changed (alert_changed_at index), or None."""
    return queryset.order_by("-changed_at").values_list("changed_at", flat=True).first()


def alert_followers(*, alert: Alert) -> QuerySet[Alert]:
    """The alerts opened from texts of this alert's thread about other events, oldest first."""
    return (
        alert.followers.select_related("location")
        .defer("sender", "explanation")
        .order_by("received_at", "pk")
    )


def alert_queue_tab(
    queryset: QuerySet[Alert], *, tab: str, user: User, open_only: bool = True
) -> QuerySet[Alert]:
    """One tab of the queue (QUEUE_TABS; anything else is "open"), in queue order. Tabs keep to
    open alerts unless open_only is False; overdue ones are open by definition."""
    if open_only:
        queryset = alerts_open(queryset)
    if tab == "mine":
        queryset = alerts_assigned_to(queryset, user=user)
    elif tab == "unassigned":
        queryset = alerts_unassigned(queryset)
    elif tab == "overdue":
        queryset = alerts_overdue(queryset)
    return queryset.order_by(*QUEUE_ORDER)


# Who takes alerts up: an alert is assigned to someone holding one of these roles.


def alert_assignees() -> QuerySet[User]:
    """The active users an alert can be assigned to (the queue's assignee filter and its bulk
    assignment), by name."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=roles_with("be_assigned")))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class _AnyOrChoicesField(django_filters.fields.MultipleChoiceField):
    """A select's "any" option sends an empty value: read it as no choice, not a wrong one."""

    def to_python(self, value) -> list[str]:
        return [item for item in super().to_python(value) if item != ""]


class AnyOrChoicesFilter(django_filters.MultipleChoiceFilter):
    field_class = _AnyOrChoicesField


class _StorableDateTimeField(django_filters.fields.IsoDateTimeField):
    """A moment the database can compare with, in UTC: PostgreSQL refuses offsets beyond
    ±15:59 that ISO 8601 allows, and the moment must fall within years 1-9999 once converted
    (0001-01-01 at UTC+2 does not)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class StorableDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _StorableDateTimeField


# The assignee filter's words beside a user's id.
ASSIGNEE_ME, ASSIGNEE_NOBODY = "me", "unassigned"


class _AssigneeField(forms.CharField):
    """A user's id (1 to MAX_ID), "me" (whoever asks) or "unassigned"."""

    default_error_messages = {
        "invalid": _("Enter a user's id, “%(me)s” or “%(nobody)s”."),
    }

    def to_python(self, value) -> str | int:
        value = super().to_python(value)
        if value in self.empty_values or value in (ASSIGNEE_ME, ASSIGNEE_NOBODY):
            return value
        # ASCII digits only (int() would take "１２" and "1_2"), and no more than an id has.
        if not (value.isascii() and value.isdigit() and len(value) <= 19) or not (
            1 <= int(value) <= MAX_ID
        ):
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"me": ASSIGNEE_ME, "nobody": ASSIGNEE_NOBODY},
            )
        return int(value)


class AssigneeFilter(django_filters.CharFilter):
    field_class = _AssigneeField


class AlertFilterForm(forms.Form):
    """The alert filters' form: a period that ends before it starts is an error, not an empty
    list (the queue shows the message, the API answers 400)."""

    def clean(self):
        data = super().clean()
        after, before = data.get("received_after"), data.get("received_before")
        if after and before and before <= after:
            self.add_error(
                "received_before",
                ValidationError(
                    _("The end of the period must come after its start."), code="period_order"
                ),
            )
        return data


class AlertFilter(django_filters.FilterSet):
    status = AnyOrChoicesFilter(choices=Alert.Status.choices)
    priority = django_filters.NumberFilter(label=_("Priority"), min_value=1, max_value=4)
    category = django_filters.ChoiceFilter(choices=CATEGORY_CHOICES, method="filter_category")
    source = AnyOrChoicesFilter(choices=Alert.Source.choices)
    network = django_filters.ModelChoiceFilter(
        label=_("Network"), queryset=Network.objects.order_by("name", "pk"), method="filter_network"
    )
    territory = django_filters.ModelChoiceFilter(
        label=_("Territory"),
        queryset=network_selectors.location_of_kind("territory"),
        method="filter_territory",
    )
    location = django_filters.NumberFilter(method="filter_location", min_value=1, max_value=MAX_ID)
    assignee = AssigneeFilter(label=_("Assignee"), method="filter_assignee")
    received_after = StorableDateTimeFilter(
        label=_("Received after"), field_name="received_at", lookup_expr="gte"
    )
    received_before = StorableDateTimeFilter(
        label=_("Received before"), field_name="received_at", lookup_expr="lt"
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=200)

    class Meta:
        model = Alert
        fields: list[str] = []
        form = AlertFilterForm

    def filter_category(self, queryset, name, value):
        # JSON list stored as text on every backend: match the quoted code.
        return queryset.filter(categories__icontains=f'"{value}"')

    @extend_schema_field(OpenApiTypes.INT)
    def filter_network(self, queryset, name, value):
        # Sent by one of the network's current members (as the statistics count them). A
        # subquery rather than a join: no duplicate rows, so no DISTINCT for the queue to sort.
        members = Membership.objects.filter(network=value, left_on__isnull=True)
        return queryset.filter(reporter_id__in=members.values("focal_point_id"))

    @extend_schema_field(OpenApiTypes.INT)
    def filter_territory(self, queryset, name, value):
        return queryset.filter(location_id__in=location_ids_within(value.pk))

    def filter_location(self, queryset, name, value):
        # The place itself or anything below it (a territory's villages and their localities).
        return queryset.filter(location_id__in=location_ids_within(value))

    @extend_schema_field(
        {
            "oneOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                {"type": "string", "enum": [ASSIGNEE_ME, ASSIGNEE_NOBODY]},
            ],
            "description": "A user's id, `me` (the user asking) or `unassigned`.",
        }
    )
    def filter_assignee(self, queryset, name, value):
        if value == ASSIGNEE_NOBODY:
            return alerts_unassigned(queryset)
        if value == ASSIGNEE_ME:
            user = getattr(self.request, "user", None)
            if user is None or not user.is_authenticated:
                return queryset.none()
            return alerts_assigned_to(queryset, user=user)
        return queryset.filter(assignee_id=value)

    def filter_q(self, queryset, name, value):
        return alerts_search(queryset, value)


def _places_named(value: str) -> list[tuple[int, str]]:
    """The places whose name holds `value` (accents and case aside): (id, kind)."""
    folded = fold(value.strip())
    if not folded:
        return []
    return list(
        Location.objects.alias(folded_name=Fold("name"))
        .filter(folded_name__contains=folded)
        .order_by()
        .values_list("pk", "kind")
    )


def alerts_search(queryset: QuerySet[Alert], value: str, *, fallback_ok: bool = True):
    """The alerts of `queryset` that the queue's search `value` finds (see `search_q`)."""
    wanted = search_q(value, places=_places_named(value), fallback_ok=fallback_ok)
    return queryset.alias(folded_text=Fold("text")).filter(wanted)


def search_q(value: str, *, places: list[tuple[int, str]], fallback_ok: bool = True) -> Q:
    """The queue's search: a reference (with or without its "A-" and year, or its number
    alone), words of the text, or a place's name, the places within it included (searching a
    territory finds the alerts of its villages). Accents and case are ignored on every database
    (core.search). With `fallback_ok` False, a place below a territory matches only the alerts
    that name it, not those placed at a reporter's home there."""
    value = value.strip()
    match = REFERENCE.match(value)
    if match and (value[:1] in "aA" or match.group(1)):
        return Q(pk=int(match.group(2)))  # written as a reference: that alert only
    # The matching places' ids are read first and given as a list: an OR with a join, or
    # with a subquery, makes PostgreSQL read every alert, while a list of ids and the folded
    # text's trigram index (alert_text_fold_trgm) combine into one bitmap scan.
    coarse = [pk for pk, kind in places if fallback_ok or kind in COARSE_PLACE_KINDS]
    fine = [pk for pk, kind in places if not (fallback_ok or kind in COARSE_PLACE_KINDS)]
    # The trigram index holds triaged alerts only (intake does not write to it); the alerts
    # not triaged yet, few, are read through their own index (alert_untriaged). Both halves
    # are asked for, so PostgreSQL can use each index for its half.
    words = fold(value)
    wanted = Q(folded_text__contains=words, triaged_at__isnull=False) | Q(
        folded_text__contains=words, triaged_at__isnull=True
    )
    if coarse:
        wanted |= Q(location_id__in=sorted(location_ids_within_any(coarse)))
    if fine:
        named = sorted(location_ids_within_any(fine))
        wanted |= Q(location_id__in=named, location_is_fallback=False)
    if match:  # a bare number: the alert of that number too
        wanted |= Q(pk=int(match.group(2)))
    return wanted


# Places coarse enough to show an alert at when its only place is its reporter's home.
COARSE_PLACE_KINDS = (Location.Kind.PROVINCE, Location.Kind.TERRITORY)


class SharedAlertFilter(AlertFilter):
    """The alert filters as the API and the exports apply them. There an alert placed only at
    its reporter's home shows at its territory, so a place below a territory (by id or by name
    in `q`) matches only the alerts that name it: filtering by a village must not tell where
    reporters live."""

    def filter_location(self, queryset, name, value):
        queryset = super().filter_location(queryset, name, value)
        if Location.objects.filter(pk=value, kind__in=COARSE_PLACE_KINDS).exists():
            return queryset
        return queryset.filter(location_is_fallback=False)

    def filter_q(self, queryset, name, value):
        return alerts_search(queryset, value, fallback_ok=False)


# --- Broadcasts ----------------------------------------------------------------------------------

# Why someone in a broadcast's selection gets no SMS, in the order checked: each person counts
# once, under the first reason that applies.
BROADCAST_EXCLUSIONS = (
    ("opted_out", _("Opted out (sent STOP)")),
    ("opt_out_list", _("Number on the opt-out list")),
    ("inactive", _("Inactive")),
)
# A recipient's delivery status: the SMS's own once made, else waiting ("pending"), cancelled
# or skipped (refused when its turn came: opted out or made inactive since).
BROADCAST_DELIVERY_STATUSES = (
    ("pending", _("Pending")),
    ("queued", _("Queued")),
    ("sent", _("Sent")),
    ("delivered", _("Delivered")),
    ("undelivered", _("Undelivered")),
    ("failed", _("Failed")),
    ("cancelled", _("Cancelled")),
    ("skipped", _("Skipped")),
)


# Why a recipient got no SMS when their turn came (BroadcastRecipient.skip_reason).
BROADCAST_SKIP_REASONS = (
    ("at_risk", _("At risk: broadcasts to them are paused")),
    ("revealing", _("Discreet mode: the text would expose them")),
    ("opted_out", _("Opted out (sent STOP)")),
    ("inactive", _("Inactive")),
    ("refused", _("Refused")),
)


@dataclass(frozen=True)
class BroadcastAudience:
    recipients: list[tuple[int, str]]  # (focal point id, language), by id
    excluded: dict[str, int]  # by BROADCAST_EXCLUSIONS reason
    # Among the recipients: those at risk (skipped: broadcasts to them are paused) and those
    # in discreet mode (they get a text that reveals nothing, or are skipped).
    at_risk: frozenset[int] = frozenset()
    discreet: frozenset[int] = frozenset()

    @property
    def selected(self) -> int:
        return len(self.recipients) + sum(self.excluded.values())


@dataclass(frozen=True)
class BroadcastPreview:
    audience: BroadcastAudience
    # Per focal point language: how many, the language of the text they get, and its cost;
    # how many of them are in discreet mode, and how many of those no text can reach.
    languages: list[dict]
    segments: int  # SMS segments in all
    seconds: int  # about how long sending takes at BROADCAST_RATE_PER_SECOND
    revealing: int = 0  # discreet recipients skipped: every text would expose them


def broadcast_audience(
    *, network_ids: list[int], location_ids: list[int], focal_point_ids: list[int]
) -> BroadcastAudience:
    """Who a selection reaches: the open members of the networks, the focal points living in
    the places or anywhere below them, and the people named; each once, opted-out and inactive
    people and numbers on the opt-out list left out and counted by reason."""
    people = network_selectors.focal_point_list().prefetch_related(None).order_by()
    wanted = Q(pk__in=list(focal_point_ids))
    if network_ids:
        members = people.filter(
            memberships__network_id__in=network_ids, memberships__left_on__isnull=True
        )
        wanted |= Q(pk__in=members.values("pk"))
    place_ids: set[int] = set()
    for location_id in location_ids:
        place_ids |= location_ids_within(location_id)
    if place_ids:
        wanted |= Q(home_location_id__in=place_ids)
    rows = list(
        people.filter(wanted)
        .order_by("pk")
        .values_list("pk", "language", "active", "opted_out_at", "phone_hash", "at_risk_since")
    )
    hashes = [row[4] for row in rows]
    listed: set[str] = set()
    for start in range(0, len(hashes), 5000):
        chunk = hashes[start : start + 5000]
        listed.update(
            OptOut.objects.filter(phone_hash__in=chunk).values_list("phone_hash", flat=True)
        )
    excluded = dict.fromkeys((reason for reason, _label in BROADCAST_EXCLUSIONS), 0)
    recipients, at_risk = [], set()
    for pk, language, active, opted_out_at, phone_hash, at_risk_since in rows:
        if opted_out_at is not None:
            excluded["opted_out"] += 1
        elif phone_hash in listed:
            excluded["opt_out_list"] += 1
        elif not active:
            excluded["inactive"] += 1
        else:
            recipients.append((pk, language if language in Broadcast.LANGUAGES else "fr"))
            if at_risk_since is not None:
                at_risk.add(pk)
    ids = [pk for pk, _language in recipients]
    discreet: set[int] = set()
    for start in range(0, len(ids), 5000):
        discreet |= network_selectors.focal_points_discreet(ids[start : start + 5000])
    return BroadcastAudience(
        recipients=recipients,
        excluded=excluded,
        at_risk=frozenset(at_risk),
        discreet=frozenset(discreet),
    )


def broadcast_preview(*, broadcast: Broadcast) -> BroadcastPreview:
    """The audience of a (saved or unsaved) broadcast, what each language gets, and the cost."""
    audience = broadcast_audience(
        network_ids=broadcast.network_ids,
        location_ids=broadcast.location_ids,
        focal_point_ids=broadcast.focal_point_ids,
    )
    reached = [(pk, lang) for pk, lang in audience.recipients if pk not in audience.at_risk]
    per_language = Counter(lang for pk, lang in reached if pk not in audience.discreet)
    discreet = Counter(lang for pk, lang in reached if pk in audience.discreet)
    labels = dict(Alert.Language.choices)
    languages, total, revealing = [], 0, 0
    for language in Broadcast.LANGUAGES:
        text_language, text = broadcast.text_for(language)
        count = count_segments(text) if text else None
        segments = count.segments if count else 0
        total += segments * per_language[language]
        _discreet_language, discreet_text = broadcast.text_for(language, discreet=True)
        if discreet_text:
            total += count_segments(discreet_text).segments * discreet[language]
        else:
            revealing += discreet[language]
        languages.append(
            {
                "language": language,
                "label": labels[language],
                "recipients": per_language[language] + discreet[language],
                "text_language": text_language,
                "fallback": text_language != language,
                "segments": segments,
                "encoding": count.encoding if count else "",
                "characters": len(text),
                "discreet": discreet[language],
                "discreet_skipped": 0 if discreet_text else discreet[language],
            }
        )
    seconds = math.ceil(total / settings.BROADCAST_RATE_PER_SECOND)
    return BroadcastPreview(
        audience=audience,
        languages=languages,
        segments=total,
        seconds=seconds,
        revealing=revealing,
    )


def broadcast_list() -> QuerySet[Broadcast]:
    return Broadcast.objects.select_related("created_by", "sent_by").annotate(
        reply_count=Count("replies")
    )


def _delivery_status() -> Case:
    return Case(
        When(state=BroadcastRecipient.State.WAITING, then=Value("pending")),
        When(state=BroadcastRecipient.State.HANDED, then=F("message__status")),
        default=F("state"),
        output_field=CharField(),
    )


def broadcast_counts(*, broadcast_ids: list[int]) -> dict[int, dict[str, int]]:
    """Recipients by delivery status (every status present, 0 when none), per broadcast; one
    query for a whole page of broadcasts."""
    counts = {
        pk: dict.fromkeys((status for status, _label in BROADCAST_DELIVERY_STATUSES), 0)
        for pk in broadcast_ids
    }
    rows = (
        BroadcastRecipient.objects.filter(broadcast_id__in=broadcast_ids)
        .annotate(delivery=_delivery_status())
        .values_list("broadcast_id", "delivery")
        .annotate(n=Count("id"))
        .order_by()
    )
    for broadcast_id, status, n in rows:
        counts[broadcast_id][status] = counts[broadcast_id].get(status, 0) + n
    return counts


def broadcast_skip_counts(*, broadcast_ids: list[int]) -> dict[int, dict[str, int]]:
    """Skipped recipients by reason (BROADCAST_SKIP_REASONS, only those with some), per
    broadcast; one query for a whole page of broadcasts."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in broadcast_ids}
    rows = (
        BroadcastRecipient.objects.filter(
            broadcast_id__in=broadcast_ids, state=BroadcastRecipient.State.SKIPPED
        )
        .values_list("broadcast_id", "skip_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    for broadcast_id, reason, n in rows:
        counts[broadcast_id][reason] = n
    return counts


def broadcast_recipients(
    *, broadcast: Broadcast, status: str | None = None
) -> QuerySet[BroadcastRecipient]:
    """A broadcast's recipients in sending order, each with its `delivery_status`."""
    recipients = (
        broadcast.recipients.select_related("focal_point", "message")
        .annotate(delivery_status=_delivery_status())
        .order_by("due_at", "id")
    )
    if status:
        recipients = recipients.filter(delivery_status=status)
    return recipients


def broadcast_reply_alerts(*, broadcast: Broadcast) -> QuerySet[Alert]:
    """The alerts raised by SMS recipients sent back, newest first."""
    return (
        Alert.objects.filter(broadcast_reply__broadcast=broadcast)
        .select_related("location")
        .defer("sender", "explanation")
        .order_by("-received_at", "-id")
    )


class BroadcastFilter(django_filters.FilterSet):
    status = AnyOrChoicesFilter(choices=Broadcast.Status.choices)

    class Meta:
        model = Broadcast
        fields: list[str] = []


class BroadcastRecipientFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=BROADCAST_DELIVERY_STATUSES, method="filter_status"
    )

    class Meta:
        model = BroadcastRecipient
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        return queryset.filter(delivery_status=value)


def recording_audio(*, alert: Alert) -> tuple[bytes, str] | None:
    """The call's recording as kept here and its type, or None when it is not kept yet (it is
    still only at the provider)."""
    recording = Recording.objects.filter(alert=alert, fetched_at__isnull=False).first()
    if recording is None or not recording.audio:
        return None
    return recording.audio, recording.content_type or "audio/mpeg"
