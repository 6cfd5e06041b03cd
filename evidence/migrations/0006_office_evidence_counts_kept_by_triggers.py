"""The counts of evidence per office (OfficeEvidenceCount), kept by triggers, on SQLite and PostgreSQL.

Each trigger moves a count in the statement that changes what it counts: a current, not deleted item counts once
under (its campaign, its office, its status). The backfill counts what exists when the migration runs."""

from django.db import migrations, models

C = "evidence_officeevidencecount"
I = "evidence_evidenceitem"  # noqa: E741
KEY = "(campaign_id, office_id, status)"
COUNTED = ("campaign_id", "office_id", "is_current", "deleted_at", "status")

BACKFILL = f"""
INSERT INTO {C} (campaign_id, office_id, status, n)
SELECT campaign_id, office_id, status, COUNT(*) FROM {I}
WHERE is_current AND deleted_at IS NULL
GROUP BY campaign_id, office_id, status
"""


def _sqlite_add(row: str) -> str:
    counts = f"{row}.is_current AND {row}.deleted_at IS NULL"
    return (
        f"INSERT OR IGNORE INTO {C} (campaign_id, office_id, status, n) SELECT {row}.campaign_id, {row}.office_id, "
        f"{row}.status, 0 WHERE {counts};\n"
        f"  UPDATE {C} SET n = n + 1 WHERE {counts} AND campaign_id = {row}.campaign_id AND office_id = "
        f"{row}.office_id AND status = {row}.status;"
    )


def _sqlite_remove(row: str) -> str:
    return (
        f"UPDATE {C} SET n = n - 1 WHERE {row}.is_current AND {row}.deleted_at IS NULL AND campaign_id = "
        f"{row}.campaign_id AND office_id = {row}.office_id AND status = {row}.status;"
    )


SQLITE_CHANGED = " OR ".join(f"OLD.{f} IS NOT NEW.{f}" for f in COUNTED)
SQLITE = [
    f"CREATE TRIGGER evidence_office_count_insert AFTER INSERT ON {I} BEGIN\n  {_sqlite_add('NEW')}\nEND",
    f"CREATE TRIGGER evidence_office_count_update AFTER UPDATE OF {', '.join(COUNTED)} ON {I} "
    f"WHEN {SQLITE_CHANGED} BEGIN\n  {_sqlite_remove('OLD')}\n  {_sqlite_add('NEW')}\nEND",
    f"CREATE TRIGGER evidence_office_count_delete AFTER DELETE ON {I} BEGIN\n  {_sqlite_remove('OLD')}\nEND",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS evidence_office_count_{name}" for name in ("insert", "update", "delete")]

POSTGRESQL = [
    f"""CREATE FUNCTION evidence_office_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.is_current AND OLD.deleted_at IS NULL THEN
    UPDATE {C} SET n = n - 1
    WHERE campaign_id = OLD.campaign_id AND office_id = OLD.office_id AND status = OLD.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.is_current AND NEW.deleted_at IS NULL THEN
    INSERT INTO {C} (campaign_id, office_id, status, n) VALUES (NEW.campaign_id, NEW.office_id, NEW.status, 1)
    ON CONFLICT {KEY} DO UPDATE SET n = {C}.n + 1;
  END IF;
  RETURN NULL;
END $$""",
    f"CREATE TRIGGER evidence_office_count_change AFTER INSERT OR DELETE ON {I} "
    f"FOR EACH ROW EXECUTE FUNCTION evidence_office_count()",
    f"CREATE TRIGGER evidence_office_count_update AFTER UPDATE OF {', '.join(COUNTED)} ON {I} FOR EACH ROW "
    f"WHEN (({', '.join('OLD.' + f for f in COUNTED)}) IS DISTINCT FROM ({', '.join('NEW.' + f for f in COUNTED)})) "
    f"EXECUTE FUNCTION evidence_office_count()",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS evidence_office_count_change ON {I}",
    f"DROP TRIGGER IF EXISTS evidence_office_count_update ON {I}",
    "DROP FUNCTION IF EXISTS evidence_office_count()",
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
        raise NotImplementedError(f"evidence office counts: no triggers written for {vendor}")
    _run(schema_editor, [f"DELETE FROM {C}", BACKFILL])


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    _run(schema_editor, SQLITE_DROP if vendor == "sqlite" else POSTGRESQL_DROP)
    _run(schema_editor, [f"DELETE FROM {C}"])


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0005_index_evidence_figures_by_office"),
    ]

    operations = [
        migrations.CreateModel(
            name="OfficeEvidenceCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("campaign_id", models.BigIntegerField(verbose_name="campaign")),
                ("office_id", models.BigIntegerField(verbose_name="office")),
                ("status", models.CharField(max_length=20, verbose_name="status")),
                ("n", models.IntegerField(default=0, verbose_name="items")),
            ],
            options={
                "verbose_name": "evidence count of an office",
                "verbose_name_plural": "evidence counts of offices",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign_id", "office_id", "status"), name="officeevidencecount_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
