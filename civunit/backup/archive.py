"""One backup archive: the whole database as a portable dump and every stored file, in a ZIP (ZIP64) file.

    manifest.json                   what the archive holds: format, migrations, per model its rows and the entry's
                                    SHA-256, per file its size and SHA-256 (written last, read first)
    db/0001-accounts.office.jsonl   one entry per model (auto-created many-to-many tables too), in dependency order:
                                    a header line {"model": …, "fields": [attnames]}, then one JSON array per row
    files/<storage name>            every file the default storage holds, byte for byte

The dump is not tied to a database: each value is written the way Django's serializers write it (dates and times
in ISO 8601, decimals and UUIDs as text, binary as base64, JSON as JSON) and read back through the field's
to_python(), so an archive made on SQLite restores on PostgreSQL and back. Rows are streamed from a server-side
iterator into the ZIP entry and files are copied in chunks through the Storage API (local or S3): memory stays
flat however large the instance is. Primary keys are kept (content types and permissions too, so every generic
relation still points where it did); the restore inserts with the foreign-key checks deferred to the commit.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT = "civunit-backup"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
ROWS_PER_QUERY = 2000
# What `migrate` itself creates in a new instance: an instance holding only these is empty.
SEEDED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission", "auth.group", "auth.group_permissions"}
# Tables kept by database triggers (evidence migrations 0004 and 0006): inserting the items moves their counts, so
# they are emptied and loaded again from the archive once every other table is in.
KEPT_BY_TRIGGERS = ("evidence.standardevidencecount", "evidence.officeevidencecount")


class ArchiveError(Exception):
    """The archive cannot be made or restored; the message says why (in plain words, for the command line)."""


def dumped_models() -> list[type[models.Model]]:
    """Every table the ORM manages (auto-created many-to-many tables included), parents before the models that
    point at them (a cycle, e.g. an office's head and a person's office, is broken by name)."""
    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    by_label = {m._meta.label_lower: m for m in candidates}
    deps: dict[str, set[str]] = {}
    for m in candidates:
        targets = set()
        for f in m._meta.local_concrete_fields:
            related = f.related_model
            if f.is_relation and isinstance(related, type) and issubclass(related, models.Model):
                target = related._meta.label_lower
                if target in by_label and target != m._meta.label_lower:
                    targets.add(target)
        deps[m._meta.label_lower] = targets
    ordered: list[str] = []
    done: set[str] = set()
    remaining = sorted(by_label)
    while remaining:
        ready = [label for label in remaining if deps[label] <= done]
        if not ready:  # a cycle: take the first by name, its checks are deferred anyway
            ready = remaining[:1]
        for label in ready:
            ordered.append(label)
            done.add(label)
        remaining = [label for label in remaining if label not in done]
    return [by_label[label] for label in ordered]


def _fields(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.local_concrete_fields)


def encode(field_: models.Field, value: Any) -> Any:
    if value is None or isinstance(field_, models.JSONField):
        return value
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise ArchiveError(f"{field_.model._meta.label}.{field_.name}: cannot write a value of type {type(value)}")


def decode(field_: models.Field, value: Any) -> Any:
    if value is None or isinstance(field_, models.JSONField):
        return value
    if isinstance(field_, models.BinaryField):
        return base64.b64decode(value)
    return field_.to_python(value)


def applied_migrations(using: str = "default") -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def storage_names(storage: Storage, path: str = "") -> Iterator[str]:
    """Every file name in the storage, sorted, through listdir() (file system or S3 alike)."""
    try:
        dirs, names = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(names):
        yield f"{path}/{name}" if path else name
    for d in sorted(dirs):
        yield from storage_names(storage, f"{path}/{d}" if path else d)


class _HashingWriter:
    def __init__(self, target: IO[bytes]):
        self.target = target
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.hash.update(data)
        self.size += len(data)
        self.target.write(data)


@dataclass
class BackupResult:
    path: str
    rows: int = 0  # rows outside what migrate seeds
    total_rows: int = 0
    files: int = 0
    file_bytes: int = 0
    archive_bytes: int = 0
    models: list[dict] = field(default_factory=list)


def _dump_database(zf: zipfile.ZipFile, result: BackupResult, using: str) -> None:
    for number, model in enumerate(dumped_models(), start=1):
        label = model._meta.label_lower
        entry = f"db/{number:04d}-{label}.jsonl"
        fields = _fields(model)
        count = 0
        with zf.open(entry, "w", force_zip64=True) as raw:
            out = _HashingWriter(raw)
            header = {"model": label, "fields": [f.attname for f in fields]}
            out.write(json.dumps(header, ensure_ascii=False).encode() + b"\n")
            pk = model._meta.pk.attname
            qs = model._base_manager.using(using).order_by(pk).values_list(*[f.attname for f in fields])
            for row in qs.iterator(chunk_size=ROWS_PER_QUERY):
                line = [encode(f, v) for f, v in zip(fields, row, strict=True)]
                # keys sorted: PostgreSQL's jsonb keeps an object's keys in its own order, SQLite as written
                out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() + b"\n")
                count += 1
        result.models.append({"model": label, "entry": entry, "rows": count, "sha256": out.hash.hexdigest()})
        result.total_rows += count
        if label not in SEEDED_BY_MIGRATE:
            result.rows += count


def write_backup(
    path: str,
    *,
    storage: Storage | None = None,
    using: str = "default",
    on_progress: Callable[[str], None] | None = None,
) -> BackupResult:
    """Write the archive to `path` (through `path`.part, renamed when complete: a failed run leaves no archive)."""
    storage = storage or default_storage
    result = BackupResult(path=path)
    part = f"{path}.part"
    connection = connections[using]
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "storage": f"{type(storage).__module__}.{type(storage).__qualname__}",
        "migrations": applied_migrations(using),
    }
    try:
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True) as zf:
            # One consistent view of the database: a read-only repeatable-read transaction on PostgreSQL; on
            # SQLite the transaction holds the write lock for the (short) time of the dump.
            # (Inside a transaction already begun, as in a test, the view is that transaction's own.)
            outermost = not connection.in_atomic_block
            with transaction.atomic(using=using):
                if connection.vendor == "postgresql" and outermost:
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                _dump_database(zf, result, using)
            if on_progress:
                on_progress(f"{result.total_rows} rows in {len(result.models)} tables")
            files = []
            for name in storage_names(storage):
                info = zipfile.ZipInfo(f"files/{name}", date_time=timezone.now().utctimetuple()[:6])
                info.compress_type = zipfile.ZIP_STORED
                with storage.open(name, "rb") as src, zf.open(info, "w", force_zip64=True) as raw:
                    out = _HashingWriter(raw)
                    while chunk := src.read(CHUNK):
                        out.write(chunk)
                files.append({"name": name, "size": out.size, "sha256": out.hash.hexdigest()})
                result.files += 1
                result.file_bytes += out.size
            if on_progress:
                on_progress(f"{result.files} files")
            manifest["models"] = result.models
            manifest["files"] = files
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(part, path)
    except BaseException:
        if os.path.exists(part):
            os.unlink(part)
        raise
    result.archive_bytes = os.path.getsize(path)
    return result


# --- Restore ---------------------------------------------------------------------------------------------


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError as exc:
        raise ArchiveError("not a civunit backup: the archive has no manifest.json") from exc
    if manifest.get("format") != FORMAT:
        raise ArchiveError("not a civunit backup: the manifest names another format")
    if manifest.get("version") != VERSION:
        raise ArchiveError(f"backup format version {manifest.get('version')} is not readable by this version")
    return manifest


def verify(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Every entry against the manifest's SHA-256 (and the ZIP's own CRC), before anything is written."""
    entries = [(m["entry"], m["sha256"]) for m in manifest["models"]]
    entries += [(f"files/{f['name']}", f["sha256"]) for f in manifest["files"]]
    for name, expected in entries:
        digest = hashlib.sha256()
        try:
            with zf.open(name) as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
        except KeyError as exc:
            raise ArchiveError(f"the archive lacks {name}") from exc
        except zipfile.BadZipFile as exc:
            raise ArchiveError(f"{name} is damaged: {exc}") from exc
        if digest.hexdigest() != expected:
            raise ArchiveError(f"{name} does not match its SHA-256 in the manifest")


def instance_contents(storage: Storage, using: str = "default") -> tuple[int, int]:
    """(rows outside what migrate seeds, stored files): an empty instance has (0, 0)."""
    rows = sum(
        m._base_manager.using(using).count() for m in dumped_models() if m._meta.label_lower not in SEEDED_BY_MIGRATE
    )
    files = sum(1 for _ in storage_names(storage))
    return rows, files


def _rows(fh: IO[bytes]) -> Iterator[list[Any]]:
    for line in fh:
        if line.strip():
            yield json.loads(line)


def _load_model(model: type[models.Model], fh: IO[bytes], using: str) -> int:
    header = json.loads(fh.readline())
    by_attname = {f.attname: f for f in _fields(model)}
    missing = [name for name in header["fields"] if name not in by_attname]
    if missing or len(header["fields"]) != len(by_attname):
        raise ArchiveError(f"{model._meta.label}: the archive's columns differ from this version's ({missing})")
    fields = [by_attname[name] for name in header["fields"]]
    attnames = header["fields"]
    connection = connections[using]
    batch: list[models.Model] = []
    size = 0
    count = 0

    def flush() -> None:
        if batch:
            model._base_manager.using(using)._insert(batch, fields=fields, using=using, raw=True)  # type: ignore[attr-defined]
            batch.clear()

    for row in _rows(fh):
        if not size:  # at most 500 rows a statement, fewer where the database limits the parameters (SQLite)
            size = max(1, min(500, connection.ops.bulk_batch_size(fields, list(range(500)))))
        values = [decode(f, v) for f, v in zip(fields, row, strict=True)]
        obj = model.from_db(using, attnames, values)
        batch.append(obj)
        count += 1
        if len(batch) >= size:
            flush()
    flush()
    return count


@dataclass
class RestoreResult:
    rows: int = 0
    files: int = 0
    file_bytes: int = 0


def restore_backup(
    path: str,
    *,
    force: bool = False,
    storage: Storage | None = None,
    using: str = "default",
    on_progress: Callable[[str], None] | None = None,
) -> RestoreResult:
    """Restore the archive into this instance: the database in one transaction, the files through the storage.

    Refused (nothing written) when the archive is damaged, was made at other migrations, or the instance is not
    empty (unless `force`: then every table is emptied and the stored files are replaced)."""
    storage = storage or default_storage
    result = RestoreResult()
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"cannot open {path}: {exc}") from exc
    with zf:
        manifest = read_manifest(zf)
        here = applied_migrations(using)
        if manifest["migrations"] != here:
            theirs, ours = set(manifest["migrations"]), set(here)
            raise ArchiveError(
                "the archive was made at other migrations than this instance's "
                f"(only in the archive: {sorted(theirs - ours)[:5]}; only here: {sorted(ours - theirs)[:5]}); "
                "restore it with the version of the app that made it"
            )
        verify(zf, manifest)
        if on_progress:
            on_progress("archive verified")
        rows, files = instance_contents(storage, using)
        if (rows or files) and not force:
            raise ArchiveError(
                f"this instance is not empty ({rows} rows, {files} stored files): restore into a new instance "
                "(migrate only), or pass --force to replace everything in it"
            )
        written: list[str] = []
        try:
            if force:
                for name in list(storage_names(storage)):
                    storage.delete(name)
            for f in manifest["files"]:
                info = zf.getinfo(f"files/{f['name']}")
                with zf.open(info) as src:
                    content = File(src, name=os.path.basename(f["name"]))
                    content.size = info.file_size
                    saved = storage.save(f["name"], content)
                written.append(saved)
                if saved != f["name"]:
                    raise ArchiveError(f"the storage saved {f['name']} as {saved}")
                result.files += 1
                result.file_bytes += info.file_size
            if on_progress:
                on_progress(f"{result.files} files written")
            _restore_database(zf, manifest, result, using)
        except BaseException:
            if not force:  # the instance was empty: leave it so
                for name in written:
                    storage.delete(name)
            raise
    return result


def _restore_database(zf: zipfile.ZipFile, manifest: dict[str, Any], result: RestoreResult, using: str) -> None:
    connection = connections[using]
    known = {m._meta.label_lower: m for m in dumped_models()}
    entries = {m["model"]: m for m in manifest["models"]}
    if set(entries) != set(known):
        raise ArchiveError(f"the archive's tables differ from this version's: {sorted(set(entries) ^ set(known))}")
    with transaction.atomic(using=using):
        tables = [m._meta.db_table for m in known.values()]
        with connection.cursor() as cursor:
            for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=False):
                cursor.execute(sql)
        for entry in manifest["models"]:
            model = known[entry["model"]]
            with zf.open(entry["entry"]) as fh:
                count = _load_model(model, fh, using)
            if count != entry["rows"]:
                raise ArchiveError(f"{entry['entry']}: {count} rows, the manifest says {entry['rows']}")
            result.rows += count
        for label in KEPT_BY_TRIGGERS:
            if label not in known:
                continue
            with connection.cursor() as cursor:
                for sql in connection.ops.sql_flush(no_style(), [known[label]._meta.db_table]):
                    cursor.execute(sql)
            with zf.open(entries[label]["entry"]) as fh:
                _load_model(known[label], fh, using)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(known.values())):
                cursor.execute(sql)
        if connection.vendor == "sqlite":
            connection.check_constraints(table_names=tables)
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def dump_lines(using: str = "default") -> Iterable[bytes]:
    """The database as the archive would write it (for comparing two instances row for row)."""
    for model in dumped_models():
        fields = _fields(model)
        yield model._meta.label_lower.encode()
        pk = model._meta.pk.attname
        qs = model._base_manager.using(using).order_by(pk).values_list(*[f.attname for f in fields])
        for row in qs.iterator(chunk_size=ROWS_PER_QUERY):
            line = [encode(f, v) for f, v in zip(fields, row, strict=True)]
            yield json.dumps(line, ensure_ascii=False, sort_keys=True).encode()
