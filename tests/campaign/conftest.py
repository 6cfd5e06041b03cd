import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from openpyxl.worksheet.worksheet import Worksheet

from campaign import services
from campaign.models import Criterion, VetoCondition

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
EXAMPLE = FIXTURES / "criteria-example.json"
WORKBOOKS = ["province-merged.xlsx", "libreoffice-rows.xlsx", "flat-numeric.xlsx"]


@pytest.fixture
def example_bytes() -> bytes:
    return EXAMPLE.read_bytes()


@pytest.fixture
def imported(campaign, example_bytes):
    """The campaign with the example criteria imported."""
    result = services.criteria_import(campaign=campaign, user=None, file_name="example.json", data=example_bytes)
    assert result.ok, result.issues
    return campaign


def tree_signature(campaign) -> dict:
    """What makes two imports "the same tree": per code its parent, title, level, order, scores and kind; for
    standards also methods, guidance and evidence requirements; and the veto list."""
    out: dict[str, tuple] = {}
    for c in Criterion.objects.filter(campaign=campaign).select_related("parent").prefetch_related("requirements"):
        sig: tuple = (c.parent.code if c.parent else None, c.title, c.level, c.ordering, c.max_score, c.kind, c.is_leaf)
        if c.is_leaf:
            reqs = tuple(sorted((r.category, r.min_count) for r in c.requirements.all()))
            sig += (tuple(c.methods), c.guidance, c.requirement_text, reqs)
        out[c.code] = sig
    for v in VetoCondition.objects.filter(campaign=campaign).select_related("parent"):
        out[f"veto:{v.code}"] = (v.parent.code if v.parent else None, v.title, v.level, v.ordering)
    return out


def workbook(rows, *, build=None) -> bytes:
    """A workbook from a list of rows (the first is the header); `build(ws)` may adjust it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    for row in rows:
        ws.append(row)
    if build:
        build(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def import_bytes(campaign, data: bytes, name: str, *, user=None, dry_run=False):
    return services.criteria_import(campaign=campaign, user=user, file_name=name, data=data, dry_run=dry_run)
