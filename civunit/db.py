"""Database helpers shared by the apps."""

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.constants import OnConflict

PAGE_SIZE = 1000


def insert_rows(table: str, columns: Sequence[str], rows: list[tuple], *, ignore_conflicts: bool = False) -> None:
    """Insert prepared rows into `table` in as few statements as the database allows: one executemany on
    SQLite (cheap there: no round trips), multi-row VALUES pages on PostgreSQL (where executemany would make one
    round trip per row). With `ignore_conflicts`, rows that break a unique constraint are skipped."""
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    qn = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    insert = connection.ops.insert_statement(on_conflict=on_conflict)
    suffix = connection.ops.on_conflict_suffix_sql([], on_conflict, None, None) if ignore_conflicts else ""
    head = f"{insert} {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, f"{head} %s {suffix}", rows, page_size=PAGE_SIZE)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"{head} ({placeholders}) {suffix}", rows)


def insert_many(model, objs, *, ignore_conflicts: bool = False) -> int:
    """Insert unsaved `objs` of `model` without RETURNING (their pks stay unset).

    For rows nobody reads back in the same request (audit events, progress reports, an import's tasks whose
    keys the caller looks up by code): Django's bulk_create spends most of its time building one SQL statement
    with a placeholder per value. Values go through each field's pre_save and get_db_prep_save, as bulk_create
    does (defaults and auto_now_add included)."""
    objs = list(objs)
    if not objs:
        return 0
    # The wrapper itself, not the `connection` proxy: the values below ask it tens of thousands of times.
    connection = connections[DEFAULT_DB_ALIAS]
    # Every column but an auto-incremented key, which the database assigns.
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and getattr(f, "db_returning", False))]
    rows = [tuple(f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields) for obj in objs]
    insert_rows(model._meta.db_table, [f.column for f in fields], rows, ignore_conflicts=ignore_conflicts)
    return len(rows)


def insert_values(model, rows: list[dict], *, ignore_conflicts: bool = False) -> int:
    """Like insert_many, from dicts of attribute name → value, without making model instances (which costs
    as much as preparing the values): a missing value takes the field's default, and auto_now(_add) fields
    take the present time."""
    if not rows:
        return 0
    from django.utils import timezone

    connection = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and getattr(f, "db_returning", False))]
    now = timezone.now()
    columns = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed = now if f.get_internal_type() == "DateTimeField" else timezone.localdate(now)
            columns.append((f.attname, f.get_db_prep_save, lambda fixed=fixed: fixed, True))
        elif f.has_default() and callable(f.default):
            columns.append((f.attname, f.get_db_prep_save, f.get_default, False))
        else:
            default = f.get_default()
            columns.append((f.attname, f.get_db_prep_save, lambda default=default: default, False))
    data = [
        tuple(
            prep(default() if forced or name not in row else row[name], connection)
            for name, prep, default, forced in columns
        )
        for row in rows
    ]
    insert_rows(model._meta.db_table, [f.column for f in fields], data, ignore_conflicts=ignore_conflicts)
    return len(data)


def update_many(model, objs, field_names: Sequence[str]) -> int:
    """Write `field_names` of saved `objs` of `model` back, one UPDATE … WHERE pk = %s per row sent in as few
    calls as the database allows (one executemany on SQLite, pages of execute_batch on PostgreSQL).

    Django's bulk_update builds one CASE WHEN per field with a branch per row: for a few thousand rows it spends
    seconds assembling expressions. Values go through each field's get_db_prep_save, as bulk_update does."""
    objs = list(objs)
    if not objs:
        return 0
    connection = connections[DEFAULT_DB_ALIAS]
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in field_names]
    pk = model._meta.pk
    # only the model's own (quoted) table and column names go into the statement; the values are parameters
    sql = (
        f"UPDATE {qn(model._meta.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f in fields)} "  # noqa: S608
        f"WHERE {qn(pk.column)} = %s"
    )
    rows = [(*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields), obj.pk) for obj in objs]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_batch

            execute_batch(cursor.cursor, sql, rows, page_size=PAGE_SIZE)
        else:
            cursor.executemany(sql, rows)
    return len(rows)
