"""Backups: the database, the voice recordings (MEDIA_ROOT) and the spool (SPOOL_DIR) in one
timestamped tar archive, and the way back.

PostgreSQL is dumped with `pg_dump --format=custom` and restored with `pg_restore --clean
--if-exists`; SQLite is copied with SQLite's online backup API, safe while the web server and
the worker write. The archive's manifest counts the rows of every table, so a restore can say
whether it brought everything back. The archive holds personal data encrypted with
FIELD_ENCRYPTION_KEY, which is not in it: keep the keys apart, and both safe.
"""

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

ARCHIVE_FORMAT = 1
# pg_dump and pg_restore may take long on a big database, but not forever.
PG_TIMEOUT_SECONDS = 6 * 3600


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class RestoreResult:
    archive: Path
    tables: int
    differences: dict[str, tuple[int, int]]  # table: (rows in the archive, rows now)
    media_files: int
    spool_files: int


def table_counts() -> dict[str, int]:
    """Rows in every table of the database, by table name."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def backup_create(*, output_dir: Path | None = None) -> Path:
    """Write `kengele-<UTC time>.tar` into output_dir (BACKUP_DIR) and return its path."""
    output_dir = Path(output_dir or settings.BACKUP_DIR)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = output_dir / f"kengele-{stamp}.tar"
    partial = archive.with_suffix(".tar.partial")
    with tempfile.TemporaryDirectory(prefix="kengele-backup-") as work:
        work = Path(work)
        manifest = {
            "format": ARCHIVE_FORMAT,
            "created_at": stamp,
            "engine": connection.vendor,
            "tables": table_counts(),
        }
        database_file = work / _database_member()
        if connection.vendor == "postgresql":
            _pg("pg_dump", "--format=custom", "--no-owner", "--file", str(database_file))
        elif connection.vendor == "sqlite":
            _sqlite_copy(Path(connection.settings_dict["NAME"]), database_file)
        else:
            raise BackupError(f"no backup for a {connection.vendor} database")
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        with tarfile.open(partial, "w") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(database_file, arcname=database_file.name)
            for name, folder in _folders().items():
                if not folder.exists():
                    folder = work / f"empty-{name}"
                    folder.mkdir()
                tar.add(folder, arcname=name, filter=_files_only)
    os.chmod(partial, 0o600)  # names and numbers are encrypted, the rest of the texts are not
    partial.rename(archive)  # a crash mid-way leaves a .partial, never a truncated backup
    return archive


def backup_restore(*, archive: Path) -> RestoreResult:
    """Put the archive's database, recordings and spool back in place of the current ones.
    The database's tables are dropped and recreated from the archive; the recordings and
    spool folders are emptied first. Stop web, worker and beat before."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such archive")
    with tempfile.TemporaryDirectory(prefix="kengele-restore-") as work:
        work = Path(work)
        with tarfile.open(archive) as tar:
            tar.extractall(work, filter="data")  # refuses absolute paths and "..": see tarfile
        manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("engine") != connection.vendor:
            raise BackupError(
                f"the archive holds a {manifest.get('engine')} database; this one is "
                f"{connection.vendor}"
            )
        database_file = work / _database_member()
        if connection.vendor == "postgresql":
            _pg(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                str(database_file),
            )
        else:
            connections.close_all()
            _sqlite_copy(database_file, Path(connection.settings_dict["NAME"]))
        connections.close_all()  # what is cached about the old tables goes with the connection
        copied = {}
        for name, folder in _folders().items():
            copied[name] = _replace_folder(work / name, folder)
    now = table_counts()
    before = manifest["tables"]
    differences = {
        table: (before.get(table, 0), now.get(table, 0))
        for table in sorted(set(before) | set(now))
        if before.get(table, 0) != now.get(table, 0)
    }
    return RestoreResult(
        archive=archive,
        tables=len(before),
        differences=differences,
        media_files=copied["media"],
        spool_files=copied["spool"],
    )


def _database_member() -> str:
    return "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"


def _folders() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "spool": Path(settings.SPOOL_DIR)}


def _files_only(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Regular files and folders; sockets, links and the spool's half-written temp files out."""
    if member.isdir() or (member.isfile() and not member.name.rsplit("/", 1)[-1].endswith(".tmp")):
        return member
    return None


def _replace_folder(source: Path, target: Path) -> int:
    """Empty target, then copy source's files into it; returns how many files were copied."""
    target.mkdir(parents=True, exist_ok=True)
    for child in target.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if not source.exists():
        return 0
    shutil.copytree(source, target, dirs_exist_ok=True)
    return sum(1 for path in target.rglob("*") if path.is_file())


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while others write (WAL included)."""
    if not source.exists():
        raise BackupError(f"{source}: no such SQLite database")
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _pg(program: str, *args: str) -> None:
    """Run pg_dump or pg_restore against the default database. The password goes through the
    environment, never the command line (which `ps` shows to every user)."""
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (Debian: apt-get install postgresql-client)")
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    command = [program, "--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    result = subprocess.run(  # noqa: S603 (a fixed program, our own arguments)
        [*command, *args], env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed ({result.returncode}): {result.stderr.strip()}")
