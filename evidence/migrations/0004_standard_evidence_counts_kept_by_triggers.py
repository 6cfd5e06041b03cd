"""The counts of evidence per standard (StandardEvidenceCount), kept by triggers, on SQLite and PostgreSQL.

Each trigger moves a count in the statement that changes what it counts: a current, not deleted item linked to a
standard counts once under (its campaign, the standard, its category, its status). The backfill counts what
exists when the migration runs."""

from django.db import migrations, models

C = "evidence_standardevidencecount"
I = "evidence_evidenceitem"  # noqa: E741
L = "evidence_evidencestandard"
KEY = "(campaign_id, criterion_id, category, status)"

BACKFILL = f"""
INSERT INTO {C} (campaign_id, criterion_id, category, status, n)
SELECT i.campaign_id, l.criterion_id, i.category, i.status, COUNT(*)
FROM {L} l INNER JOIN {I} i ON i.id = l.item_id
WHERE i.is_current AND i.deleted_at IS NULL
GROUP BY i.campaign_id, l.criterion_id, i.category, i.status
"""

# SQLite: no upsert needed (INSERT OR IGNORE a zero row, then add); a row value compared with a subquery that
# finds nothing is NULL, so nothing moves for an item that does not count.
_SQLITE_LINK_ITEM = f"SELECT i.campaign_id, {{row}}.criterion_id, i.category, i.status FROM {I} i WHERE i.id = {{row}}.item_id AND i.is_current AND i.deleted_at IS NULL"  # noqa: E501


def _sqlite_link_add(row: str) -> str:
    found = _SQLITE_LINK_ITEM.format(row=row)
    return (
        f"INSERT OR IGNORE INTO {C} (campaign_id, criterion_id, category, status, n) SELECT *, 0 FROM ({found});\n"
        f"  UPDATE {C} SET n = n + 1 WHERE {KEY} = ({found});"
    )


def _sqlite_link_remove(row: str) -> str:
    return f"UPDATE {C} SET n = n - 1 WHERE {KEY} = ({_SQLITE_LINK_ITEM.format(row=row)});"


def _sqlite_item_remove(row: str) -> str:
    return (
        f"UPDATE {C} SET n = n - 1 WHERE {row}.is_current AND {row}.deleted_at IS NULL AND campaign_id = "
        f"{row}.campaign_id AND category = {row}.category AND status = {row}.status AND criterion_id IN "
        f"(SELECT criterion_id FROM {L} WHERE item_id = {row}.id);"
    )


def _sqlite_item_add(row: str) -> str:
    return (
        f"INSERT OR IGNORE INTO {C} (campaign_id, criterion_id, category, status, n) SELECT {row}.campaign_id, "
        f"l.criterion_id, {row}.category, {row}.status, 0 FROM {L} l WHERE l.item_id = {row}.id AND "
        f"{row}.is_current AND {row}.deleted_at IS NULL;\n"
        f"  UPDATE {C} SET n = n + 1 WHERE {row}.is_current AND {row}.deleted_at IS NULL AND campaign_id = "
        f"{row}.campaign_id AND category = {row}.category AND status = {row}.status AND criterion_id IN "
        f"(SELECT criterion_id FROM {L} WHERE item_id = {row}.id);"
    )


COUNTED = ("campaign_id", "is_current", "deleted_at", "category", "status")
SQLITE_CHANGED = " OR ".join(f"OLD.{f} IS NOT NEW.{f}" for f in COUNTED)

SQLITE = [
    f"CREATE TRIGGER evidence_count_link_insert AFTER INSERT ON {L} BEGIN\n  {_sqlite_link_add('NEW')}\nEND",
    f"CREATE TRIGGER evidence_count_link_delete AFTER DELETE ON {L} BEGIN\n  {_sqlite_link_remove('OLD')}\nEND",
    f"CREATE TRIGGER evidence_count_link_update AFTER UPDATE OF item_id, criterion_id ON {L} "
    f"WHEN OLD.item_id IS NOT NEW.item_id OR OLD.criterion_id IS NOT NEW.criterion_id BEGIN\n"
    f"  {_sqlite_link_remove('OLD')}\n  {_sqlite_link_add('NEW')}\nEND",
    f"CREATE TRIGGER evidence_count_item_update AFTER UPDATE OF {', '.join(COUNTED)} ON {I} "
    f"WHEN {SQLITE_CHANGED} BEGIN\n  {_sqlite_item_remove('OLD')}\n  {_sqlite_item_add('NEW')}\nEND",
    f"CREATE TRIGGER evidence_count_item_delete AFTER DELETE ON {I} BEGIN\n  {_sqlite_item_remove('OLD')}\nEND",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS evidence_count_{name}"
    for name in ("link_insert", "link_delete", "link_update", "item_update", "item_delete")
]

UPSERT = f"ON CONFLICT {KEY} DO UPDATE SET n = {C}.n + 1"
POSTGRESQL = [
    f"""CREATE FUNCTION evidence_count_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE {C} c SET n = c.n - 1 FROM {I} i
    WHERE i.id = OLD.item_id AND i.is_current AND i.deleted_at IS NULL AND c.campaign_id = i.campaign_id
      AND c.criterion_id = OLD.criterion_id AND c.category = i.category AND c.status = i.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO {C} (campaign_id, criterion_id, category, status, n)
    SELECT i.campaign_id, NEW.criterion_id, i.category, i.status, 1 FROM {I} i
    WHERE i.id = NEW.item_id AND i.is_current AND i.deleted_at IS NULL
    {UPSERT};
  END IF;
  RETURN NULL;
END $$""",
    f"""CREATE FUNCTION evidence_count_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.is_current AND OLD.deleted_at IS NULL THEN
    UPDATE {C} c SET n = c.n - 1 FROM {L} l
    WHERE l.item_id = OLD.id AND c.campaign_id = OLD.campaign_id AND c.criterion_id = l.criterion_id
      AND c.category = OLD.category AND c.status = OLD.status;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.is_current AND NEW.deleted_at IS NULL THEN
    INSERT INTO {C} (campaign_id, criterion_id, category, status, n)
    SELECT NEW.campaign_id, l.criterion_id, NEW.category, NEW.status, 1 FROM {L} l WHERE l.item_id = NEW.id
    {UPSERT};
  END IF;
  RETURN NULL;
END $$""",
    f"CREATE TRIGGER evidence_count_link_change AFTER INSERT OR DELETE ON {L} "
    f"FOR EACH ROW EXECUTE FUNCTION evidence_count_link()",
    f"CREATE TRIGGER evidence_count_link_update AFTER UPDATE OF item_id, criterion_id ON {L} FOR EACH ROW "
    f"WHEN ((OLD.item_id, OLD.criterion_id) IS DISTINCT FROM (NEW.item_id, NEW.criterion_id)) "
    f"EXECUTE FUNCTION evidence_count_link()",
    f"CREATE TRIGGER evidence_count_item_update AFTER UPDATE OF {', '.join(COUNTED)} ON {I} FOR EACH ROW "
    f"WHEN (({', '.join('OLD.' + f for f in COUNTED)}) IS DISTINCT FROM ({', '.join('NEW.' + f for f in COUNTED)})) "
    f"EXECUTE FUNCTION evidence_count_item()",
    f"CREATE TRIGGER evidence_count_item_delete AFTER DELETE ON {I} FOR EACH ROW EXECUTE FUNCTION evidence_count_item()",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS evidence_count_link_change ON {L}",
    f"DROP TRIGGER IF EXISTS evidence_count_link_update ON {L}",
    f"DROP TRIGGER IF EXISTS evidence_count_item_update ON {I}",
    f"DROP TRIGGER IF EXISTS evidence_count_item_delete ON {I}",
    "DROP FUNCTION IF EXISTS evidence_count_link()",
    "DROP FUNCTION IF EXISTS evidence_count_item()",
]


def _run(schema_editor, statements) -> None:
    for sql in statements:
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL)
    else:
        raise NotImplementedError(f"evidence counts: no triggers written for {vendor}")
    _run(schema_editor, [BACKFILL])


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    _run(schema_editor, SQLITE_DROP if vendor == "sqlite" else POSTGRESQL_DROP)
    _run(schema_editor, [f"DELETE FROM {C}"])


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0003_index_accepted_evidence_review_queue_and_recent_events"),
    ]

    operations = [
        migrations.CreateModel(
            name="StandardEvidenceCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("campaign_id", models.BigIntegerField(verbose_name="campaign")),
                ("criterion_id", models.BigIntegerField(verbose_name="standard")),
                ("category", models.CharField(max_length=30, verbose_name="category")),
                ("status", models.CharField(max_length=20, verbose_name="status")),
                ("n", models.IntegerField(default=0, verbose_name="items")),
            ],
            options={
                "verbose_name": "evidence count of a standard",
                "verbose_name_plural": "evidence counts of standards",
                "indexes": [models.Index(fields=["criterion_id"], name="standardevidencecount_crit_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign_id", "criterion_id", "category", "status"),
                        name="standardevidencecount_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
