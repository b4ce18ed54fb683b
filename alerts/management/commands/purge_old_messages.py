from django.core.management.base import BaseCommand, CommandError

from alerts.services import retention_purge


class Command(BaseCommand):
    help = (
        "Blank the text, raw request and number of messages older than MESSAGE_RETENTION_DAYS, "
        "and the text of closed alerts as old; rows, counts and statistics are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, help="Override MESSAGE_RETENTION_DAYS (0 keeps everything)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be blanked; change nothing."
        )

    def handle(self, *args, days=None, dry_run=False, **options):
        if days is not None and days < 0:
            raise CommandError("--days cannot be negative.")
        result = retention_purge(days=days, dry_run=dry_run)
        if result.cutoff is None:
            self.stdout.write("Retention is off (MESSAGE_RETENTION_DAYS=0): nothing blanked.")
            return
        verb = "Would blank" if dry_run else "Blanked"
        self.stdout.write(
            f"{verb} {result.messages} messages and {result.alerts} closed alerts "
            f"older than {result.cutoff:%Y-%m-%d %H:%M} UTC."
        )
