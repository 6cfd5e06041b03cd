"""import_evidence: an existing archive (a ZIP or a folder whose top folders begin with a standard's code) comes in
through the upload's intake; hostile or oversized ZIPs are refused before anything is extracted; all or nothing per
run; --dry-run changes nothing. Tests that take `stored` run on the file system and on S3."""

from __future__ import annotations

import datetime
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from campaign.models import EvidenceCategory
from evidence import uploads
from evidence.importing import folders, sources
from evidence.models import Activity, EvidenceEvent, EvidenceItem, StoredFile
from tests.db_state import database_state
from tests.evidence import samples, zips
from tests.evidence.factories import make_evidence
from tests.factories import CriterionFactory
from tests.storage import StoredFiles

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria(campaign):
    indicator = CriterionFactory(campaign=campaign, code="6.2", title="志愿服务", is_leaf=False)
    leaf = {"campaign": campaign, "parent": indicator, "is_leaf": True}
    return {
        "6.2": indicator,
        "6.2.1": CriterionFactory(code="6.2.1", title="常态化志愿服务", **leaf),
        "6.2.2": CriterionFactory(code="6.2.2", title="社区共建", **leaf),
    }


def photo(n: int, date: str | None = None) -> bytes:
    """A small JPEG, different for each n."""
    return samples.jpeg(color=(n * 37 % 256, n * 91 % 256, 120), date=date)


def write_zip(tmp_path: Path, data: bytes, name: str = "台账.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run(path: Path, *, office: str = "研究室", user: str = "staff_a", dry_run: bool = False) -> str:
    out = io.StringIO()
    call_command("import_evidence", str(path), office=office, user=user, dry_run=dry_run, stdout=out)
    return out.getvalue()


def storage_names(settings) -> list[str]:
    return StoredFiles("", Path(settings.MEDIA_ROOT)).names()


def temp_files(settings) -> list[Path]:
    return [p for p in Path(settings.FILE_UPLOAD_TEMP_DIR).rglob("*") if p.is_file() and p.name != ".last-sweep"]


def snapshot(settings):
    return database_state(), storage_names(settings)


@pytest.fixture
def no_extraction(monkeypatch):
    """Fails the test if any entry of a ZIP is opened (the checks must refuse from the directory alone)."""

    real = zipfile.ZipFile.open

    def guarded(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            raise AssertionError("an entry was extracted")
        return real(self, name, mode, *args, **kwargs)  # writing the test's own ZIPs

    monkeypatch.setattr(zipfile.ZipFile, "open", guarded)


# --- Folders by code -------------------------------------------------------------------------------------


def test_each_top_folder_files_its_files_under_the_standard_its_name_begins_with(
    cast, campaign, criteria, tmp_path, settings, stored, django_capture_on_commit_callbacks
):
    entries = {
        "6.2.1 常态化志愿服务/学雷锋志愿服务合影.jpg": photo(1, "2026:03:05 09:30:00"),
        "6.2.1_常态化志愿服务/志愿服务方案.pdf": samples.pdf(),
        "6.2.1、常态化志愿服务/志愿者名册.xlsx": samples.xlsx(),
        "6.2.2社区共建/共建协议.docx": samples.docx(),
        "６．２．２ 全角编号/共建活动.png": samples.png(),
    }
    path = write_zip(tmp_path, zips.build(entries))
    with django_capture_on_commit_callbacks(execute=True):
        out = run(path)

    assert "5 项已导入，0 项重复，0 项拒收，0 项未归档" in out, out
    items = {i.original_name: i for i in EvidenceItem.objects.select_related("primary_standard", "stored_file")}
    assert {name: i.primary_standard and i.primary_standard.code for name, i in items.items()} == {
        "学雷锋志愿服务合影.jpg": "6.2.1",
        "志愿服务方案.pdf": "6.2.1",
        "志愿者名册.xlsx": "6.2.1",
        "共建协议.docx": "6.2.2",
        "共建活动.png": "6.2.2",
    }
    photo_item = items["学雷锋志愿服务合影.jpg"]
    assert photo_item.title == "学雷锋志愿服务合影"  # the file name without its extension
    assert photo_item.category == EvidenceCategory.PHOTO
    assert photo_item.taken_on == datetime.date(2026, 3, 5)
    assert (photo_item.office, photo_item.uploader) == (cast.office_a, cast.staff_a)
    assert photo_item.status == EvidenceItem.Status.PENDING
    assert sorted(i.archive_number for i in items.values()) == [
        "6.2.1-001",
        "6.2.1-002",
        "6.2.1-003",
        "6.2.2-001",
        "6.2.2-002",
    ]
    assert items["志愿者名册.xlsx"].category == EvidenceCategory.TABLE
    # The upload's intake: sniffed, hashed, stored under a generated name, previews made after the commit.
    assert photo_item.stored_file is not None
    assert stored.read(photo_item.stored_file.file.name) == entries["6.2.1 常态化志愿服务/学雷锋志愿服务合影.jpg"]
    assert photo_item.stored_file.content_type == "image/jpeg"
    assert photo_item.stored_file.preview_status == StoredFile.PreviewStatus.READY
    assert stored.exists(photo_item.stored_file.thumbnail.name)
    event = EvidenceEvent.objects.get(item=photo_item)
    assert event.action == EvidenceEvent.Action.UPLOADED
    assert event.details["import"] == {
        "source": "台账.zip",
        "by": "command",
        "path": "6.2.1 常态化志愿服务/学雷锋志愿服务合影.jpg",
    }
    assert temp_files(settings) == []


def test_a_code_the_criteria_do_not_have_is_reported_and_not_filed(cast, campaign, criteria, tmp_path, settings):
    entries = {
        "9.9.9 未知标准/照片.jpg": photo(1),
        "6.2.10 相近的编号/照片.jpg": photo(2),  # not 6.2.1
        "6.2 志愿服务/指标说明.pdf": samples.pdf(),  # an indicator, not a standard
        "综合材料/简报.jpg": photo(3),
        "根目录文件.jpg": photo(4),
        "6.2.1 常态化志愿服务/合影.jpg": photo(5),
    }
    out = run(write_zip(tmp_path, zips.build(entries)))
    assert "1 项已导入，0 项重复，0 项拒收，5 项未归档" in out, out
    assert "当前创建周期中没有测评标准 9.9.9" in out
    assert "当前创建周期中没有测评标准 6.2.10" in out
    assert "6.2 是测评指标，不是测评标准" in out
    assert "文件夹“综合材料”不以测评标准编号开头" in out
    assert "根目录文件.jpg → 不在以测评标准编号命名的文件夹中" in out
    assert list(EvidenceItem.objects.values_list("original_name", flat=True)) == ["合影.jpg"]
    assert StoredFile.objects.count() == 1


def test_a_refused_file_type_inside_is_reported_and_the_others_taken(cast, campaign, criteria, tmp_path, settings):
    folder = "6.2.1 常态化志愿服务"
    entries = {
        f"{folder}/页面.html": samples.html(),
        f"{folder}/程序.exe": samples.exe(),
        f"{folder}/带宏的文档.docm": samples.docm(),
        f"{folder}/其实是PDF.jpg": samples.pdf(),
        f"{folder}/空文件.pdf": b"",
        f"{folder}/压缩包.zip": samples.plain_zip(),
        f"{folder}/好照片.jpg": photo(1),
    }
    out = run(write_zip(tmp_path, zips.build(entries)))
    assert "1 项已导入，0 项重复，6 项拒收，0 项未归档" in out, out
    assert "页面.html → 6.2.1；不能上传网页、SVG 图形或脚本文件。" in out
    assert "程序.exe → 6.2.1；不能上传可执行程序。" in out
    assert "带宏的文档.docm → 6.2.1；不接受含宏的 Office 文件" in out
    assert "其实是PDF.jpg → 6.2.1；文件扩展名为 .jpg，但文件内容是 PDF" in out
    assert "空文件.pdf → 6.2.1；文件为空（0 字节）。" in out
    assert "压缩包.zip → 6.2.1；" in out
    assert list(EvidenceItem.objects.values_list("original_name", flat=True)) == ["好照片.jpg"]
    assert StoredFile.objects.count() == 1
    assert len(storage_names(settings)) == 1
    assert temp_files(settings) == []


def test_duplicates_of_the_archive_and_within_the_run_are_reported_not_taken(
    cast, campaign, criteria, tmp_path, settings
):
    existing = make_evidence(
        user=cast.staff_b, campaign=campaign, data=photo(1), name="旧照片.jpg", standards=[criteria["6.2.2"]]
    )
    entries = {
        "6.2.1 常态化志愿服务/已有的照片.jpg": photo(1),
        "6.2.1 常态化志愿服务/新照片.jpg": photo(2),
        "6.2.2 社区共建/新照片的副本.jpg": photo(2),
    }
    before = StoredFile.objects.count()
    out = run(write_zip(tmp_path, zips.build(entries)))
    assert "1 项已导入，2 项重复，0 项拒收，0 项未归档" in out, out
    assert f"已有的照片.jpg → 6.2.1；档案中已有：“旧照片”（{existing.archive_number}，提案委员会办公室）" in out
    assert "新照片的副本.jpg → 6.2.2；与本次导入的“6.2.1 常态化志愿服务/新照片.jpg”是同一个文件。" in out
    assert StoredFile.objects.count() == before + 1
    assert EvidenceItem.objects.filter(original_name="新照片.jpg").count() == 1
    assert not EvidenceItem.objects.filter(original_name__in=["已有的照片.jpg", "新照片的副本.jpg"]).exists()


# --- Hostile ZIPs: refused before anything is extracted, nothing stored --------------------------------------


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"../越界.jpg": b"x"}, "指向压缩包之外"),
        ({"6.2.1 常态化志愿服务/../../越界.jpg": b"x"}, "指向压缩包之外"),
        ({"6.2.1 常态化志愿服务\\..\\..\\越界.jpg": b"x"}, "指向压缩包之外"),
        ({"/etc/cron.d/越界": b"x"}, "绝对路径"),
        ({"C:/Windows/越界.jpg": b"x"}, "绝对路径"),
        ({"\\\\server\\share\\越界.jpg": b"x"}, "绝对路径"),
        ([(zips.link("6.2.1 常态化志愿服务/链接.jpg", "/etc/passwd"), b"/etc/passwd")], "是一个链接"),
        ([(zips.special("6.2.1 常态化志愿服务/管道"), b"")], "不是普通文件"),
    ],
    ids=["dotdot", "dotdot-inside", "backslashes", "absolute", "drive", "unc", "symlink", "fifo"],
)
def test_a_hostile_zip_is_refused_before_anything_is_extracted(
    cast, campaign, criteria, tmp_path, settings, no_extraction, entries, message
):
    good = [("6.2.1 常态化志愿服务/合影.jpg", photo(1))]
    items = good + (list(entries.items()) if isinstance(entries, dict) else entries)
    path = write_zip(tmp_path, zips.build(items))
    before = snapshot(settings)
    with pytest.raises(CommandError) as refused:
        run(path)
    assert "未导入任何文件" in str(refused.value)
    assert message in str(refused.value), str(refused.value)
    assert snapshot(settings) == before
    assert temp_files(settings) == []


def test_a_zip_with_more_entries_than_the_cap_is_refused(cast, campaign, criteria, tmp_path, settings, no_extraction):
    settings.EVIDENCE_IMPORT_MAX_FILES = 5
    entries = {f"6.2.1 常态化志愿服务/照片{n}.jpg": photo(n) for n in range(6)}
    path = write_zip(tmp_path, zips.build(entries))
    before = snapshot(settings)
    with pytest.raises(CommandError, match="有 6 个条目，超过一次导入最多的 5 个"):
        run(path)
    assert snapshot(settings) == before
    settings.EVIDENCE_IMPORT_MAX_FILES = 6
    with pytest.raises(AssertionError, match="an entry was extracted"):  # now it gets as far as reading
        run(path)


def test_the_entry_count_is_read_from_the_end_record_before_the_directory(monkeypatch, tmp_path, settings):
    settings.EVIDENCE_IMPORT_MAX_FILES = 2
    path = write_zip(tmp_path, zips.build({f"a/{n}.jpg": b"x" for n in range(3)}))
    monkeypatch.setattr(zipfile.ZipFile, "__init__", lambda *a, **k: pytest.fail("the directory was read"))
    with pytest.raises(sources.ArchiveRefused, match="3 个条目"):
        sources.check_zip(path)


@pytest.mark.parametrize(
    "entries",
    [
        {"6.2.1 常态化志愿服务/炸弹.jpg": b"\0" * (3 * 1024 * 1024)},  # one entry, 3 MB of zeros in a few KB
        {f"6.2.1 常态化志愿服务/{n}.jpg": b"\0" * (400 * 1024) for n in range(3)},  # 1.2 MB together
    ],
    ids=["one-entry", "together"],
)
def test_a_zip_that_unpacks_beyond_the_cap_is_refused(
    cast, campaign, criteria, tmp_path, settings, no_extraction, entries
):
    settings.EVIDENCE_IMPORT_MAX_BYTES = 1024 * 1024
    path = write_zip(tmp_path, zips.build(entries))
    assert path.stat().st_size < 64 * 1024
    before = snapshot(settings)
    with pytest.raises(CommandError, match=r"共 .*（解压后），超过一次导入最多的 1\.0 MB"):
        run(path)
    assert snapshot(settings) == before


def test_an_entry_that_lies_about_its_size_is_not_taken(cast, campaign, criteria, tmp_path, settings):
    """The declared size is what the cap counts; the bytes actually decompressed never go past it."""
    data = photo(1) + b"\0" * 200_000  # a JPEG with trailing zeros, 200 KB unpacked
    honest = zips.build({"6.2.1 常态化志愿服务/照片.jpg": data})
    path = write_zip(tmp_path, zips.lying_size(honest, declared=1000))
    before = snapshot(settings)
    out = run(path)
    assert "0 项已导入，0 项重复，1 项拒收" in out, out
    assert "压缩包中的这个文件已损坏，无法读取" in out
    assert snapshot(settings) == before
    assert temp_files(settings) == []


def test_the_decompressed_bytes_are_counted_while_streaming(cast, tmp_path, settings, monkeypatch):
    """Whatever the ZIP reader does, more bytes than an entry declares stop the run."""
    path = write_zip(tmp_path, zips.build({"6.2.1 x/照片.jpg": photo(1)}))
    source = sources.ZipSource(path)
    [entry] = source.entries
    monkeypatch.setattr(source._zip, "open", lambda info: io.BytesIO(b"\0" * (entry.size + 1)))
    with pytest.raises(sources.ArchiveRefused, match="解压后比它声明的大"):
        source.receive(entry)
    settings.EVIDENCE_IMPORT_MAX_BYTES = entry.size - 1
    monkeypatch.setattr(source._zip, "open", lambda info: io.BytesIO(b"\0" * entry.size))
    with pytest.raises(sources.ArchiveRefused, match="超过一次导入最多的"):
        source.receive(entry)
    source.close()
    assert temp_files(settings) == []


def test_something_that_is_not_a_zip_is_refused(cast, campaign, criteria, tmp_path, settings):
    path = write_zip(tmp_path, samples.pdf(), name="台账.zip")
    with pytest.raises(CommandError, match="不是 ZIP 文件，或者已损坏"):
        run(path)
    with pytest.raises(CommandError, match="没有文件夹或 ZIP 文件"):
        run(tmp_path / "不存在.zip")


# --- Names written by Windows ------------------------------------------------------------------------------


def test_gbk_names_without_the_utf8_flag_read_correctly(cast, campaign, criteria, tmp_path, settings):
    entries = {
        "6.2.1 常态化志愿服务/2026-03-05 学雷锋志愿服务/学雷锋活动合影.jpg": photo(1),
        # 淺 is 9C 5C in GBK: its second byte is a backslash, which must not split the name
        "6.2.1 常态化志愿服务/淺水湾社区.jpg": photo(2),
    }
    data = zips.gbk(entries)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert all(not info.flag_bits & 0x800 for info in zf.infolist())
        assert "学雷锋" not in zf.namelist()[0]  # Python alone reads them as cp437
    out = run(write_zip(tmp_path, data))
    assert "2 项已导入" in out, out
    assert sorted(EvidenceItem.objects.values_list("title", flat=True)) == ["学雷锋活动合影", "淺水湾社区"]
    assert Activity.objects.get().title == "学雷锋志愿服务"


def test_entry_names_prefer_utf8_then_gb18030():
    def info(raw: bytes, flags: int = 0) -> zipfile.ZipInfo:
        zi = zipfile.ZipInfo(raw.decode("cp437"))
        zi.flag_bits = flags
        return zi

    assert sources.entry_name(info("照片.jpg".encode())) == "照片.jpg"  # UTF-8 without the flag (macOS, 7-Zip)
    assert sources.entry_name(info("照片.jpg".encode("gbk"))) == "照片.jpg"
    assert sources.entry_name(info("㐀.jpg".encode("gb18030"))) == "㐀.jpg"  # beyond GBK
    flagged = zipfile.ZipInfo("照片.jpg")
    flagged.flag_bits = 0x800
    assert sources.entry_name(flagged) == "照片.jpg"


# --- All or nothing ----------------------------------------------------------------------------------------


def test_a_run_that_fails_half_way_keeps_nothing(cast, campaign, criteria, tmp_path, settings, stored, monkeypatch):
    from evidence.services import importing

    real = importing.register_rows
    calls = []

    def fail_on_the_second(**kwargs):
        calls.append(kwargs["original_name"])
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(importing, "register_rows", fail_on_the_second)
    entries = {f"6.2.1 常态化志愿服务/照片{n}.jpg": photo(n) for n in range(3)}
    path = write_zip(tmp_path, zips.build(entries))
    before = snapshot(settings)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(path)
    assert len(calls) == 2  # the first item's rows were written, then rolled back
    assert snapshot(settings) == before
    assert stored.names() == []
    assert temp_files(settings) == []


def test_dry_run_changes_nothing_and_reports_what_would_be_taken(cast, campaign, criteria, tmp_path, settings):
    entries = {
        "6.2.1 常态化志愿服务/2026-03-05 学雷锋/合影.jpg": photo(1),
        "6.2.1 常态化志愿服务/页面.html": samples.html(),
        "9.9 未知/x.jpg": photo(2),
    }
    path = write_zip(tmp_path, zips.build(entries))
    before = snapshot(settings)
    out = run(path, dry_run=True)
    assert out.startswith("只检查，未做任何更改：1 项已导入，0 项重复，1 项拒收，1 项未归档"), out
    assert "将建立的活动：学雷锋（2026-03-05）" in out
    assert snapshot(settings) == before
    assert temp_files(settings) == []
    out = run(path)
    assert out.startswith("1 项已导入，0 项重复，1 项拒收，1 项未归档"), out
    assert EvidenceItem.objects.count() == 1


# --- Activities and categories -----------------------------------------------------------------------------


def test_deeper_folders_name_an_activity_and_a_category(cast, campaign, criteria, tmp_path, settings):
    existing = Activity.objects.create(
        campaign=campaign,
        title="学雷锋志愿服务",
        date=datetime.date(2026, 3, 5),
        organiser_office=cast.office_b,
        place="阳光社区",
        created_by=cast.head_b,
    )
    root = "6.2.1 常态化志愿服务"
    entries = {
        f"{root}/学雷锋志愿服务/照片/合影.jpg": photo(1),  # the existing activity, by its title
        f"{root}/2026年4月2日 社区清洁/会议记录/记录.pdf": samples.pdf(),  # a new one, dated by its name
        f"{root}/敬老院慰问/照片一.jpg": photo(2, "2026:05:20 10:00:00"),  # a new one, dated by its photos
        f"{root}/敬老院慰问/照片二.jpg": photo(3, "2026:05:19 16:00:00"),
        f"{root}/读书会/方案.docx": samples.docx(),  # no date anywhere: filed without an activity
        f"{root}/照片/单张.jpg": photo(4),  # a category, not an activity
    }
    out = run(write_zip(tmp_path, zips.build(entries)))
    assert "6 项已导入" in out, out
    assert "已建立的活动：社区清洁（2026-04-02）、敬老院慰问（2026-05-19）" in out
    assert "已关联的现有活动：学雷锋志愿服务" in out
    assert "未关联活动：文件夹“读书会”没有日期，其中的照片也没有拍摄日期。" in out
    by_name = {i.original_name: i for i in EvidenceItem.objects.select_related("activity")}
    assert by_name["合影.jpg"].activity == existing
    assert by_name["合影.jpg"].place == "阳光社区"  # the activity's caption fields, as an upload into it
    assert by_name["合影.jpg"].category == EvidenceCategory.PHOTO
    assert by_name["记录.pdf"].category == EvidenceCategory.MINUTES
    assert str(by_name["记录.pdf"].activity) == "社区清洁"
    assert by_name["照片一.jpg"].activity == by_name["照片二.jpg"].activity
    assert by_name["照片一.jpg"].taken_on == datetime.date(2026, 5, 20)  # its own camera date
    assert by_name["方案.docx"].activity is None
    assert by_name["单张.jpg"].activity is None
    assert by_name["单张.jpg"].category == EvidenceCategory.PHOTO
    created = Activity.objects.exclude(pk=existing.pk).order_by("date")
    assert [(a.title, a.date, a.organiser_office, a.created_by) for a in created] == [
        ("社区清洁", datetime.date(2026, 4, 2), cast.office_a, cast.staff_a),
        ("敬老院慰问", datetime.date(2026, 5, 19), cast.office_a, cast.staff_a),
    ]
    assert [c.code for c in created[0].standards.all()] == ["6.2.1"]
    existing.refresh_from_db()
    assert existing.organiser_office == cast.office_b  # linked, not changed


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("6.2.1 常态化志愿服务", "6.2.1"),
        ("6.2.1_常态化志愿服务", "6.2.1"),
        ("6.2.1、常态化志愿服务", "6.2.1"),
        ("6.2.1常态化志愿服务", "6.2.1"),
        ("6.2.1.常态化志愿服务", "6.2.1"),
        ("6.2.1-常态化志愿服务", "6.2.1"),
        ("6.2.1", "6.2.1"),
        ("６．２．１　全角", "6.2.1"),
        ("6.2.10 其他", "6.2.10"),
        ("12 综合", "12"),
        ("常态化志愿服务 6.2.1", None),
        ("志愿服务", None),
    ],
)
def test_standard_codes_in_folder_names(name, code):
    assert folders.standard_code(name) == code


@pytest.mark.parametrize(
    ("name", "title", "date"),
    [
        ("2026-03-05 学雷锋志愿服务", "学雷锋志愿服务", datetime.date(2026, 3, 5)),
        ("学雷锋志愿服务（2026.3.5）", "学雷锋志愿服务", datetime.date(2026, 3, 5)),
        ("20260305学雷锋", "学雷锋", datetime.date(2026, 3, 5)),
        ("2026年3月5日_学雷锋", "学雷锋", datetime.date(2026, 3, 5)),
        ("学雷锋志愿服务", "学雷锋志愿服务", None),
        ("2026-02-30 不存在的日子", "2026-02-30 不存在的日子", None),
    ],
)
def test_activity_folders(name, title, date):
    folder = folders.activity_folder(name)
    assert (folder.title, folder.date) == (title, date)


# --- A folder on the server ----------------------------------------------------------------------------------


def test_a_folder_is_imported_skipping_hidden_files_and_refusing_links(cast, campaign, criteria, tmp_path, settings):
    root = tmp_path / "共享盘"
    standard = root / "6.2.1 常态化志愿服务"
    (standard / "活动").mkdir(parents=True)
    (standard / "合影.jpg").write_bytes(photo(1))
    (standard / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (standard / "Thumbs.db").write_bytes(samples.doc())
    (standard / "~$方案.docx").write_bytes(b"lock")
    (root / "__MACOSX" / "6.2.1 常态化志愿服务").mkdir(parents=True)
    (root / "__MACOSX" / "6.2.1 常态化志愿服务" / "._合影.jpg").write_bytes(b"\0\5\26\7")
    (standard / ".git").mkdir()
    (standard / ".git" / "config.jpg").write_bytes(photo(2))
    outside = tmp_path / "外面.jpg"
    outside.write_bytes(photo(3))
    os.symlink(outside, standard / "链接.jpg")
    os.symlink(tmp_path, standard / "链接的文件夹")
    out = run(root)
    assert "1 项已导入，0 项重复，2 项拒收，0 项未归档，跳过 5 个隐藏文件" in out, out
    assert "链接.jpg → 6.2.1；链接不导入。" in out
    assert "链接的文件夹 → 6.2.1；链接不导入。" in out
    assert list(EvidenceItem.objects.values_list("original_name", flat=True)) == ["合影.jpg"]


def test_a_zip_skips_hidden_files_too(cast, campaign, criteria, tmp_path):
    entries = {
        "6.2.1 常态化志愿服务/合影.jpg": photo(1),
        "6.2.1 常态化志愿服务/Thumbs.db": b"x",
        "__MACOSX/6.2.1 常态化志愿服务/._合影.jpg": b"x",
        "6.2.1 常态化志愿服务/.DS_Store": b"x",
        "6.2.1 常态化志愿服务/": b"",  # a directory entry
    }
    out = run(write_zip(tmp_path, zips.build(entries)))
    assert "1 项已导入，0 项重复，0 项拒收，0 项未归档，跳过 3 个隐藏文件" in out, out


# --- The command's own refusals ------------------------------------------------------------------------------


def test_the_command_names_what_is_wrong(cast, campaign, criteria, tmp_path):
    path = write_zip(tmp_path, zips.build({"6.2.1 x/合影.jpg": photo(1)}))
    with pytest.raises(CommandError, match="没有名为“不存在的委室”的委室"):
        run(path, office="不存在的委室")
    with pytest.raises(CommandError, match="没有启用的用户“nobody”"):
        run(path, user="nobody")
    with pytest.raises(CommandError, match="leader 不能上传台账资料"):
        run(path, user="leader")
    assert run(path, office="机关办公室").startswith("1 项已导入")  # an office's short name is its name too
    assert EvidenceItem.objects.get().office == cast.office_main
    campaign.is_current = False
    campaign.save()
    with pytest.raises(CommandError, match="当前没有进行中的创建周期"):
        run(path)


def test_nothing_is_left_in_the_upload_folder(cast, campaign, criteria, tmp_path, settings):
    entries = {f"6.2.1 常态化志愿服务/{n}.jpg": photo(n) for n in range(4)} | {"6.2.1 x/坏.jpg": b"not a photo"}
    run(write_zip(tmp_path, zips.build(entries)))
    assert list(uploads.temp_dir().iterdir()) == []
