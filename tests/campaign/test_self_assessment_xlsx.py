"""The self-assessment table (自评表) workbook: its figures are the criteria tree's, its text can never run as a
formula, and only the coordinator, leadership and office heads download it."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from campaign import selectors
from campaign.models import Assessment, Criterion
from campaign.workbooks import COLUMNS, self_assessment_workbook
from tests.factories import CriterionFactory

TODAY = datetime.date(2026, 3, 5)
HEADERS = [c.header for c in COLUMNS]


def _tree(campaign):
    """Item 1 (scored, 2 indicators, 3 standards), item 2 (a bonus item, 1 standard), with assessments."""
    item1 = CriterionFactory(campaign=campaign, code="1", title="思想道德建设", is_leaf=False, level=1, ordering=1)
    ind11 = CriterionFactory(
        campaign=campaign, code="1.1", title="理论学习", is_leaf=False, level=2, parent=item1, ordering=2
    )
    ind12 = CriterionFactory(
        campaign=campaign, code="1.2", title="道德实践", is_leaf=False, level=2, parent=item1, ordering=5
    )
    standards = [
        CriterionFactory(
            campaign=campaign,
            code="1.1.1",
            title="中心组学习",
            level=3,
            parent=ind11,
            ordering=3,
            max_score=Decimal(4),
            methods=["材料审核", "听取汇报"],
        ),
        CriterionFactory(
            campaign=campaign, code="1.1.2", title="理论宣讲", level=3, parent=ind11, ordering=4, max_score=Decimal(3)
        ),
        CriterionFactory(
            campaign=campaign,
            code="1.2.1",
            title="志愿服务",
            level=3,
            parent=ind12,
            ordering=6,
            max_score=Decimal("2.5"),
        ),
    ]
    item2 = CriterionFactory(
        campaign=campaign, code="2", title="创新特色", is_leaf=False, level=1, ordering=7, kind=Criterion.Kind.BONUS
    )
    ind21 = CriterionFactory(
        campaign=campaign, code="2.1", title="特色品牌", is_leaf=False, level=2, parent=item2, ordering=8
    )
    bonus = CriterionFactory(campaign=campaign, code="2.1.1", title="品牌项目", level=3, parent=ind21, ordering=9)
    Assessment.objects.create(criterion=standards[0], status=Assessment.Status.MET, self_score=Decimal("3.5"))
    Assessment.objects.create(
        criterion=standards[1], status=Assessment.Status.BASICALLY_MET, self_score=Decimal(2), note="宣讲6场"
    )
    Assessment.objects.create(criterion=bonus, status=Assessment.Status.MET, self_score=Decimal(1))
    return standards, bonus


def _sheet(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["自评表"]
    return book["自评表"]


def _rows(ws) -> list[dict]:
    assert [c.value for c in ws[3]] == HEADERS
    return [dict(zip(HEADERS, [c.value for c in row], strict=True)) for row in ws.iter_rows(min_row=4)]


def test_each_standard_row_holds_the_trees_figures(campaign):
    _tree(campaign)
    tree = selectors.criteria_tree(campaign)
    ws = _sheet(self_assessment_workbook(campaign, today=TODAY))
    rows = {r["编码"]: r for r in _rows(ws) if r["编码"]}
    assert list(rows) == [n.code for n in tree.standards()]
    for node in tree.standards():
        row, a = rows[node.code], node.assessment
        assert row["测评标准"] == node.criterion.title
        assert row["测评方法"] == ("、".join(node.criterion.methods) or None)
        expected_max = node.criterion.max_score if node.is_scored else None
        assert (Decimal(str(row["分值"])) if row["分值"] is not None else None) == expected_max
        assert (Decimal(str(row["自评得分"])) if row["自评得分"] is not None else None) == (a.self_score if a else None)
    assert rows["1.1.1"]["完成情况"] == "达标"
    assert rows["1.1.2"]["完成情况"] == "基本达标"
    assert rows["1.2.1"]["完成情况"] == "未开始"
    assert rows["1.1.2"]["备注"] == "宣讲6场"
    assert rows["2.1.1"]["备注"] == "加分项"
    assert ws["A1"].value == f"{campaign.organ_name}{campaign.title}自评表"
    assert ws["A2"].value == f"截至2026年3月5日，共{tree.total.standards}项测评标准"


def test_subtotal_and_total_rows_are_the_trees_roll_ups(campaign):
    standards, _bonus = _tree(campaign)
    tree = selectors.criteria_tree(campaign)
    rows = _rows(_sheet(self_assessment_workbook(campaign, today=TODAY)))
    subtotals = [r for r in rows if r["测评项目"] == "小计"]
    assert [r["测评标准"] for r in subtotals] == [root.criterion.title for root in tree.roots]
    item1, item2 = tree.roots
    assert Decimal(str(subtotals[0]["分值"])) == item1.max_total == Decimal("9.5")
    assert Decimal(str(subtotals[0]["自评得分"])) == item1.score_total == Decimal("5.5")
    assert subtotals[1]["分值"] is None
    assert Decimal(str(subtotals[1]["自评得分"])) == item2.bonus_total
    total = next(r for r in rows if r["测评项目"] == "合计")
    assert Decimal(str(total["分值"])) == tree.total.max_total
    assert Decimal(str(total["自评得分"])) == tree.total.score_total
    assert total["备注"] == (
        f"达标{tree.total.met}项，基本达标{tree.total.basically_met}项，推进中{tree.total.in_progress}项，"
        f"共{tree.total.standards}项"
    )
    bonus = next(r for r in rows if r["测评项目"] == "加分项合计")
    assert Decimal(str(bonus["自评得分"])) == tree.total.bonus_total
    assert not any(r["测评项目"] == "扣分项合计" for r in rows)
    # A change shows: the figures are read, not written down.
    Assessment.objects.filter(criterion=standards[0]).update(self_score=Decimal(4))
    rows = _rows(_sheet(self_assessment_workbook(campaign, today=TODAY)))
    total = next(r for r in rows if r["测评项目"] == "合计")
    assert Decimal(str(total["自评得分"])) == Decimal(6)


def test_items_and_indicators_are_merged_over_their_standards(campaign):
    _tree(campaign)
    ws = _sheet(self_assessment_workbook(campaign, today=TODAY))
    merged = {str(r) for r in ws.merged_cells.ranges}
    # Rows 4-6: the standards of item 1 (1.1.1, 1.1.2 under 1.1; 1.2.1 under 1.2); row 7 its 小计; row 8 item 2's.
    assert {"A4:A6", "B4:B5"} <= merged
    assert ws["A4"].value == "思想道德建设"
    assert ws["B4"].value == "理论学习"
    assert ws["B6"].value == "道德实践"
    assert ws["A8"].value == "创新特色"
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert ws["A4"].style == "body-text"


def test_text_that_looks_like_a_formula_stays_text(campaign):
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)"]
    for i, title in enumerate(hostile):
        CriterionFactory(campaign=campaign, code=f"9.{i}", title=title, ordering=i, methods=["=cmd|' /C calc'!A0"])
    CriterionFactory(campaign=campaign, code="9.9", title="控制\x01字符\x1f", ordering=9)
    ws = _sheet(self_assessment_workbook(campaign, today=TODAY))
    cells = {ws.cell(row=r, column=4).value: ws.cell(row=r, column=4) for r in range(4, 4 + len(hostile))}
    for title in hostile:
        cell = cells[title]
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert ws.cell(row=4, column=5).data_type == "s"
    assert ws.cell(row=4, column=5).value == "=cmd|' /C calc'!A0"
    assert ws.cell(row=4 + len(hostile), column=4).value == "控制字符"
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_building_it_takes_one_query_whatever_the_size(campaign, django_assert_num_queries):
    _tree(campaign)
    with django_assert_num_queries(1):  # the criteria tree joined to assessments and explanations
        self_assessment_workbook(campaign, today=TODAY)
    for i in range(30):
        CriterionFactory(campaign=campaign, code=f"8.{i}", ordering=100 + i)
    with django_assert_num_queries(1):
        self_assessment_workbook(campaign, today=TODAY)


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", 200), ("leader", 200), ("head_a", 200), ("admin", 200), ("staff_a", 403)],
)
def test_who_downloads_it(cast, campaign, login, who, status):
    _tree(campaign)
    response = login(getattr(cast, who)).get(reverse("campaign:self_assessment_xlsx"))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
        assert "attachment" in response["Content-Disposition"]
        assert "%E8%87%AA%E8%AF%84%E8%A1%A8" in response["Content-Disposition"]  # 自评表
        _sheet(response.content)


def test_anonymous_is_sent_to_login_and_no_campaign_is_404(cast, client, login):
    url = reverse("campaign:self_assessment_xlsx")
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert login(cast.coordinator).get(url).status_code == 404


def test_the_criteria_page_links_to_it_for_those_who_may_download(cast, campaign, login):
    url = reverse("campaign:self_assessment_xlsx")
    assert url in login(cast.coordinator).get(reverse("campaign:criteria")).content.decode()
    assert url in login(cast.head_b).get(reverse("campaign:criteria")).content.decode()
    assert url not in login(cast.staff_b).get(reverse("campaign:criteria")).content.decode()
