"""The shared workbook reader: messy tables as offices write them, and files that must be refused."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from civunit import xlsx

COLUMNS = {
    "code": ["序号", "编号", "标准编码"],
    "title": ["测评标准", "工作任务", "标准内容"],
    "office": ["牵头科室", "责任单位"],
    "deadline": ["完成时限", "完成时间"],
}


def book_bytes(build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb.active)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read(data: bytes, **kw):
    book = xlsx.open_workbook(data, filename="t.xlsx")
    return list(xlsx.find_table(book, COLUMNS, **kw).rows())


def test_header_below_title_rows_with_full_width_text_and_merged_fill_down():
    def build(ws):
        ws["A1"] = "某市政协机关创建全国文明单位工作任务分解表"
        ws.merge_cells("A1:D1")
        ws["A2"] = "填报单位：办公室"
        ws.append(["序 号", "工作任务（必填）", "牵头科室", "完成时限"])
        ws.append(["１", "学习", "研究室", "2026年6月底"])
        ws.append([None, "宣讲", None, "6月30日前"])
        ws.merge_cells("C4:C5")
        ws.append([])
        ws.append(["注：本表由办公室汇总"])

    rows = read(book_bytes(build), required={"title"})
    assert [r.number for r in rows] == [4, 5, 7]
    assert rows[0]["code"] == "1"
    assert rows[1]["office"] == "研究室"  # filled down from the merged cell
    assert xlsx.is_note_row(rows[2])
    assert not xlsx.is_note_row(rows[0])


def test_two_row_merged_header_is_read():
    def build(ws):
        ws.append(["序号", "测评内容", None, "责任单位"])
        ws.append([None, "测评标准", "完成时间", None])
        ws.merge_cells("B1:C1")
        ws.merge_cells("A1:A2")
        ws.merge_cells("D1:D2")
        ws.append([1, "党组研究", "2026-03-01", "办公室"])

    rows = read(book_bytes(build), required={"title", "office"})
    assert rows[0].values == {"code": "1", "title": "党组研究", "deadline": "2026-03-01", "office": "办公室"}


def test_number_is_read_as_displayed_and_hidden_rows_are_skipped():
    def build(ws):
        ws.append(["序号", "测评标准"])
        ws.append([3.1, "甲"])
        ws["A2"].number_format = "0.00"
        ws.append([12.0, "乙"])
        ws.append([4, "隐藏"])
        ws.row_dimensions[4].hidden = True

    rows = read(book_bytes(build))
    assert [r["code"] for r in rows] == ["3.10", "12"]


def test_formula_without_cached_value_is_named_by_cell():
    def build(ws):
        ws.append(["序号", "测评标准"])
        ws.append([1, '=A2&"x"'])

    with pytest.raises(xlsx.WorkbookError) as err:
        read(book_bytes(build))
    assert "B2" in err.value.messages[0]


def test_missing_header_and_required_column_are_reported():
    with pytest.raises(xlsx.WorkbookError, match=r"No header row|表头"):
        read(book_bytes(lambda ws: ws.append(["甲", "乙"])))
    with pytest.raises(xlsx.WorkbookError) as err:
        read(book_bytes(lambda ws: ws.append(["序号", "完成时限"])), required={"title"})
    assert "测评标准" in err.value.messages[0]


@pytest.mark.parametrize("name", ["a.xls", "a.et", "a.ods"])
def test_legacy_formats_are_refused_by_name(name):
    with pytest.raises(xlsx.WorkbookError, match=r"\.xlsx"):
        xlsx.open_workbook(b"whatever", filename=name)


def test_not_a_workbook_empty_and_ole_files_are_refused():
    for data in (b"", b"hello world", xlsx.OLE_MAGIC + b"\0" * 600):
        with pytest.raises(xlsx.WorkbookError):
            xlsx.open_workbook(data, filename="x.xlsx")


def test_zip_bomb_is_refused_before_parsing():
    data = book_bytes(lambda ws: ws.append(["序号"]))
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/media/pad.bin", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(xlsx.WorkbookError, match="压缩"):
        xlsx.open_workbook(buf.getvalue(), filename="x.xlsx")


def test_xml_entity_declaration_is_refused():
    data = book_bytes(lambda ws: ws.append(["序号"]))
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
            dst.writestr(item, body)
    with pytest.raises(xlsx.WorkbookError, match="DOCTYPE"):
        xlsx.open_workbook(buf.getvalue(), filename="x.xlsx")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-09-30", datetime.date(2026, 9, 30)),
        ("2026.12", datetime.date(2026, 12, 31)),
        ("2026年6月底", datetime.date(2026, 6, 30)),
        ("6月30日前", datetime.date(2026, 6, 30)),
        ("3月1日前", datetime.date(2027, 3, 1)),
        ("２０２６／９／１", datetime.date(2026, 9, 1)),
        (46295, datetime.date(2026, 9, 30)),
        (datetime.datetime(2026, 5, 1), datetime.date(2026, 5, 1)),
    ],
)
def test_dates_as_people_write_them(text, expected):
    assert xlsx.parse_date(text, not_before=datetime.date(2026, 4, 1)) == expected


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "下周", "13月"])
def test_impossible_dates_raise(text):
    with pytest.raises(ValueError):
        xlsx.parse_date(text, not_before=datetime.date(2026, 4, 1))


def test_set_text_keeps_formula_like_text_as_text():
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    xlsx.set_text(ws["A1"], '=HYPERLINK("x")')
    buf = io.BytesIO()
    wb.save(buf)
    again = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    assert isinstance(again, Worksheet)
    assert again["A1"].value == '=HYPERLINK("x")'
    assert again["A1"].data_type == "s"
