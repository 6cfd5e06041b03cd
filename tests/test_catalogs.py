"""The zh_Hans catalogs, one per app: compiled as committed, and one translation per message across all of them.

Django merges the apps' catalogs into one: a message (msgid, with its context) translated one way in the tasks
catalog and another way in the evidence catalog shows whichever catalog loads first, on every page. The catalogs'
completeness (no untranslated or fuzzy entry) is checked by ./scripts/messages; this checks what it cannot."""

from __future__ import annotations

import gettext
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo") if ".venv" not in p.parts)


def _catalog(mo: Path) -> dict:
    with mo.open("rb") as f:
        return dict(gettext.GNUTranslations(f)._catalog)  # type: ignore[attr-defined]


def test_every_app_has_a_compiled_catalog():
    names = {str(p.relative_to(ROOT)).split("/locale/")[0] for p in CATALOGS}
    assert {"campaign", "tasks", "evidence", "civunit"} <= names


@pytest.mark.parametrize("mo", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)).split("/locale/")[0])
def test_the_committed_catalog_is_compiled_from_its_source(mo: Path, tmp_path: Path):
    """The .mo file is what msgfmt makes of the .po beside it: a .po edited without ./scripts/messages would
    translate nothing of what was edited."""
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(mo.with_suffix(".po"))], check=True)  # noqa: S603, S607
    assert _catalog(mo) == _catalog(fresh)


def test_no_message_is_translated_two_ways_in_two_catalogs():
    seen: dict[object, tuple[str, str]] = {}
    clashes = []
    for mo in CATALOGS:
        where = str(mo.relative_to(ROOT)).split("/locale/")[0]
        for key, value in _catalog(mo).items():
            if key in ("", ("", 0)) or not value:
                continue
            if key in seen and seen[key][1] != value:
                clashes.append(f"{key!r}: {seen[key][0]} says {seen[key][1]!r}, {where} says {value!r}")
            seen.setdefault(key, (where, value))
    assert not clashes, "\n".join(clashes)
