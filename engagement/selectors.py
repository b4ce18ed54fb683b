"""Reads of the engagement app, with what each page needs fetched once."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Commitment, Deployment, TownHall


def town_hall_list() -> QuerySet[TownHall]:
    return (
        TownHall.objects.select_related("place", "convener")
        .annotate(
            concern_count=Count("concerns", distinct=True),
            open_commitments=Count(
                "commitments", filter=Q(commitments__status="open"), distinct=True
            ),
        )
        .order_by("-held_on", "-id")
    )


def town_hall_detail(queryset: QuerySet[TownHall]) -> QuerySet[TownHall]:
    return queryset.select_related("place", "convener", "created_by").prefetch_related(
        "concerns__alert",
        "commitments__owner",
        "commitments__answered_at",
        "answers_given__town_hall",
    )


def commitments_overdue(*, town_halls: QuerySet[TownHall], today: dt.date | None = None):
    """Open commitments past their due date, oldest due first, of the meetings given."""
    today = today or timezone.localdate()
    return (
        Commitment.objects.filter(
            status=Commitment.Status.OPEN, due_on__lt=today, town_hall__in=town_halls
        )
        .select_related("town_hall__place", "owner")
        .order_by("due_on", "id")
    )


def later_meetings(*, commitment: Commitment, town_halls: QuerySet[TownHall]):
    """Meetings at which the commitment may be answered: later ones in the same place."""
    made_at = commitment.town_hall
    return (
        town_halls.filter(place_id=made_at.place_id, held_on__gte=made_at.held_on)
        .exclude(pk=made_at.pk)
        .order_by("-held_on", "-id")
    )


def deployment_list() -> QuerySet[Deployment]:
    return (
        Deployment.objects.select_related("area")
        .annotate(
            alert_count=Count("alerts", distinct=True),
            open_recommendations=Count(
                "recommendations",
                filter=Q(recommendations__status__in=("open", "in_progress")),
                distinct=True,
            ),
        )
        .order_by("-started_on", "-id")
    )


def deployment_detail(queryset: QuerySet[Deployment]) -> QuerySet[Deployment]:
    return queryset.select_related("area", "created_by").prefetch_related(
        "alerts", "incidents", "recommendations"
    )


def deployments_of_alert(*, alert_id: int) -> QuerySet[Deployment]:
    return Deployment.objects.filter(alerts=alert_id).select_related("area")
