from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write the database (pg_dump custom format, or SQLite's online backup), the voice "
        "recordings and the spool into one timestamped archive under BACKUP_DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, help="Folder to write to (BACKUP_DIR).")

    def handle(self, *args, output_dir: Path | None, **options):
        try:
            archive = backup_create(output_dir=output_dir)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(archive))
