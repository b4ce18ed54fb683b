"""Backups that are known to restore: back up, wipe, restore, compare every table's rows and
every recording's bytes."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from alerts.models import Alert, Message
from config.backup import table_counts
from tests.factories import FocalPointFactory

ROOT = Path(__file__).resolve().parents[2]


def tree_digest(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under folder."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def fill_folders(media: Path, spool: Path) -> None:
    (media / "recordings" / "2026").mkdir(parents=True)
    (media / "recordings" / "2026" / "RE0001.mp3").write_bytes(os.urandom(4096))
    (media / "voice_prompts").mkdir()
    (media / "voice_prompts" / "welcome-fr.mp3").write_bytes(b"ID3" + os.urandom(512))
    spool.mkdir(parents=True)
    (spool / "20261125T145502000000-abcd1234.spool").write_text("encrypted request")
    (spool / "20261125T145503000000-abcd1235.bad").write_text("unreadable request")
    (spool / ".20261125T145504000000-abcd1236.tmp").write_text("half written")


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SPOOL_DIR = tmp_path / "spool"
    settings.BACKUP_DIR = tmp_path / "backups"
    fill_folders(settings.MEDIA_ROOT, settings.SPOOL_DIR)
    return settings


def test_a_backup_restores_every_row_and_file(transactional_db, folders):
    for _ in range(3):
        FocalPointFactory()
    for n in range(5):
        alert = Alert.objects.create(source="sms", text=f"Tirs à Beni {n}")
        Message.objects.create(alert=alert, direction="inbound", status="received", body="x")
    counts = table_counts()
    media = tree_digest(folders.MEDIA_ROOT)

    call_command("backup")
    (archive,) = folders.BACKUP_DIR.glob("kengele-*.tar")
    call_command("flush", interactive=False)  # the wipe
    shutil.rmtree(folders.MEDIA_ROOT)
    shutil.rmtree(folders.SPOOL_DIR)
    assert table_counts()["alerts_alert"] == 0

    call_command("restore", str(archive), confirm=True)
    assert table_counts() == counts
    assert tree_digest(folders.MEDIA_ROOT) == media
    assert sorted(p.name for p in folders.SPOOL_DIR.iterdir()) == [
        "20261125T145502000000-abcd1234.spool",
        "20261125T145503000000-abcd1235.bad",
    ]


def test_the_archive_is_private_and_names_its_time(db, folders):
    call_command("backup")
    (archive,) = folders.BACKUP_DIR.glob("kengele-*.tar")
    assert archive.stat().st_mode & 0o077 == 0
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names
    assert any(name.startswith("database.") for name in names)
    assert "media/recordings/2026/RE0001.mp3" in names
    assert not [name for name in names if name.endswith(".tmp")]  # half-written spool files
    assert not list(folders.BACKUP_DIR.glob("*.partial"))


def test_restore_refuses_without_confirmation_and_changes_nothing(db, folders):
    call_command("backup")
    (archive,) = folders.BACKUP_DIR.glob("kengele-*.tar")
    Alert.objects.create(source="sms", text="after the backup")
    (folders.MEDIA_ROOT / "new.mp3").write_bytes(b"new")
    with pytest.raises(CommandError, match="--confirm"):
        call_command("restore", str(archive))
    assert Alert.objects.filter(text="after the backup").exists()
    assert (folders.MEDIA_ROOT / "new.mp3").exists()


def test_restore_of_a_missing_archive_says_so(db, folders):
    with pytest.raises(CommandError, match="no such archive"):
        call_command("restore", str(folders.BACKUP_DIR / "nothing.tar"), confirm=True)


def test_make_restore_refuses_without_the_confirm_variable(tmp_path):
    result = subprocess.run(
        ["make", "-s", "-n", "restore", "BACKUP=x.tar"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "--confirm" not in result.stdout
    confirmed = subprocess.run(
        ["make", "-s", "-n", "restore", "BACKUP=x.tar", "CONFIRM=yes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert 'manage.py restore "x.tar" --confirm' in confirmed.stdout


# --- The drill: demo data, backup, wipe, restore, on a database of its own ------------------------


def _manage(env: dict, *args: str, timeout: int = 600) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result.stdout


def _count_rows(env: dict) -> dict:
    code = (
        "import django, json; django.setup(); from config.backup import table_counts; "
        "print(json.dumps(table_counts()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def fresh_postgres():
    """A database of the test's own on the PostgreSQL server, dropped afterwards."""
    import psycopg2
    from dj_database_url import parse

    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install postgresql-client)")
    server = parse(_server_url())
    params = {
        "host": server["HOST"] or "127.0.0.1",
        "port": server["PORT"] or 5432,
        "user": server["USER"] or "postgres",
        "password": server["PASSWORD"] or None,
        "dbname": "postgres",
        "connect_timeout": 5,
    }
    try:
        admin = psycopg2.connect(**params)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")
    admin.autocommit = True
    name = f"kengele_backup_drill_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    password = f":{params['password']}" if params["password"] else ""
    url = f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"
    try:
        yield url, {**params, "dbname": name}
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def _wipe_postgres(params: dict) -> None:
    import psycopg2

    with psycopg2.connect(**params) as conn, conn.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def _drill(database_url: str, wipe, tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {
        **os.environ,
        "DEBUG": "true",  # seed_demo runs only in development
        "DATABASE_URL": database_url,
        "KENGELE_VAR_DIR": str(var),
        "CELERY_BROKER_URL": "filesystem://",
        "LOG_LEVEL": "WARNING",
    }
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo")
    fill_folders(var / "media", var / "spool")
    counts = _count_rows(env)
    media = tree_digest(var / "media")
    assert counts["alerts_alert"] > 0 and counts["networks_focalpoint"] > 0

    archive = Path(_manage(env, "backup").strip())
    wipe()
    shutil.rmtree(var / "media")
    shutil.rmtree(var / "spool")

    out = _manage(env, "restore", str(archive), "--confirm")
    assert "Every table has the row count the archive recorded." in out
    assert _count_rows(env) == counts
    assert tree_digest(var / "media") == media
    assert len(list((var / "spool").iterdir())) == 2


@pytest.mark.slow
def test_drill_postgres_demo_data_survives_backup_wipe_and_restore(fresh_postgres, tmp_path):
    url, params = fresh_postgres
    _drill(url, lambda: _wipe_postgres(params), tmp_path)


@pytest.mark.slow
def test_drill_sqlite_demo_data_survives_backup_wipe_and_restore(tmp_path):
    database = tmp_path / "db.sqlite3"

    def wipe() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)

    _drill(f"sqlite:///{database}", wipe, tmp_path)


def test_the_row_counts_cover_every_table(db):
    tables = set(connection.introspection.table_names())
    assert set(table_counts()) == tables
