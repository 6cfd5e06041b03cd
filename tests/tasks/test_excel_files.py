"""Workbooks from elsewhere (a LibreOffice-written fixture), every file the import refuses, and the commands."""

import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from campaign.models import ImportRecord
from civunit import xlsx
from civunit.xlsx import WorkbookError
from tasks.models import ProgressReport, Recurrence, Status, Task, TaskEvent
from tests.tasks.test_excel_import import read, run_import, xlsx_bytes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "tasks"
MINIMAL = [["序号", "工作任务", "牵头科室"], [1, "甲", "研究室"]]


def test_a_breakdown_saved_by_libreoffice_is_imported(cast, campaign):
    data = (FIXTURES / "breakdown-libreoffice.xlsx").read_bytes()
    assert b"LibreOffice" in zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml")

    sheet = read(data, campaign)

    assert sheet.ok, [str(e) for e in sheet.errors]
    assert [r.code for r in sheet.rows] == ["1", "1.1", "2", "4"]  # the hidden row 3 is skipped
    run_import(data, campaign, cast.coordinator)
    first = Task.objects.get(code="1")
    assert first.lead_office == cast.office_main  # written 机关办公室
    assert set(first.supporting_offices.all()) == {cast.office_a, cast.office_b}
    assert (first.recurrence, first.status) == (Recurrence.MONTHLY, Status.IN_PROGRESS)
    assert first.leader_in_charge == cast.leader
    sub = Task.objects.get(code="1.1")  # the number is a formula's saved value
    assert sub.parent == first
    assert ProgressReport.objects.get(task=sub).text == "已召开3次"
    assert Task.objects.get(code="2").notes == "共2次"  # formula result, as saved by LibreOffice
    fourth = Task.objects.get(code="4")
    assert fourth.status == Status.RETURNED
    assert TaskEvent.objects.get(task=fourth, action=TaskEvent.Action.CREATED).note == "导入：需整改"
    assert len(sheet.warnings) == 1  # the campaign has no criteria to link the 测评指标 texts to


def test_a_formula_without_a_saved_value_is_a_row_problem_naming_its_cell(cast, campaign):
    data = xlsx_bytes([["序号", "工作任务", "牵头科室"], [1, "甲", "研究室"], ["=A2+1", "乙", "研究室"]])
    sheet = read(data, campaign)
    assert [(p.row, p.cell) for p in sheet.errors] == [(3, "A3")]  # not also "the number is empty"
    assert "A3" in str(sheet.errors[0])


@pytest.mark.parametrize("name", ["分解表.xls", "分解表.et", "分解表.ods"])
def test_legacy_and_other_formats_are_refused_asking_for_xlsx(cast, campaign, name):
    with pytest.raises(WorkbookError, match=r"\.xlsx"):
        read(xlsx_bytes(MINIMAL), campaign, name=name)


def test_a_file_that_is_not_a_workbook_is_refused(cast, campaign):
    for data in (b"", b"%PDF-1.7 not a table", _zip_with({"hello.txt": b"hi"})):
        with pytest.raises(WorkbookError):
            read(data, campaign)


def _zip_with(entries: dict[str, bytes], base: bytes | None = None, *, mutate=None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        if base is not None:
            with zipfile.ZipFile(io.BytesIO(base)) as src:
                for item in src.infolist():
                    body = src.read(item)
                    dst.writestr(item, mutate(item.filename, body) if mutate else body)
        for name, body in entries.items():
            dst.writestr(name, body)
    return buf.getvalue()


def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (what Excel writes for a password-protected .xlsx) holding `streams`, each
    padded to 4 KiB so that no mini stream is needed."""
    sector = 512
    names = list(streams)
    bodies = [streams[n].ljust(4096, b"\0") for n in names]
    fat = [0xFFFFFFFD, 0xFFFFFFFE]  # sector 0: the FAT itself; sector 1: the directory
    starts = []
    for body in bodies:
        count = len(body) // sector
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", 0xFFFFFFFF) * 108

    def entry(name, kind, left, right, child, start, size):
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", left, right, child)
            + b"\0" * 16
            + struct.pack("<IQQ", 0, 0, 0)
            + struct.pack("<IQ", start, size)
        )

    none = 0xFFFFFFFF
    directory = entry("Root Entry", 5, none, none, 1, 0xFFFFFFFE, 0)
    for i, name in enumerate(names):
        directory += entry(name, 2, none, i + 2 if i + 1 < len(names) else none, none, starts[i], len(bodies[i]))
    directory = directory.ljust(sector, b"\0")
    return header + struct.pack("<128I", *fat) + directory + b"".join(bodies)


def test_a_password_protected_workbook_is_refused(cast, campaign):
    data = _cfb({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x01" * 64})
    with pytest.raises(WorkbookError) as err:
        read(data, campaign)
    assert "password" in str(err.value) or "密码" in str(err.value)


def test_a_zip_bomb_is_refused_before_it_is_parsed(cast, campaign):
    data = _zip_with({"xl/media/pad.bin": b"\0" * (30 * 1024 * 1024)}, xlsx_bytes(MINIMAL))
    with pytest.raises(WorkbookError, match=r"zip bomb|压缩"):
        read(data, campaign)


def test_an_xml_entity_declaration_is_refused(cast, campaign):
    def add_entity(name, body):
        if name == "xl/worksheets/sheet1.xml":
            return b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
        return body

    with pytest.raises(WorkbookError, match="DOCTYPE"):
        read(_zip_with({}, xlsx_bytes(MINIMAL), mutate=add_entity), campaign)


def test_a_sheet_over_the_row_or_column_cap_is_refused(cast, campaign, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)
    with pytest.raises(WorkbookError, match="5"):
        read(xlsx_bytes(MINIMAL + [[i, "乙", "研究室"] for i in range(2, 30)]), campaign)
    monkeypatch.setattr(xlsx, "MAX_COLUMNS", 4)
    with pytest.raises(WorkbookError, match="4"):
        read(xlsx_bytes([["序号", "工作任务", "牵头科室", "a", "b", "c"], [1, "甲", "研究室"]]), campaign)


# --- Commands --------------------------------------------------------------------------------------------


def test_import_tasks_dry_run_reports_and_imports_nothing(cast, campaign, tmp_path, capsys):
    path = tmp_path / "分解表.xlsx"
    path.write_bytes(xlsx_bytes(MINIMAL))
    call_command("import_tasks", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "新建：1" in out and "试运行" in out  # in Chinese, as on the web
    assert Task.objects.count() == 0


def test_import_tasks_imports_and_records_who(cast, campaign, tmp_path):
    path = tmp_path / "分解表.xlsx"
    path.write_bytes(xlsx_bytes(MINIMAL))
    call_command("import_tasks", str(path), "--user", "coordinator")
    assert Task.objects.get().lead_office == cast.office_a
    assert ImportRecord.objects.get().user == cast.coordinator


def test_import_tasks_fails_with_every_row_problem_and_imports_nothing(cast, campaign, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx_bytes([["序号", "工作任务", "牵头科室"], [1, "甲", "宣传部"], [1, "乙", "研究室"]]))
    with pytest.raises(CommandError, match="2"):
        call_command("import_tasks", str(path))
    err = capsys.readouterr().err
    assert "宣传部" in err and "3" in err
    assert Task.objects.count() == 0


def test_import_tasks_refuses_an_unreadable_file(cast, campaign, tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("import_tasks", str(path))


def test_export_tasks_writes_a_workbook(cast, campaign, tmp_path):
    run_import(xlsx_bytes(MINIMAL), campaign, cast.coordinator)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "分解表.xlsx"
    call_command("export_tasks", str(out), "--by-office")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["工作任务分解表", "研究室"]
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind
