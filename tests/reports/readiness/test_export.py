"""`manage.py readiness_check`: one line per finding (with its office and items) and the 自查整改清单 workbook;
the same workbook from the page, narrowed to what the reader sees."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl.worksheet.worksheet import Worksheet

from campaign.models import Campaign, EvidenceCategory
from civunit.reports.models import ReadinessFinding
from tests.evidence.factories import make_evidence

HEADERS = [
    "序号",
    "测评项目",
    "测评标准",
    "发现的问题",
    "涉及材料或任务",
    "严重程度",
    "责任委室",
    "整改措施",
    "整改时限",
    "整改状态",
]


def rows_of(data: bytes) -> tuple[list[str], list[dict[str, Any]], Worksheet]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    assert isinstance(ws, Worksheet)
    headers = [str(c.value) for c in ws[3]]
    body = [dict(zip(headers, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=4)]
    return headers, body, ws


@pytest.fixture
def photo_without_caption(cast, campaign, tree):
    # a title that would run as a formula if written carelessly
    return make_evidence(
        user=cast.staff_a, campaign=campaign, standards=[tree.s111], title='=HYPERLINK("http://x","点我")'
    )


def test_the_command_prints_one_line_per_finding_and_writes_the_workbook(
    cast, campaign, tree, photo_without_caption, tmp_path, capsys
):
    out = tmp_path / "自查整改清单.xlsx"
    call_command("readiness_check", "--xlsx", str(out), "--date", "2026-06-10")
    lines = capsys.readouterr().out.strip().splitlines()
    found = ReadinessFinding.objects.filter(campaign=campaign, resolved_at__isnull=True)
    assert len(lines) == found.count() + 2  # the findings, the totals, where the workbook went
    caption = next(line for line in lines if "照片的说明缺少" in line)
    assert caption.startswith("[提示] 1.1.1 1 张照片的说明缺少时间、地点、人物或主题 | 研究室 | =HYPERLINK")
    assert caption.endswith("| 待整改")
    assert any(line.startswith("[严重] 1.1.2 ") and "| 提案委员会办公室 |" in line for line in lines)
    assert any("距迎检验收（2026年11月1日）还有 144 天" in line for line in lines)
    assert lines[-2].startswith(f"共 {found.count()} 项：严重 3，警示 2，提示 2")

    headers, body, ws = rows_of(out.read_bytes())
    assert headers == HEADERS
    assert ws.title == "自查整改清单"
    assert "迎检自查整改清单" in str(ws["A1"].value)
    assert len(body) == found.count()
    assert [r["序号"] for r in body] == list(range(1, len(body) + 1))
    row = next(r for r in body if r["测评标准"] == "1.1.1 测评1.1.1" and "照片" in str(r["发现的问题"]))
    assert row["责任委室"] == "研究室"
    assert row["严重程度"] == "提示"
    assert row["整改状态"] == "待整改"
    assert row["整改措施"] == "逐张补全照片说明的时间、地点、人物和主题。"
    assert row["整改时限"] is not None
    # formula-safe: the title is text, stored with Excel's quote prefix
    cell = next(c for r in ws.iter_rows(min_row=4) for c in r if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s"
    assert str(cell.value).startswith('=HYPERLINK("http://x","点我")')
    assert cell.quotePrefix
    countdown = next(r for r in body if "迎检验收" in str(r["发现的问题"]))
    assert (countdown["测评项目"], countdown["整改状态"], countdown["整改时限"]) == ("创建工作整体", "仅供参考", None)


def test_the_command_without_a_current_campaign_says_so(db):
    Campaign.objects.all().delete()
    with pytest.raises(CommandError, match="没有当前的创建周期"):
        call_command("readiness_check")


def test_the_page_exports_what_the_reader_sees(cast, campaign, tree, login):
    make_evidence(user=cast.staff_b, campaign=campaign, standards=[tree.s112], category=EvidenceCategory.PHOTO)
    response = login(cast.head_a).get(reverse("reports:readiness_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store, no-transform"
    _headers, body, _ws = rows_of(response.content)
    assert {r["责任委室"] for r in body} == {"研究室"}
    whole = login(cast.coordinator).get(reverse("reports:readiness_export"), {"office": cast.office_b.pk})
    _headers, body, ws = rows_of(whole.content)
    assert {r["责任委室"] for r in body} == {"提案委员会办公室"}
    assert "（提案委员会办公室）" in str(ws["A1"].value)
