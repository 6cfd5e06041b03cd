"""Database helpers shared by the apps."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.constants import OnConflict


def insert_many(model, objs, *, ignore_conflicts: bool = False) -> int:
    """Insert unsaved `objs` of `model` with one executemany and no RETURNING (their pks stay unset).

    For append-only rows nobody reads back in the same request (audit events, progress reports written by an
    import): Django's bulk_create spends most of its time building one SQL statement with a placeholder per
    value. Values go through each field's pre_save and get_db_prep_save, as bulk_create does (auto_now_add
    included). With `ignore_conflicts`, rows that break a unique constraint are skipped, as bulk_create's
    ignore_conflicts does."""
    objs = list(objs)
    if not objs:
        return 0
    # The wrapper itself, not the `connection` proxy: the values below ask it tens of thousands of times.
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname != "id"]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    insert = connection.ops.insert_statement(on_conflict=on_conflict)
    suffix = connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None) if ignore_conflicts else ""
    sql = f"{insert} {qn(model._meta.db_table)} ({columns}) VALUES ({placeholders}) {suffix}"
    rows = [tuple(f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields) for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
