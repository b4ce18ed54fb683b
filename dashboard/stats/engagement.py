"""What the mission did after the alerts: how long from an alert's escalation to the joint team
or mission sent for it (median and count, like the reaction times), and how many closed alerts'
reporters heard back (engagement.loop). Read from the alerts' history."""

from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Q

from alerts.models import Alert, AlertEvent

from .reactions import percentile_cont
from .scope import Scope, stats_alerts

K = AlertEvent.Kind


@dataclass
class Deployed:
    escalated: int  # alerts escalated in the period
    deployed: int  # of which a deployment answered (after the escalation)
    median: float | None  # seconds
    p90: float | None


@dataclass
class LoopClosed:
    closed: int
    reachable: int  # whose reporter is a focal point
    told: int  # whose reporter was told what was done

    @property
    def share(self) -> float | None:
        return 100 * self.told / self.closed if self.closed else None


def escalation_to_deployment(*, scope: Scope) -> Deployed:
    """From an alert's first escalation to the first deployment sent for it."""
    rows = (
        stats_alerts(scope=scope)
        .annotate(
            escalated_at=Min(
                "events__at",
                filter=Q(events__kind=K.STATUS, events__after="escalated")
                | Q(events__kind=K.ESCALATED_TO),
            ),
            deployed_at=Min("events__at", filter=Q(events__kind=K.DEPLOYMENT_SENT)),
        )
        .filter(escalated_at__isnull=False)
        .values_list("escalated_at", "deployed_at")
    )
    durations, escalated = [], 0
    for escalated_at, deployed_at in rows:
        escalated += 1
        if deployed_at is not None and deployed_at >= escalated_at:
            durations.append((deployed_at - escalated_at).total_seconds())
    return Deployed(
        escalated=escalated,
        deployed=len(durations),
        median=percentile_cont(durations, 0.5),
        p90=percentile_cont(durations, 0.9),
    )


def loop_closed(*, scope: Scope) -> LoopClosed:
    """Closed alerts of the period, and those whose reporter heard back."""
    closed = stats_alerts(scope=scope).filter(status=Alert.Status.CLOSED)
    told = AlertEvent.objects.filter(alert=OuterRef("pk"), kind=K.REPORTER_TOLD)
    counts = closed.aggregate(
        closed=Count("pk"),
        reachable=Count("pk", filter=Q(reporter__isnull=False)),
        told=Count("pk", filter=Exists(told)),
    )
    return LoopClosed(**counts)
