"""Export the networks, and everything the people running them need, to one archive; import it
into another instance, all or nothing."""

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.crypto import UndecryptableValue

from ..audit import FOCAL_POINT, Action, audit_record
from ..models import FocalPoint
from .archive import MAX_ARCHIVE_BYTES, Payload, archive_build, archive_read
from .context import ExportContext, HandoverError, ImportContext, ImportReport, Kind
from .rows import KINDS as NETWORK_KINDS
from .rows import USERS, created_focal_point_ids

# Loaded in this order, each kind after those it refers to. Users come first in the archive,
# though they are dumped last: they are the users the other rows named. The apps above this one
# (committees, field visits) add their kinds when they load (kinds_register in their ready()),
# in the order of INSTALLED_APPS, so this app never imports them.
_kinds: list[Kind] = [USERS, *NETWORK_KINDS]


def kinds_register(kinds: tuple[Kind, ...]) -> None:
    """Add an app's kinds to the archive, after those already registered (idempotent)."""
    for kind in kinds:
        if kind.name not in {known.name for known in _kinds}:
            _kinds.append(kind)


def handover_kinds() -> tuple[Kind, ...]:
    return tuple(_kinds)


def handover_kind_names() -> tuple[str, ...]:
    return tuple(kind.name for kind in _kinds)


# Conflicts listed in full when an import is refused; a longer list ends with how many more.
MAX_CONFLICTS_LISTED = 30


@dataclass
class ExportReport:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    encrypted: bool = True
    focal_points_left_out: int = 0


def _dump() -> tuple[ExportContext, dict[str, list[dict]]]:
    ctx = ExportContext()
    tables = {kind.name: list(kind.dump(ctx)) for kind in handover_kinds() if kind is not USERS}
    tables[USERS.name] = list(USERS.dump(ctx))
    return ctx, {name: tables[name] for name in handover_kind_names()}


def handover_export(*, path: Path, passphrase: str | None, source: str) -> ExportReport:
    """Write the archive to `path` (a new file, readable by its owner only); `passphrase` None
    writes it unencrypted. Records the export in the audit trail, without personal data."""
    path = Path(path)
    if path.exists():
        raise HandoverError(
            _("%(path)s already exists: choose another file name.") % {"path": path}
        )
    if not path.parent.is_dir():
        raise HandoverError(_("The folder %(path)s does not exist.") % {"path": path.parent})
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every table, while the application keeps writing.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        try:
            ctx, tables = _dump()
        except UndecryptableValue as exc:
            raise HandoverError(str(exc)) from exc
        left_out = FocalPoint.objects.filter(consent_at__isnull=True).count()
    data = archive_build(
        tables=tables, source=source, created_at=timezone.now(), passphrase=passphrase
    )
    _write_private(path, data)
    counts = {name: len(rows) for name, rows in tables.items()}
    audit_record(
        actor=None,
        action=Action.EXPORT,
        target_type=FOCAL_POINT,
        target_ids=ctx.pks("focal_points"),
        details={
            "export": "handover_archive",
            "identities": True,
            "encrypted": passphrase is not None,
            "count": counts["focal_points"],
            "counts": counts,
            "focal_points_without_consent_left_out": left_out,
        },
    )
    return ExportReport(
        path=path, counts=counts, encrypted=passphrase is not None, focal_points_left_out=left_out
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write next to the target, then rename: a failed export leaves no half-written archive."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".handover-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _conflicts_text(conflicts: list[str]) -> str:
    lines = [
        _("The archive conflicts with what this instance holds; nothing was imported."),
        *(f"- {line}" for line in conflicts[:MAX_CONFLICTS_LISTED]),
    ]
    if len(conflicts) > MAX_CONFLICTS_LISTED:
        lines.append(_("…and %(count)s more.") % {"count": len(conflicts) - MAX_CONFLICTS_LISTED})
    return "\n".join(lines)


class _DryRun(Exception):
    """Raised at the end of a dry run to roll everything back."""


def handover_read(*, path: Path, passphrase: str | None) -> Payload:
    """Open and verify an archive file (see archive.archive_read)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_ARCHIVE_BYTES:
            raise HandoverError(
                _("%(path)s is larger than an archive can be (%(max)s MB).")
                % {"path": path, "max": MAX_ARCHIVE_BYTES // (1024 * 1024)}
            )
        data = path.read_bytes()
    except OSError as exc:
        raise HandoverError(
            _("%(path)s cannot be read (%(error)s).") % {"path": path, "error": exc.strerror}
        ) from exc
    payload = archive_read(data, passphrase=passphrase)
    unknown = set(payload.tables) - set(handover_kind_names())
    missing = set(handover_kind_names()) - set(payload.tables)
    if unknown or missing:
        raise HandoverError(
            _("The archive's kinds of rows are not those this Kengele knows (%(detail)s).")
            % {"detail": ", ".join(sorted(unknown | missing))}
        )
    return payload


def handover_import(*, path: Path, passphrase: str | None, dry_run: bool = False) -> ImportReport:
    """Import an archive in one transaction: every row, or none.

    Conflicts with what the receiving instance holds (a network code, a committee's name, a
    visit, or a phone number of someone else) are listed together before anything is written.
    A dry run does the whole import and rolls it back, so its report is the real one.
    """
    payload = handover_read(path=path, passphrase=passphrase)
    ctx = ImportContext(payload.tables)
    ctx.report.source = str(payload.manifest.get("source", ""))
    ctx.report.archive_created_at = str(payload.manifest.get("created_at", ""))
    ctx.report.dry_run = dry_run
    try:
        with transaction.atomic():
            conflicts = [
                line for kind in handover_kinds() if kind.check for line in kind.check(ctx)
            ]
            if conflicts:
                raise HandoverError(_conflicts_text(conflicts))
            for kind in handover_kinds():
                kind.load(ctx)
            audit_record(
                actor=None,
                action=Action.FOCAL_POINT_CHANGED,
                target_type=FOCAL_POINT,
                target_ids=created_focal_point_ids(ctx),
                details={
                    "change": "handover_import",
                    "source": ctx.report.source,
                    "archive_created_at": ctx.report.archive_created_at,
                    "counts": ctx.report.counts,
                    "users_created": len(ctx.report.users_created),
                },
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return ctx.report
