from django.core.management.base import BaseCommand, CommandError

from core.crypto import UndecryptableValue, configured_keys, lookup_hash
from core.key_rotation import DEFAULT_BATCH_SIZE, encryption_key_rotate
from networks.audit import Action, audit_record
from networks.models import FocalPoint

# Focal points whose stored number hash is compared with a fresh one before anything changes.
HASH_SAMPLE = 20


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field of every app under the first key of "
        "FIELD_ENCRYPTION_KEY, in batches. Resumable: run it again after an interruption."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the values to re-encrypt; change none."
        )

    def handle(self, *args, batch_size: int, dry_run: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self._check_lookup_hashes()
        try:
            report = encryption_key_rotate(batch_size=batch_size, dry_run=dry_run)
        except UndecryptableValue as exc:
            raise CommandError(str(exc)) from exc
        for label in sorted(report.rotated):
            self.stdout.write(
                f"{label}: {report.rotated[label]} re-encrypted, {report.current[label]} current"
            )
        if dry_run:
            self.stdout.write(f"Dry run: {report.total} values would be re-encrypted.")
            return
        audit_record(
            actor=None,
            action=Action.KEY_ROTATED,
            details={
                "keys_configured": len(configured_keys()),
                "rotated": {k: v for k, v in report.rotated.items() if v},
                "total": report.total,
            },
        )
        self.stdout.write(
            f"{report.total} values re-encrypted under the first key. Once no other process "
            "writes with an older key, remove it from FIELD_ENCRYPTION_KEY."
        )

    def _check_lookup_hashes(self) -> None:
        """Stop before changing anything if numbers would no longer be found by their hash:
        the hash key must stay the one they were made with (FIELD_HASH_KEY)."""
        try:
            sample = list(FocalPoint.objects.only("phone", "phone_hash")[:HASH_SAMPLE])
        except UndecryptableValue as exc:
            raise CommandError(str(exc)) from exc
        if any(lookup_hash(person.phone) != person.phone_hash for person in sample):
            raise CommandError(
                "Stored phone hashes were not made with the current hash key: set "
                "FIELD_HASH_KEY to the key they were made with (the previous first key of "
                "FIELD_ENCRYPTION_KEY) and run again. Nothing was changed."
            )
