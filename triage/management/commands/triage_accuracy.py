"""How the triage engine fares on real alerts, judged by the analysts who corrected it."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from alerts.selectors import triage_corrections

DECISIONS = ("category", "priority", "place", "language", "risk_factor")


class Command(BaseCommand):
    help = (
        "For alerts triaged in the last N days, count the analysts' corrections of each triage "
        "decision (categories, priority, place, language, risk factors) and print a table, "
        "then a JSON summary line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="how far back (default 30)")

    def handle(self, *args, days: int, **options):
        if not 1 <= days <= 3660:
            raise CommandError("--days must be between 1 and 3660")
        until = timezone.now()
        summary = triage_corrections(since=until - dt.timedelta(days=days), until=until)
        self.stdout.write(f"Alerts triaged in the last {days} days: {summary['n']}")
        for decision in DECISIONS:
            accuracy = summary[f"{decision}_accuracy"]
            shown = "-" if accuracy is None else f"{accuracy:.1%}"
            corrections = summary[f"{decision}_corrections"]
            self.stdout.write(f"  {decision:<12} corrected {corrections:>6}   kept {shown:>7}")
        recall = summary["priority1_recall"]
        self.stdout.write(
            f"  priority 1 recall: {'-' if recall is None else f'{recall:.1%}'}"
            f" of {summary['priority1_total']} alerts treated as priority 1"
        )
        self.stdout.write(json.dumps(summary))
