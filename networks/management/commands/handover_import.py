"""`manage.py handover_import FILE.zip`: load a network handover archive (see networks.handover)."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from networks.handover.context import HandoverError, PassphraseError
from networks.handover.services import handover_import

from .handover_export import DEFAULT_PASSPHRASE_ENV


class Command(BaseCommand):
    help = (
        "Import a network handover archive into this instance, all or nothing. A number that "
        "belongs to someone else here, an existing network code or committee name stops it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive written by handover_export.")
        parser.add_argument(
            "--passphrase-env",
            metavar="VAR",
            help=f"Environment variable holding the passphrase (default {DEFAULT_PASSPHRASE_ENV}).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the archive and count what would be imported; write nothing.",
        )

    def handle(self, *args, file: Path, passphrase_env, dry_run, **options):
        variable = passphrase_env or DEFAULT_PASSPHRASE_ENV
        if passphrase_env and not os.environ.get(variable):
            raise CommandError(
                _("The environment variable %(var)s is not set.") % {"var": variable}
            )
        passphrase = os.environ.get(variable) or None
        try:
            report = handover_import(path=file, passphrase=passphrase, dry_run=dry_run)
        except PassphraseError as exc:
            hint = (
                _(
                    "Set it in the environment variable %(var)s, or name another with "
                    "--passphrase-env."
                )
                if passphrase is None
                else _("Leave out --passphrase-env to import it without one.")
                if passphrase_env
                else _("Unset the environment variable %(var)s to import it without one.")
            )
            raise CommandError(f"{exc} {hint % {'var': variable}}") from exc
        except HandoverError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Archive from %(source)s, made %(at)s.")
            % {"source": report.source or "?", "at": report.archive_created_at or "?"}
        )
        for kind, count in report.counts.items():
            reused = report.reused.get(kind, 0)
            line = f"  {kind}: {count}"
            if reused:
                line += " " + _("(%(count)s already here)") % {"count": reused}
            self.stdout.write(line)
        if report.users_created:
            self.stdout.write(
                _(
                    "Users created inactive, without a password (an admin activates them and "
                    "sets one): %(names)s"
                )
                % {"names": ", ".join(report.users_created)}
            )
        if report.users_found:
            self.stdout.write(
                _("Users already here: %(names)s") % {"names": ", ".join(report.users_found)}
            )
        for note in report.notes:
            self.stdout.write(note)
        if dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was imported.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Archive imported.")))
