"""The hostile suite's yardstick: what the database and the storage hold, before and after a refused request."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings

from tests.db_state import database_state
from tests.tasks.test_race import migrated_sqlite_file, race_db  # noqa: F401 (fixtures)
from tests.test_url_matrix import world  # noqa: F401 (fixture)

# Rows a request may write whatever it carries: the session it runs in, the login audit of django-axes.
VOLATILE = {"sessions.Session"}


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models(include_auto_created=True)
        if m._meta.label not in VOLATILE and m._meta.managed
    }


def stored_names() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def upload_temp_names() -> list[str]:
    root = Path(str(settings.FILE_UPLOAD_TEMP_DIR))
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != ".last-sweep")


class Snapshot:
    """Every row count, every row of the project's own tables, every stored and temporary file."""

    def __init__(self):
        self.counts = row_counts()
        self.rows = database_state()
        self.files = stored_names()
        self.temp = upload_temp_names()

    def unchanged(self) -> list[str]:
        """What changed since (empty when nothing did)."""
        now = Snapshot()
        changed = [k for k in self.counts if self.counts[k] != now.counts.get(k)]
        changed += [k for k in self.rows if self.rows[k] != now.rows.get(k) and k not in changed]
        if now.files != self.files:
            added, removed = sorted(set(now.files) - set(self.files)), sorted(set(self.files) - set(now.files))
            changed.append(f"stored files: +{added} -{removed}")
        if now.temp != self.temp:
            changed.append(f"temporary files: {sorted(set(now.temp) - set(self.temp))}")
        return changed


def stored_surrogates() -> list[str]:
    """Tables whose rows hold a lone surrogate in some text (neither database can store one for real)."""
    found = []
    for label, rows in database_state().items():
        for row in rows:
            for value in row.values():
                if isinstance(value, str) and any("\ud800" <= ch <= "\udfff" for ch in value):
                    found.append(label)
    return found
