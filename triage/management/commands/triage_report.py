"""Run labelled alerts through the real triage pipeline and report how it did."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from alerts.models import Alert
from networks.demo import seed_places
from networks.models import Location
from triage import services


class _Rollback(Exception):
    pass


def _ratio(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


class Command(BaseCommand):
    help = (
        "Triage each line of a labelled JSONL file (text, language, categories, priority, "
        "place) through the real pipeline, print the misses, then a JSON summary line. "
        "Nothing is kept: the alerts are made in a transaction that is rolled back."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="labelled JSONL, as corpus/alerts-dev.jsonl")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                rows = [json.loads(line) for line in handle if line.strip()]
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        for number, row in enumerate(rows, start=1):
            missing = {"text", "language", "categories", "priority"} - set(row)
            if missing:
                raise CommandError(f"line {number} lacks {', '.join(sorted(missing))}")
        summary: dict = {}
        try:
            with transaction.atomic():
                summary = self._run(rows)
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(json.dumps(summary))

    def _run(self, rows: list[dict]) -> dict:
        if not Location.objects.exists():
            seed_places()
        services.place_index_reset()
        counts = dict.fromkeys(("category", "priority", "language", "p1", "p1_total"), 0)
        counts.update(place=0, place_total=0)
        misses = []
        for number, row in enumerate(rows, start=1):
            alert = Alert.objects.create(source=Alert.Source.WEB, text=row["text"])
            services.alert_triage(alert=alert)
            alert.refresh_from_db()
            got_place = alert.location.name if alert.location_id else None
            checks = {
                "category": row["categories"][0] in alert.categories,
                "priority": alert.priority == row["priority"],
                "language": alert.language == row["language"],
            }
            if row.get("place") is not None:
                counts["place_total"] += 1
                checks["place"] = got_place == row["place"]
                counts["place"] += checks["place"]
            if row["priority"] == 1:
                counts["p1_total"] += 1
                counts["p1"] += alert.priority == 1
            for name in ("category", "priority", "language"):
                counts[name] += checks[name]
            wrong = [name for name, good in checks.items() if not good]
            if wrong:
                misses.append((number, wrong, row, alert, got_place))
        self._print_misses(misses)
        n = len(rows)
        return {
            "n": n,
            "category_accuracy": _ratio(counts["category"], n),
            "priority1_recall": _ratio(counts["p1"], counts["p1_total"]),
            "priority_accuracy": _ratio(counts["priority"], n),
            "place_accuracy": _ratio(counts["place"], counts["place_total"]),
            "language_accuracy": _ratio(counts["language"], n),
        }

    def _print_misses(self, misses) -> None:
        if not misses:
            self.stdout.write("No misses.")
            return
        self.stdout.write(f"{'line':>4}  {'missed':<24} expected → got   text")
        for number, wrong, row, alert, got_place in misses:
            expected = (
                f"{row['categories'][0]}/P{row['priority']}/{row['language']}/{row.get('place')}"
            )
            got = f"{','.join(alert.categories)}/P{alert.priority}/{alert.language}/{got_place}"
            self.stdout.write(
                f"{number:>4}  {','.join(wrong):<24} {expected} → {got}   {row['text'][:60]}"
            )
