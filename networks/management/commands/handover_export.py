"""`manage.py handover_export FILE.zip`: the network handover archive (see networks.handover)."""

import os
import socket
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from networks.handover.context import HandoverError
from networks.handover.services import handover_export

DEFAULT_PASSPHRASE_ENV = "KENGELE_HANDOVER_PASSPHRASE"  # noqa: S105 (a variable's name)
# A passphrase shorter than this would not protect names and numbers for long.
MIN_PASSPHRASE_LENGTH = 12


class Command(BaseCommand):
    help = (
        "Export places, networks, focal points who gave their consent (names and numbers in "
        "clear), memberships, equipment, committees and the CLAs' field visits to one archive, "
        "encrypted with a passphrase read from an environment variable."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive to write (a new .zip file).")
        parser.add_argument(
            "--passphrase-env",
            metavar="VAR",
            help=f"Environment variable holding the passphrase (default {DEFAULT_PASSPHRASE_ENV}).",
        )
        parser.add_argument(
            "--unencrypted",
            action="store_true",
            help="Write the names and numbers without encryption (never send such a file).",
        )
        parser.add_argument(
            "--source",
            help="This instance's name in the manifest (default PUBLIC_BASE_URL or host name).",
        )

    def handle(self, *args, file: Path, passphrase_env, unencrypted, source, **options):
        passphrase = None
        if unencrypted:
            if passphrase_env:
                raise CommandError(_("Choose either --passphrase-env or --unencrypted, not both."))
        else:
            variable = passphrase_env or DEFAULT_PASSPHRASE_ENV
            passphrase = os.environ.get(variable, "")
            if not passphrase:
                raise CommandError(
                    _(
                        "The archive holds names and phone numbers: set a passphrase in the "
                        "environment variable %(var)s (or name another with --passphrase-env). "
                        "--unencrypted writes it without one."
                    )
                    % {"var": variable}
                )
            if len(passphrase) < MIN_PASSPHRASE_LENGTH:
                raise CommandError(
                    _("The passphrase in %(var)s is too short: use at least %(min)s characters.")
                    % {"var": variable, "min": MIN_PASSPHRASE_LENGTH}
                )
        source = source or settings.PUBLIC_BASE_URL or socket.gethostname()
        try:
            report = handover_export(path=file, passphrase=passphrase, source=source)
        except HandoverError as exc:
            raise CommandError(str(exc)) from exc
        for kind, count in report.counts.items():
            self.stdout.write(f"  {kind}: {count}")
        if report.focal_points_left_out:
            self.stdout.write(
                _("%(count)s focal points without a consent date were left out.")
                % {"count": report.focal_points_left_out}
            )
        if report.encrypted:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Archive written to %(path)s, encrypted. Send the passphrase separately.")
                    % {"path": report.path}
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Archive written to %(path)s WITHOUT encryption: it holds names and "
                        "numbers in clear."
                    )
                    % {"path": report.path}
                )
            )
