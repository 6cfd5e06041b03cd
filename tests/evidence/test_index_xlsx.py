"""The evidence index (佐证材料目录): the selector files the current, readable items by standard; the workbook
holds exactly those, its text can never run as a formula, and each person gets only what they may read."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import EvidenceItem
from evidence.selectors import evidence_index
from evidence.workbooks import COLUMNS, evidence_index_workbook
from tests.evidence.review_factories import make_item, make_stored_file
from tests.factories import CampaignFactory, CriterionFactory

TODAY = datetime.date(2026, 3, 5)
HEADERS = [c.header for c in COLUMNS]


def _item(**fields):
    return make_item(stored_file=make_stored_file(with_previews=False), **fields)


@pytest.fixture
def archive(cast, campaign):
    """Two standards (in tree order 6.2.1, 6.2.2) and items of office A, office B and the 办公室; one deleted,
    one superseded version and one of another campaign that the index must leave out."""
    s2 = CriterionFactory(campaign=campaign, code="6.2.2", title="社区共建", ordering=20)
    s1 = CriterionFactory(campaign=campaign, code="6.2.1", title="学雷锋志愿服务", ordering=10)
    items = {
        "a2": _item(
            campaign=campaign,
            uploader=cast.staff_a,
            standards=[s1],
            archive_number="6.2.1-002",
            title="志愿服务照片",
            status=EvidenceItem.Status.ACCEPTED,
            taken_on=datetime.date(2026, 3, 1),
        ),
        "a1": _item(
            campaign=campaign,
            uploader=cast.staff_a,
            standards=[s1],
            archive_number="6.2.1-001",
            title="志愿服务方案",
            category="plan",
        ),
        "b1": _item(
            campaign=campaign,
            uploader=cast.staff_b,
            standards=[s2, s1],
            archive_number="6.2.2-001",
            title="共建协议",
            category="official_document",
            status=EvidenceItem.Status.RETURNED,
        ),
        "main": _item(
            campaign=campaign,
            uploader=cast.coordinator,
            title="媒体报道",
            category="media_report",
            url="https://example.org/a",
        ),
    }
    _item(campaign=campaign, uploader=cast.staff_a, standards=[s1], title="已删除", deleted_at=timezone.now())
    _item(campaign=campaign, uploader=cast.staff_a, standards=[s1], title="旧版本", is_current=False)
    other = CampaignFactory(is_current=False, title="上一轮")
    _item(campaign=other, uploader=cast.staff_a, title="上一轮的材料")
    return {"standards": (s1, s2), "items": items}


def _rows(data: bytes) -> tuple:
    ws = openpyxl.load_workbook(io.BytesIO(data))["佐证材料目录"]
    assert [c.value for c in ws[3]] == HEADERS
    return ws, [[c.value for c in row] for row in ws.iter_rows(min_row=4)]


def test_the_index_files_current_items_by_standard_in_tree_order(cast, campaign, archive):
    s1, s2 = archive["standards"]
    items = archive["items"]
    groups = evidence_index(campaign, user=cast.coordinator)
    assert [g.standard for g in groups] == [s1, s2, None]
    assert [[e.item for e in g.entries] for g in groups] == [[items["a1"], items["a2"]], [items["b1"]], [items["main"]]]
    assert groups[1].entries[0].standards == (s2, s1)
    assert groups[0].entries[1].date == datetime.date(2026, 3, 1)
    assert groups[0].entries[0].date == timezone.localdate(items["a1"].created_at)
    accepted = evidence_index(campaign, user=cast.coordinator, accepted_only=True)
    assert [[e.item for e in g.entries] for g in accepted] == [[items["a2"]]]


def test_the_workbook_rows_are_the_selectors_entries(cast, campaign, archive):
    groups = evidence_index(campaign, user=cast.coordinator)
    ws, rows = _rows(evidence_index_workbook(campaign, user=cast.coordinator, today=TODAY, partial=False))
    expected: list[list] = []
    n = 0
    for group in groups:
        code = f"{group.standard.code} {group.standard.title}" if group.standard else "未关联测评标准"
        expected.append([f"{code}（{len(group.entries)}件）"] + [None] * (len(HEADERS) - 1))
        for entry in group.entries:
            n += 1
            item = entry.item
            expected.append(
                [
                    n,
                    item.archive_number or None,
                    item.title,
                    {"photo": "照片", "plan": "方案/计划", "official_document": "正式文件", "media_report": "媒体报道"}[
                        item.category
                    ],
                    datetime.datetime.combine(entry.date, datetime.time()),
                    item.office.name,
                    "、".join(c.code for c in entry.standards) or None,
                    {"pending": "待审核", "accepted": "已采用", "returned": "已退回"}[item.status],
                    item.url or None,
                ]
            )
    assert rows == expected
    assert rows[0][0] == "6.2.1 学雷锋志愿服务（2件）"
    assert rows[4][6] == "6.2.2、6.2.1"
    assert ws["A2"].value == "截至2026年3月5日，共4件"
    assert "A4:I4" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.cell(row=5, column=5).number_format == "yyyy-mm-dd"


def test_a_head_gets_only_what_their_office_may_read(cast, campaign, archive):
    items = archive["items"]
    groups = evidence_index(campaign, user=cast.head_a)
    assert [e.item for g in groups for e in g.entries] == [items["a1"], items["a2"]]
    ws, rows = _rows(evidence_index_workbook(campaign, user=cast.head_a, today=TODAY, partial=True))
    titles = [r[2] for r in rows if r[0] is not None and not isinstance(r[0], str)]
    assert titles == ["志愿服务方案", "志愿服务照片"]
    assert ws["A2"].value == "截至2026年3月5日，共2件，仅含下载人可查阅的材料"


def test_text_that_looks_like_a_formula_stays_text(cast, campaign):
    standard = CriterionFactory(campaign=campaign, code="=1+1", title="@SUM(A1)", ordering=1)
    hostile = ['=HYPERLINK("http://evil","点击")', "+1", "-1", "@cmd"]
    for i, title in enumerate(hostile):
        _item(campaign=campaign, uploader=cast.staff_a, standards=[standard], title=title, archive_number=f"-{i}")
    # control characters are dropped (no NUL here: PostgreSQL cannot store one)
    _item(campaign=campaign, uploader=cast.staff_a, standards=[standard], title="坏\x01字\x08符\x1b")
    ws, rows = _rows(evidence_index_workbook(campaign, user=cast.coordinator, today=TODAY, partial=False))
    assert rows[0][0] == "=1+1 @SUM(A1)（5件）"
    assert ws["A4"].data_type == "s"
    by_title = {ws.cell(row=r, column=3).value: r for r in range(5, ws.max_row + 1)}
    for title in hostile:
        row = by_title[title]
        assert ws.cell(row=row, column=3).data_type == "s"
        assert ws.cell(row=row, column=3).quotePrefix
        assert ws.cell(row=row, column=2).value.startswith("-")
        assert ws.cell(row=row, column=2).data_type == "s"
        assert ws.cell(row=row, column=7).value == "=1+1"
    assert "坏字符" in by_title
    assert [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"] == []


def test_building_it_takes_the_same_queries_whatever_the_number_of_items(
    cast, campaign, archive, django_assert_num_queries
):
    s1, _s2 = archive["standards"]
    evidence_index_workbook(campaign, user=cast.coordinator, today=TODAY, partial=False)  # warm-up: the roles
    with django_assert_num_queries(2):  # the items with office and primary standard; their links and standards
        evidence_index_workbook(campaign, user=cast.coordinator, today=TODAY, partial=False)
    for i in range(20):
        _item(campaign=campaign, uploader=cast.staff_b, standards=[s1], archive_number=f"6.2.1-1{i:02d}")
    with django_assert_num_queries(2):
        evidence_index_workbook(campaign, user=cast.coordinator, today=TODAY, partial=False)


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", 200), ("leader", 200), ("head_a", 200), ("head_b", 200), ("staff_a", 403), ("staff_b", 403)],
)
def test_who_downloads_it(cast, campaign, archive, login, who, status):
    response = login(getattr(cast, who)).get(reverse("evidence:index_xlsx"))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
        assert "attachment" in response["Content-Disposition"]
        _ws, rows = _rows(response.content)
        titles = {r[2] for r in rows}
        # head_b reads office B's own item; office A's items are not theirs (no task links them to office B).
        assert ("志愿服务方案" in titles) == (who in ("coordinator", "leader", "head_a"))
        assert ("共建协议" in titles) == (who in ("coordinator", "leader", "head_b"))


def test_anonymous_is_sent_to_login_and_no_campaign_is_404(cast, client, login):
    url = reverse("evidence:index_xlsx")
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert login(cast.coordinator).get(url).status_code == 404


def test_the_standards_page_links_to_it_for_those_who_may_download(cast, campaign, login):
    url = reverse("evidence:index_xlsx")
    assert url in login(cast.leader).get(reverse("evidence:standards_tree")).content.decode()
    assert url in login(cast.head_a).get(reverse("evidence:standards_tree")).content.decode()
    assert url not in login(cast.staff_a).get(reverse("evidence:standards_tree")).content.decode()
