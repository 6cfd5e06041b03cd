"""Database helpers shared by the apps."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, Func
from django.db.models.constants import OnConflict
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThan
from django.utils import timezone

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

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


# --- A datetime's local day against a date, without a conversion per row -------------------------------------

#: How far from today LaterLocalDay looks for days sharing one UTC offset (the days of a campaign and more).
FIXED_OFFSET_YEARS = 10


@functools.lru_cache(maxsize=16)
def fixed_offset_span(
    tz: datetime.tzinfo, today: datetime.date
) -> tuple[datetime.date, datetime.date, datetime.timedelta]:
    """The widest run of days around `today` (up to FIXED_OFFSET_YEARS either way) whose following local midnight
    in `tz` has one and the same offset from UTC, and that offset: (first day, last day, offset). Asia/Shanghai
    has kept +08:00 since 1991, so the run is the whole range; a zone with summer time gives a few months."""

    def offset(day: datetime.date) -> datetime.timedelta:
        midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return midnight.utcoffset() or datetime.timedelta(0)

    fixed, one_day = offset(today), datetime.timedelta(days=1)
    limit = datetime.timedelta(days=366 * FIXED_OFFSET_YEARS)
    lo = hi = today
    while today - lo < limit and offset(lo - one_day) == fixed:
        lo -= one_day
    while hi - today < limit and offset(hi + one_day) == fixed:
        hi += one_day
    return lo, hi, fixed


class LaterLocalDay(Func):
    """True where the aware datetime `moment` falls on a later day than the date `day` in the current time zone:
    the lookup `moment__date__gt=day` as a boolean expression (NULL where either is NULL), e.g. a task finished
    after its deadline.

    The lookup turns every datetime into a local date; on SQLite that is a Python function per row (about 4 µs,
    most of the dashboard's tasks per office at 30,000 tasks). Here SQLite compares `moment` with the local
    midnight that ends `day` instead, `datetime(day, '+N seconds')` in SQL with N from the zone's offset found
    once in Python (fixed_offset_span): both are UTC text, so the comparison is a string comparison. Days outside
    the span of one offset (summer time, or far from today) take the lookup, so the answer is the same for every
    row. Other databases compile the lookup itself (PostgreSQL converts natively)."""

    arity = 2
    output_field = BooleanField()
    conditional = True

    def _lookup(self) -> GreaterThan:
        moment, day = self.get_source_expressions()
        return GreaterThan(TruncDate(moment), day)

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self._lookup())
        return sql, tuple(params)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        if not settings.USE_TZ:
            return self.as_sql(compiler, connection)
        lo, hi, offset = fixed_offset_span(timezone.get_current_timezone(), timezone.localdate())
        moment, day = self.get_source_expressions()
        moment_sql, moment_params = compiler.compile(moment)
        day_sql, day_params = compiler.compile(day)
        lookup_sql, lookup_params = self.as_sql(compiler, connection)
        seconds = int((datetime.timedelta(days=1) - offset).total_seconds())
        sql = (
            f"CASE WHEN {day_sql} BETWEEN %s AND %s THEN {moment_sql} >= datetime({day_sql}, %s) ELSE {lookup_sql} END"
        )
        params = (
            *day_params,
            lo.isoformat(),
            hi.isoformat(),
            *moment_params,
            *day_params,
            f"{seconds:+d} seconds",
            *lookup_params,
        )
        return sql, params


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
