"""Every kind of bad criteria table gets a clear message (with its row or cell) and changes nothing."""

import io
import json
import re
import zipfile

import pytest

from campaign.models import Criterion, ImportRecord
from civunit import xlsx

from .conftest import import_bytes, tree_signature, workbook

FLAT_HEADER = ["编码", "名称", "分值", "测评方法"]


def _json(entries) -> bytes:
    return json.dumps(entries, ensure_ascii=False).encode()


def refused(campaign, data: bytes, name: str):
    """Import and check that nothing at all was written; returns the issues."""
    before = tree_signature(campaign)
    records = ImportRecord.objects.count()
    result = import_bytes(campaign, data, name)
    assert not result.ok
    assert result.issues
    assert tree_signature(campaign) == before
    assert ImportRecord.objects.count() == records
    return result.issues


def messages(issues) -> str:
    return "\n".join(str(i) for i in issues)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4 not a table", "table.pdf"),
        (b"just some text", "table.txt"),
        (b"just some text", "table.xlsx"),
        (b"", "empty.xlsx"),
        (b"{not json", "table.json"),
        (b"\xff\xfe\x00garbage", "table.json"),
        (b'{"criteria": 3}', "table.json"),
        (b"[1, 2]", "table.json"),
    ],
)
def test_a_file_that_is_not_a_criteria_table_is_refused(imported, data, name):
    issues = refused(imported, data, name)
    assert issues[0].message


@pytest.mark.parametrize("name", ["table.xls", "table.et", "table.ods"])
def test_legacy_and_other_spreadsheet_formats_are_refused_asking_for_xlsx(campaign, name):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    issues = refused(campaign, ole, name)
    assert ".xlsx" in messages(issues)


def test_an_ods_file_renamed_to_xlsx_is_refused(campaign):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    assert ".xlsx" in messages(refused(campaign, buf.getvalue(), "table.xlsx"))


def test_a_workbook_without_a_recognisable_header_is_refused(campaign):
    data = workbook([["姓名", "电话", "地址"], ["张三", "123", "某地"]])
    refused(campaign, data, "people.xlsx")


def test_duplicate_codes_are_reported_with_both_rows(campaign):
    data = workbook([FLAT_HEADER, ["1", "项目", 10, ""], ["1.1", "标准甲", 5, ""], ["1.1", "标准乙", 5, ""]])
    issues = refused(campaign, data, "dup.xlsx")
    assert [i.row for i in issues] == [4]
    assert "1.1" in issues[0].message and "3" in issues[0].message


def test_duplicate_codes_in_json_are_reported(campaign):
    issues = refused(campaign, _json([{"code": "1", "title": "a"}, {"code": "1", "title": "b"}]), "dup.json")
    assert issues[0].row == 2


def test_a_code_stored_as_a_number_that_collides_is_reported_as_such(campaign):
    # 3.10 typed into a General cell is stored as 3.1 and shown as 3.1: it collides with the real 3.1.
    data = workbook([FLAT_HEADER, [3, "项目", 20, ""], [3.1, "标准一", 1, ""], [3.1, "标准十", 1, ""]])
    issues = refused(campaign, data, "numbers.xlsx")
    assert issues[0].row == 4
    assert "3.10" in issues[0].message  # the hint names what Excel did


def test_a_code_formatted_as_text_keeps_its_trailing_zero(campaign):
    def build(ws):
        ws["A4"].number_format = "0.00"

    data = workbook([FLAT_HEADER, [3, "项目", 20, ""], [3.1, "标准一", 1, ""], [3.1, "标准十", 1, ""]], build=build)
    result = import_bytes(campaign, data, "formatted.xlsx")
    assert result.ok, messages(result.issues)
    assert set(Criterion.objects.values_list("code", flat=True)) == {"3", "3.1", "3.10"}


def test_a_standard_whose_parent_is_missing_is_refused(campaign):
    data = workbook([[*FLAT_HEADER, "上级编码"], ["1", "项目", 10, "", ""], ["2.1", "标准", 5, "", "2"]])
    issues = refused(campaign, data, "orphan.xlsx")
    assert issues[0].row == 3 and "2" in issues[0].message


def test_a_cycle_of_parents_is_refused(campaign):
    entries = [{"code": "A", "title": "甲", "parent_code": "B"}, {"code": "B", "title": "乙", "parent_code": "A"}]
    assert len(refused(campaign, _json(entries), "cycle.json")) == 2


@pytest.mark.parametrize("value", ["十分", "abc", "-1", "1.234", "NaN"])
def test_a_score_that_is_not_a_number_of_points_is_refused_naming_the_row(campaign, value):
    data = workbook([FLAT_HEADER, ["1", "项目", 10, ""], ["1.1", "标准", value, ""]])
    issues = refused(campaign, data, "score.xlsx")
    assert issues[0].row == 3
    assert value in issues[0].message


def test_scores_that_break_the_parents_maximum_are_refused(campaign):
    data = workbook([FLAT_HEADER, ["1", "项目", 10, ""], ["1.1", "标准一", 6, ""], ["1.2", "标准二", 5, ""]])
    issues = refused(campaign, data, "sum.xlsx")
    assert issues[0].row == 2
    assert "11" in issues[0].message and "10" in issues[0].message


def test_a_score_in_the_title_that_disagrees_with_the_score_column_is_refused(campaign):
    data = workbook([["测评项目", "测评标准", "分值"], ["一、项目（10分）", "1.标准", 5], [None, "2.标准（3分）", 4]])
    issues = refused(campaign, data, "titles.xlsx")
    assert issues[0].row == 3


def test_empty_titles_and_overlong_codes_are_refused(campaign):
    entries = [{"code": "1", "title": ""}, {"code": "1" * 31, "title": "长编码"}]
    assert [i.row for i in refused(campaign, _json(entries), "bad.json")] == [1, 2]


def test_wrong_types_in_json_are_each_reported(campaign):
    entries = [
        {"code": 1, "title": "number code"},
        {"code": "2", "title": "x", "methods": 5},
        {"code": "3", "title": "x", "veto": "yes"},
        {"code": "4", "title": "x", "requirements": [{"category": "火星文", "min_count": 1}]},
        {"code": "5", "title": "x", "requirements": [{"category": "照片", "min_count": 0}]},
        {"code": "6", "title": "x", "kind": "extra"},
        {"code": "7", "title": "x", "level": 0},
    ]
    assert [i.row for i in refused(campaign, _json(entries), "types.json")] == [1, 2, 3, 4, 5, 6, 7]


def test_an_explanation_over_the_limit_is_refused_by_the_import(campaign):
    campaign.explanation_limit = 10
    campaign.save()
    entries = [
        {"code": "1", "title": "项目"},
        {"code": "1.1", "parent_code": "1", "title": "标准", "explanation": "x"},
        {"code": "2", "title": "指标", "explanation": "一二三四五六七八九十一"},
        {"code": "2.1", "parent_code": "2", "title": "标准"},
    ]
    issues = refused(campaign, _json(entries), "long.json")
    assert [i.row for i in issues] == [2, 3]  # 1.1 is a standard, not an indicator; 2 has 11 characters
    assert "11" in issues[1].message


def test_an_explanation_at_exactly_the_limit_with_line_breaks_is_imported(campaign):
    campaign.explanation_limit = 10
    campaign.save()
    text = "一二三四\r\n五六七\r\n𠀀"  # 4 + 1 + 3 + 1 + 1 (an Extension-B character) = 10 after CRLF → LF
    entries = [
        {"code": "2", "title": "指标", "explanation": text},
        {"code": "2.1", "parent_code": "2", "title": "标准"},
    ]
    result = import_bytes(campaign, _json(entries), "exact.json")
    assert result.ok, messages(result.issues)
    assert Criterion.objects.get(code="2").explanation.text == "一二三四\n五六七\n𠀀"


def _patch_sheet(data: bytes, patch) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = patch(content)
            dst.writestr(item, content)
    return out.getvalue()


def test_a_formula_without_a_cached_value_is_refused_naming_the_cell(campaign):
    data = workbook([FLAT_HEADER, ["1", "项目", "=2+3", ""], ["1.1", "标准", 5, ""]])
    issues = refused(campaign, data, "formula.xlsx")
    assert "C2" in messages(issues)


def test_a_formula_with_a_cached_value_uses_the_value_without_evaluating(campaign):
    data = workbook([FLAT_HEADER, ["1", "项目", "=2+3", ""], ["1.1", "标准", 5, ""]])
    # As Excel saves it: the formula and its last computed value. A different value proves nothing was evaluated.
    data = _patch_sheet(data, lambda xml: re.sub(rb"<f>2\+3</f><v\s*/?>(</v>)?", b"<f>2+3</f><v>8</v>", xml))
    result = import_bytes(campaign, data, "cached.xlsx")
    assert result.ok, messages(result.issues)
    assert Criterion.objects.get(code="1").max_score == 8


def test_a_zip_bomb_is_refused_before_parsing(campaign):
    data = workbook([FLAT_HEADER, ["1", "项目", 10, ""]])
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))
    refused(campaign, buf.getvalue(), "bomb.xlsx")


def test_an_xml_entity_declaration_is_refused(campaign):
    data = workbook([FLAT_HEADER, ["1", "项目", 10, ""]])
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    data = _patch_sheet(data, lambda xml: bomb + re.sub(rb"^<\?xml[^>]*\?>", b"", xml))
    assert "ENTITY" in messages(refused(campaign, data, "entity.xlsx"))


def test_a_sheet_over_the_row_cap_is_refused(campaign, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 30)
    rows = [FLAT_HEADER] + [[f"{i}", f"项目{i}", 1, ""] for i in range(1, 60)]
    assert "30" in messages(refused(campaign, workbook(rows), "rows.xlsx"))


def test_a_sheet_over_the_column_cap_is_refused(campaign):
    rows = [[*FLAT_HEADER, *[f"列{i}" for i in range(xlsx.MAX_COLUMNS)]], ["1", "项目", 10, ""]]
    refused(campaign, workbook(rows), "wide.xlsx")


def test_a_bad_import_into_a_filled_campaign_leaves_it_as_it_was(imported):
    entries = json.loads((__import__("campaign.demo").demo.EXAMPLE_FILE).read_text(encoding="utf-8"))
    entries[5]["max_score"] = "many"
    entries[40]["title"] = "changed title"  # a valid change in the same file is not applied either
    refused(imported, _json(entries), "half.json")


def test_a_numeric_code_colliding_with_an_earlier_text_code_names_that_row(campaign):
    data = workbook([FLAT_HEADER, ["3", "项目", 20, ""], ["3.1", "标准一", 1, ""], [3.1, "标准十", 1, ""]])
    issues = refused(campaign, data, "mixed.xlsx")
    assert issues[0].row == 4
    assert "3" in issues[0].message and "3.10" in issues[0].message


@pytest.mark.parametrize("level", ["٣", "0", "一", "1.5"])
def test_a_level_that_is_not_a_whole_number_is_a_row_problem(campaign, level):
    """Levels are ASCII whole numbers from 1 ("²" reads as "2": the cells' text is NFKC-normalised)."""
    from .conftest import workbook

    data = workbook([["编码", "名称", "层级"], ["1", "组织领导", "1"], ["1.1", "领导体制", level]])
    issues = refused(campaign, data, "levels.xlsx")
    assert [i.row for i in issues] == [3]
    assert not Criterion.objects.filter(campaign=campaign).exists()
