"""Backup and restore (manage.py backup / restore): every row and every stored file comes back bit for bit, on the
file system and on S3; damaged archives and non-empty instances are refused with nothing written; a failed or
empty backup exits non-zero and tells the coordinators and administrators. The slow test takes one archive from
SQLite to PostgreSQL and back through separate processes."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection

from civunit.backup import archive
from civunit.backup.models import BackupRun
from civunit.notifications.models import Notification
from evidence import previews
from evidence.models import StoredFile
from evidence.services import evidence_accept
from tests.evidence import samples
from tests.evidence.factories import make_evidence

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def instance(stored, cast, campaign):
    """A photo with its previews (accepted), a PDF, their history, the cast and the campaign."""
    photo = make_evidence(user=cast.staff_a, campaign=campaign)
    make_evidence(user=cast.staff_a, campaign=campaign, data=samples.pdf(), name="纪要.pdf")
    assert previews.make_previews(photo.stored_file_id) == StoredFile.PreviewStatus.READY
    evidence_accept(user=cast.coordinator, item=photo)
    return cast


@pytest.fixture
def emptied_in_place():
    """The tests that empty this database in place (make_empty) and restore into it run on SQLite only: on
    PostgreSQL the test's own transaction holds deferred constraint triggers, and TRUNCATE refuses to run under
    them. A restore into PostgreSQL is proven by test_sqlite_to_postgresql_and_back, in databases of its own."""
    if connection.vendor == "postgresql":
        pytest.skip("empties the test database in place: PostgreSQL's restore is test_sqlite_to_postgresql_and_back")


def file_digests() -> dict[str, str]:
    digests = {}
    for name in archive.storage_names(default_storage):
        with default_storage.open(name, "rb") as fh:
            digests[name] = hashlib.sha256(fh.read()).hexdigest()
    return digests


def make_empty() -> None:
    """What a new instance looks like: only what migrate seeds, no stored file."""
    tables = [m._meta.db_table for m in archive.dumped_models() if m._meta.label_lower not in archive.SEEDED_BY_MIGRATE]
    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(sql)
    for name in list(archive.storage_names(default_storage)):
        default_storage.delete(name)
    assert archive.instance_contents(default_storage) == (0, 0)


def test_restore_into_an_empty_instance_reproduces_every_row_and_file(instance, stored, tmp_path, emptied_in_place):
    rows, files = list(archive.dump_lines()), file_digests()
    assert len(files) == 5  # two originals, three previews
    out = str(tmp_path / "backup.zip")
    result = archive.write_backup(out)
    assert result.files == 5 and result.rows > 0 and not os.path.exists(out + ".part")

    make_empty()
    call_command("restore", out)

    assert list(archive.dump_lines()) == rows
    assert file_digests() == files
    call_command("verify_archive")  # raises CommandError on any finding


def test_the_archive_lists_every_file_with_its_hash(instance, tmp_path):
    out = str(tmp_path / "backup.zip")
    archive.write_backup(out)
    with zipfile.ZipFile(out) as zf:
        manifest = archive.read_manifest(zf)
        assert {f["name"]: f["sha256"] for f in manifest["files"]} == file_digests()
        assert manifest["database"] == connection.vendor
        assert {m["model"] for m in manifest["models"]} >= {"accounts.user", "evidence.evidenceitem"}
        archive.verify(zf, manifest)


def test_restore_refuses_a_non_empty_instance_and_changes_nothing(instance, tmp_path):
    out = str(tmp_path / "backup.zip")
    archive.write_backup(out)
    rows, files = list(archive.dump_lines()), file_digests()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", out)
    assert list(archive.dump_lines()) == rows and file_digests() == files


def test_restore_force_replaces_what_the_instance_holds(instance, tmp_path, cast, campaign, emptied_in_place):
    out = str(tmp_path / "backup.zip")
    archive.write_backup(out)
    rows, files = list(archive.dump_lines()), file_digests()
    make_evidence(user=cast.staff_b, campaign=campaign)  # a row and a file the archive does not hold
    call_command("restore", out, force=True)
    assert list(archive.dump_lines()) == rows and file_digests() == files


def test_a_damaged_archive_is_refused_before_anything_is_written(instance, tmp_path, emptied_in_place):
    out = tmp_path / "backup.zip"
    archive.write_backup(str(out))
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("files/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.writestr(info, data)
    make_empty()
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(damaged))
    assert archive.instance_contents(default_storage) == (0, 0)
    out.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="cannot open"):
        call_command("restore", str(out))


def test_an_archive_of_other_migrations_is_refused(instance, tmp_path, monkeypatch):
    out = str(tmp_path / "backup.zip")
    monkeypatch.setattr(archive, "applied_migrations", lambda using="default": ["evidence.9999_future"])
    archive.write_backup(out)
    monkeypatch.undo()
    with pytest.raises(CommandError, match="other migrations"):
        call_command("restore", out, force=True)


def test_a_failed_backup_exits_non_zero_and_notifies_the_administrators(instance, tmp_path, monkeypatch):
    def broken(name, mode="rb"):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storages["default"], "open", broken)
    out = tmp_path / "backup.zip"
    with pytest.raises(CommandError, match="No space left"):
        call_command("backup", str(out))
    assert not out.exists() and not Path(f"{out}.part").exists()
    run = BackupRun.objects.get()
    assert not run.ok and "No space left" in run.error
    told = Notification.objects.filter(kind=Notification.Kind.BACKUP_FAILED, object_id=run.pk)
    assert {n.recipient for n in told} == {instance.coordinator, instance.admin}


def test_an_empty_backup_exits_non_zero(db, tmp_path):
    out = tmp_path / "backup.zip"
    with pytest.raises(CommandError, match="no rows"):
        call_command("backup", str(out))
    assert not out.exists()
    assert BackupRun.objects.get().ok is False


def test_a_good_backup_is_recorded(instance, tmp_path):
    out = tmp_path / "backup.zip"
    call_command("backup", str(out), verbosity=0)
    run = BackupRun.objects.get()
    assert run.ok and run.files == 5 and run.bytes == out.stat().st_size
    assert not Notification.objects.filter(kind=Notification.Kind.BACKUP_FAILED).exists()


# --- SQLite -> PostgreSQL -> SQLite, in processes of their own -------------------------------------------------

PG_SERVER = os.environ.get("BACKUP_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _entries(path: Path) -> dict[str, bytes]:
    """Every database and file entry of an archive (the manifest's own date and database left out)."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if i.filename != archive.MANIFEST}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sqlite_to_postgresql_and_back(tmp_path):
    psycopg2 = pytest.importorskip("psycopg2")
    name = f"civunit_audit18_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg2.connect(f"{PG_SERVER}/postgres", connect_timeout=3)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_SERVER} ({exc}); set BACKUP_TEST_POSTGRES")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        base = {**os.environ, "DEBUG": "on", "AXES_ENABLED": "off"}
        base.pop("AWS_STORAGE_BUCKET_NAME", None)
        places = {
            "sqlite_a": f"sqlite:///{tmp_path / 'a.sqlite3'}",
            "postgres": f"{PG_SERVER}/{name}",
            "sqlite_c": f"sqlite:///{tmp_path / 'c.sqlite3'}",
        }
        envs = {}
        for key, url in places.items():
            (tmp_path / key).mkdir()
            envs[key] = {**base, "DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path / key)}
            if key != "sqlite_c":
                _manage(envs[key], "migrate", "-v0")
        shutil.copy(tmp_path / "a.sqlite3", tmp_path / "c.sqlite3")  # migrated, still empty
        _manage(envs["sqlite_a"], "seed_demo")
        _manage(envs["sqlite_a"], "make_evidence_previews")
        a, b, c = tmp_path / "a.zip", tmp_path / "b.zip", tmp_path / "c.zip"
        _manage(envs["sqlite_a"], "backup", str(a))
        _manage(envs["postgres"], "restore", str(a))
        _manage(envs["postgres"], "verify_archive")
        _manage(envs["postgres"], "backup", str(b))
        _manage(envs["sqlite_c"], "restore", str(b))
        _manage(envs["sqlite_c"], "verify_archive")
        _manage(envs["sqlite_c"], "backup", str(c))
        first = _entries(a)
        assert any(k.startswith("files/") for k in first)
        # The rows written on PostgreSQL and on SQLite again are the rows written at first, byte for byte (the
        # runs of backup and verify_archive themselves are the only rows added on the way).
        added = {"backup.backuprun.jsonl", "evidence.archivecheck.jsonl", "notifications.notification.jsonl"}
        for key in first:
            if key.startswith("db/") and key.split("-", 1)[1] in added:
                continue
            assert _entries(b)[key] == first[key], key
            assert _entries(c)[key] == first[key], key
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
