from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database, the voice recordings and the spool with those of a backup "
        "archive. Stop web, worker and beat first. Refuses to run without --confirm."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="Yes: drop the current database's tables and recordings for the archive's.",
        )

    def handle(self, *args, archive: Path, confirm: bool, **options):
        if not confirm:
            raise CommandError(
                "Restoring replaces every table of the database and every recording. Run again "
                "with --confirm (make restore BACKUP=… CONFIRM=yes) to go ahead."
            )
        try:
            result = backup_restore(archive=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {result.archive}: {result.tables} tables, {result.media_files} recording "
            f"files, {result.spool_files} spooled requests."
        )
        if result.differences:
            for table, (expected, found) in result.differences.items():
                self.stderr.write(f"{table}: {expected} rows in the archive, {found} now")
            raise CommandError("Row counts differ from the archive's (above).")
        self.stdout.write("Every table has the row count the archive recorded.")
