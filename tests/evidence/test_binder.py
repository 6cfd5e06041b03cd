"""The binder (归档): layout, names and indexes on a hand-built archive (tests/evidence/binder_data.py), on the
file system and on S3."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from evidence.binder import Layout, build_plan, export_binder, names, writer
from evidence.binder.plan import cover_file_name, index_file_name
from tests.evidence.binder_data import FORMULA, LONG, UNSAFE, build_archive

pytestmark = pytest.mark.django_db

FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
S1 = "6.2.1 开展学雷锋志愿服务"
S2 = "6.2.2 社区共建"
S3 = "6.3.1 文明／礼仪：教育？"
UNLINKED = "未关联测评标准"


@pytest.fixture
def archive(cast, campaign):
    return build_archive(cast, campaign)


@pytest.fixture
def fake_cover(monkeypatch):
    """A stand-in for the cover PDF where a test is not about it (WeasyPrint takes a second or two)."""

    def cover(plan, path):
        path.write_bytes(b"%PDF-1.7 fake cover for " + str(len(plan.entries)).encode())
        return 0

    monkeypatch.setattr(writer, "make_cover", cover)


def export(campaign, layout=Layout.STANDARD):
    out = io.BytesIO()
    plan, result = export_binder(campaign=campaign, layout=layout, out=out)
    return plan, result, zipfile.ZipFile(io.BytesIO(out.getvalue()))


def files_of(zf: zipfile.ZipFile) -> dict[str, list[str]]:
    """folder -> the file names in it (directories and the root's cover left out)."""
    folders: dict[str, list[str]] = defaultdict(list)
    for info in zf.infolist():
        if info.is_dir() or "/" not in info.filename:
            continue
        folder, name = info.filename.split("/", 1)
        folders[folder].append(name)
    return folders


def index_rows(zf: zipfile.ZipFile, folder: str) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(io.BytesIO(zf.read(f"{folder}/{index_file_name_zh()}")))
    ws = book.worksheets[0]
    header = [str(c.value) for c in ws[3]]
    return [dict(zip(header, [c.value for c in row], strict=True)) | {"_cells": row} for row in ws.iter_rows(min_row=4)]


def index_file_name_zh() -> str:
    with translation.override("zh-hans"):
        return index_file_name()


def test_the_binder_by_standard_files_each_item_once_and_lists_it_under_its_other_standards(
    stored, archive, campaign, fake_cover
):
    plan, result, zf = export(campaign)
    folders = files_of(zf)
    # a folder per standard with evidence, in the criteria's order, and one for the unlinked; none for 7.1
    top = [i.filename for i in zf.infolist() if i.is_dir()]
    assert top == [f"{S1}/", f"{S2}/", f"{S3}/", f"{UNLINKED}/"]
    assert plan.empty_standards == ["7.1 暂无佐证的标准"]
    assert [i.filename for i in zf.infolist() if "/" not in i.filename] == ["封面及总目录.pdf"]

    assert sorted(folders[S1]) == sorted(
        [
            "目录.xlsx",
            "6.2.1_20260305_学雷锋社区服务_01.jpg",  # the item with two standards, filed under its primary one
            "6.2.1_20260305_学雷锋社区服务_02.jpg",  # the same title on the same day: the next number
            folders_name(folders[S1], "6.2.1_20260305_关于开展"),
            "6.2.1_20260305_=HYPERLINK(＂http：／／evil.example＂,＂点我＂)_01.pdf",
        ]
    )
    # listed, not copied: the item with two standards has one file in the whole binder
    copies = [n for n in zf.namelist() if not n.endswith("/") and zf.read(n) == archive.data["several"]]
    assert copies == [f"{S1}/6.2.1_20260305_学雷锋社区服务_01.jpg"]
    # case-insensitively unique, the unsafe title made safe, the unlinked in their folder
    assert sorted(folders[S2]) == sorted(
        [
            "目录.xlsx",
            "6.2.2_20251230_去年的活动_01.jpg",
            "6.2.2_20260305_Report_01.jpg",
            "6.2.2_20260305_report_02.jpg",
            "6.2.2_20260305_已采用的版本_01.jpg",  # the accepted version, not the newer one awaiting review
        ]
    )
    assert sorted(folders[S3]) == ["6.3.1_20260305_a＜b＞c：＂d＂／e＼f｜g？h＊_01.jpg", "目录.xlsx"]
    assert sorted(folders[UNLINKED]) == ["未关联_20260305_未关联的照片_01.jpg", "目录.xlsx"]
    # pending, binned and link items have no file; the link is in the index
    assert result.files == 10 and result.problems == []
    assert len(plan.entries) == 11

    # every file is the stored original, byte for byte
    by_name = {e.item_id: e for e in plan.entries}
    for key in ("several", "duplicate", "unsafe", "long", "formula", "upper", "lower", "unlinked", "last_year"):
        entry = by_name[archive.items[key].pk]
        assert zf.read(entry.path) == archive.data[key], key
    revised = by_name[archive.items["revised"].pk]
    assert zf.read(revised.path) == archive.data["revised"]


def folders_name(names_in_folder: list[str], prefix: str) -> str:
    found = [n for n in names_in_folder if n.startswith(prefix)]
    assert len(found) == 1, names_in_folder
    return found[0]


def test_every_name_is_safe_on_windows_and_macos_and_flagged_utf8(archive, campaign, fake_cover):
    _plan, _result, zf = export(campaign)
    seen: dict[str, set[str]] = defaultdict(set)
    for info in zf.infolist():
        assert info.flag_bits & 0x800, info.filename  # bit 11: the name is UTF-8
        parts = info.filename.rstrip("/").split("/")
        for part in parts:
            assert not FORBIDDEN.search(part), part
            assert part == part.strip(" .") and part, part
            assert unicodedata.is_normalized("NFC", part)
            assert PurePosixPath(part).stem.split(".")[0].upper() not in names.WINDOWS_RESERVED
        assert len(parts[-1].encode()) <= (names.MAX_FOLDER_BYTES if info.is_dir() else names.MAX_FILE_BYTES)
        if len(parts) == 2:
            assert len(parts[0].encode()) <= names.MAX_FOLDER_BYTES
        folder = parts[0] if len(parts) == 2 else ""
        key = parts[-1].casefold()
        assert key not in seen[folder], info.filename  # unique without regard to case
        seen[folder].add(key)
    # the raw central directory carries UTF-8 bytes, not the code page's
    raw = zf.fp.getvalue()
    assert "6.2.1_20260305_学雷锋社区服务_01.jpg".encode() in raw
    # the long title was cut, its extension kept
    long_name = next(n for n in zf.namelist() if n.startswith(f"{S1}/6.2.1_20260305_关于开展"))
    assert long_name.endswith("_01.pdf")
    assert LONG.startswith(long_name.split("_")[2])


def test_media_are_stored_and_indexes_and_cover_deflated(archive, campaign, fake_cover):
    _plan, _result, zf = export(campaign)
    kinds = {i.filename: i.compress_type for i in zf.infolist() if not i.is_dir()}
    assert kinds[f"{S1}/6.2.1_20260305_学雷锋社区服务_01.jpg"] == zipfile.ZIP_STORED
    assert kinds[f"{S1}/目录.xlsx"] == zipfile.ZIP_DEFLATED
    assert kinds["封面及总目录.pdf"] == zipfile.ZIP_DEFLATED
    assert zf.testzip() is None


def test_each_folders_index_names_its_items_and_those_listed_from_elsewhere(archive, campaign, fake_cover):
    _plan, _result, zf = export(campaign)
    rows = index_rows(zf, S1)
    titles = [r["题名"] for r in rows]
    assert titles == ["学雷锋社区服务", "学雷锋社区服务", LONG, FORMULA]
    first = rows[0]
    several = archive.items["several"]
    assert first["档号"] == several.archive_number and several.archive_number.startswith("6.2.1-")
    assert first["类别"] == "照片"
    assert first["责任部门"] == several.office.name
    assert first["SHA-256"] == several.stored_file.sha256 == hashlib.sha256(archive.data["several"]).hexdigest()
    assert first["文件名"] == "6.2.1_20260305_学雷锋社区服务_01.jpg"
    assert first["日期"].date().isoformat() == "2026-03-05"
    assert "6.2.2 社区共建" in first["备注"]  # it supports 6.2.2 too
    # a title that looks like a formula stays text
    formula_cell = rows[3]["_cells"][2]
    assert formula_cell.data_type == "s" and formula_cell.value == FORMULA
    # the file name links to the file, relative to the index
    assert first["_cells"][6].hyperlink.target == "6.2.1_20260305_学雷锋社区服务_01.jpg"

    rows = index_rows(zf, S2)
    listed = [r for r in rows if r["题名"] == "学雷锋社区服务"]
    assert len(listed) == 1 and "6.2.1 开展学雷锋志愿服务" in listed[0]["备注"]
    assert listed[0]["_cells"][6].hyperlink.target == f"../{S1}/6.2.1_20260305_学雷锋社区服务_01.jpg"
    link = next(r for r in rows if r["题名"] == "媒体报道：学雷锋")
    assert link["文件名"] == "https://news.example.cn/2026/03/05/xueleifeng.html" and not link["SHA-256"]
    assert "待审核的新版本" not in [r["题名"] for r in rows]
    assert "已采用的版本" in [r["题名"] for r in rows]
    rows = index_rows(zf, S3)
    assert [r["题名"] for r in rows] == [UNSAFE, FORMULA]  # the title as typed; only the file name is made safe


def test_by_year_each_item_is_in_the_folder_of_its_year(archive, campaign, fake_cover):
    plan, _result, zf = export(campaign, Layout.YEAR)
    folders = files_of(zf)
    assert [i.filename for i in zf.infolist() if i.is_dir()] == ["2025年/", "2026年/"]
    assert sorted(folders["2025年"]) == ["6.2.2_20251230_去年的活动_01.jpg", "目录.xlsx"]
    assert len(folders["2026年"]) == 1 + 9  # the index and every other file, once
    assert all(not e.listed_in for e in plan.entries)


def test_a_missing_or_truncated_file_is_left_out_and_the_index_says_so(stored, archive, campaign, fake_cover):
    store = stored.storage
    gone = archive.items["duplicate"].stored_file.file.name
    store.delete(gone)
    short = archive.items["upper"].stored_file.file.name
    data = stored.read(short)
    store.delete(short)
    stored.save(short, data[:-10])
    _plan, result, zf = export(campaign)
    assert len(result.problems) == 2
    assert not [n for n in zf.namelist() if n.endswith("学雷锋社区服务_02.jpg") or n.endswith("Report_01.jpg")]
    rows = {r["文件名"]: r for r in index_rows(zf, S1)}
    assert "缺失" in rows["6.2.1_20260305_学雷锋社区服务_02.jpg"]["备注"]
    rows = {r["文件名"]: r for r in index_rows(zf, S2)}
    assert "记录" in rows["6.2.2_20260305_Report_01.jpg"]["备注"]
    assert zf.testzip() is None


def test_s3_objects_are_streamed_not_spooled(s3, archive, campaign, monkeypatch, fake_cover):
    """On S3 each object's body is read as it arrives: Storage.open()'s spooled copy is never made."""
    from storages.backends import s3 as s3_backend

    def refuse(self):
        raise AssertionError("the whole object was spooled")

    monkeypatch.setattr(s3_backend.S3File, "_get_file", refuse)
    plan, result, zf = export(campaign)
    assert result.problems == [] and result.files == 10
    for key, item in archive.items.items():
        entry = next((e for e in plan.entries if e.item_id == item.pk), None)
        if entry is not None and entry.has_file:
            assert zf.read(entry.path) == archive.data[key], key


def test_the_cover_is_a_pdf_naming_every_folder(archive, campaign):
    from pypdf import PdfReader

    plan, _result, zf = export(campaign)
    pdf = zf.read("封面及总目录.pdf")
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    compact = re.sub(r"\s+", "", text)
    assert "台账资料" in compact
    for folder in plan.folders:
        assert re.sub(r"\s+", "", folder.heading) in compact, folder.heading
    assert "7.1暂无佐证的标准" in compact


def test_the_command_writes_the_zip_and_refuses_a_bad_campaign(archive, campaign, tmp_path, fake_cover, capsys):
    out = tmp_path / "binder.zip"
    call_command("export_archive", str(out), "--by", "year", "--campaign", str(campaign.pk))
    with zipfile.ZipFile(out) as zf:
        assert "2026年/目录.xlsx" in zf.namelist()
    assert "SHA-256" in capsys.readouterr().out
    assert not list(tmp_path.glob(".*.part"))
    with pytest.raises(CommandError):
        call_command("export_archive", str(out), "--campaign", "99999999999999999999999")
    with pytest.raises(CommandError):
        call_command("export_archive", str(tmp_path / "no" / "such" / "b.zip"))


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CON", "_CON.jpg"),
        ("con.txt", "_con.txt.jpg"),
        ("LPT9", "_LPT9.jpg"),
        ("COM¹", "_COM¹.jpg"),
        ("nul ", "_nul.jpg"),
        ("CONSOLE", "CONSOLE.jpg"),
        ("...hidden", "hidden.jpg"),
        ("trailing. . .", "trailing.jpg"),
        ("a\r\nb\x00c", "a b c.jpg"),
        ("", "未命名.jpg"),
        ("???", "？？？.jpg"),
    ],
)
def test_a_title_alone_is_made_a_safe_name(title, expected):
    namer = names.Namer("{title}.{ext}")
    assert namer.name("", {"title": title, "ext": "JPG"}, fallback_title="未命名") == expected


def test_names_are_cut_by_bytes_at_a_character_boundary_and_stay_unique():
    namer = names.Namer("{standard}_{YYYYMMDD}_{title}_{nn}.{ext}")
    values = {"standard": "6.2.1", "YYYYMMDD": "20260305", "title": "学" * 200 + "🙂", "ext": "mp4"}
    first = namer.name("f", values, fallback_title="x")
    second = namer.name("f", values, fallback_title="x")
    for name in (first, second):
        assert len(name.encode()) <= names.MAX_FILE_BYTES
        name.encode().decode()  # whole characters only
    assert first.endswith("_01.mp4") and second.endswith("_02.mp4")
    no_nn = names.Namer("{title}.{ext}")
    assert [no_nn.name("f", {"title": "报告", "ext": "pdf"}, fallback_title="x") for _ in range(3)] == [
        "报告.pdf",
        "报告_2.pdf",
        "报告_3.pdf",
    ]
    # another folder has names of its own
    assert no_nn.name("g", {"title": "报告", "ext": "pdf"}, fallback_title="x") == "报告.pdf"


@pytest.mark.parametrize(
    "pattern", ["{title}", "{nope}_{title}.{ext}", "{title!r}.{ext}", "{title:>9}.{ext}", "{title.{ext}"]
)
def test_a_wrong_pattern_is_refused(pattern):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        names.check_pattern(pattern)


def test_the_pattern_is_a_setting(archive, campaign, settings, fake_cover):
    settings.EVIDENCE_BINDER_NAME_PATTERN = "{archive_number} {title}.{ext}"
    with translation.override("zh-hans"):
        plan = build_plan(campaign=campaign)
    several = next(e for e in plan.entries if e.item_id == archive.items["several"].pk)
    assert several.name == f"{archive.items['several'].archive_number} 学雷锋社区服务.jpg"
    assert cover_file_name()
