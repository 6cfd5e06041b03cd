"""The bytes decide what a file is; names and browsers' claims do not."""

import pytest

from evidence.sniffing import Refused, check_size, clean_filename, sniff
from tests.evidence import samples


@pytest.fixture
def as_file(tmp_path):
    def _write(data: bytes, name: str = "x.bin"):
        path = tmp_path / "upload.part"
        path.write_bytes(data)
        return path

    return _write


@pytest.mark.parametrize(
    ("maker", "name", "fmt", "kind"),
    [
        (samples.jpeg, "照片.jpg", "jpeg", "photo"),
        (samples.png, "图.png", "png", "photo"),
        (samples.webp, "图.webp", "webp", "photo"),
        (samples.heic, "IMG_0001.HEIC", "heic", "photo"),
        (samples.pdf, "会议纪要.pdf", "pdf", "pdf"),
        (samples.docx, "方案.docx", "docx", "document"),
        (samples.xlsx, "名册.xlsx", "xlsx", "spreadsheet"),
        (samples.ofd, "通知.ofd", "ofd", "document"),
        (samples.doc, "旧文件.doc", "doc", "document"),
        (samples.doc, "金山文字.wps", "doc", "document"),
        (samples.xls, "金山表格.et", "xls", "spreadsheet"),
        (samples.mp3, "讲话.mp3", "mp3", "audio"),
        (samples.m4a, "录音.m4a", "m4a", "audio"),
        (samples.wav, "录音.wav", "wav", "audio"),
        (samples.mp4, "视频.mp4", "mp4", "video"),
        (samples.mov, "IMG_0002.MOV", "mov", "video"),
    ],
)
def test_accepted_formats_are_recognised_by_content(as_file, maker, name, fmt, kind):
    result = sniff(as_file(maker()), original_name=name)
    assert (result.format, result.kind) == (fmt, kind)
    assert result.extension == name.rsplit(".", 1)[1].lower()


def test_a_file_without_extension_gets_the_extension_of_its_content(as_file):
    assert sniff(as_file(samples.jpeg()), original_name="image").extension == "jpg"


def test_exif_date_of_a_photo_is_read(as_file):
    result = sniff(as_file(samples.jpeg(date="2026:03:05 09:30:00")), original_name="a.jpg")
    assert result.taken_at is not None
    assert result.taken_at.strftime("%Y-%m-%d %H:%M") == "2026-03-05 09:30"


@pytest.mark.parametrize(
    ("maker", "name", "message"),
    [
        (samples.svg, "logo.svg", "网页"),
        (samples.svg, "photo.jpg", "网页"),
        (samples.html, "photo.png", "网页"),
        (samples.script, "run.jpg", "网页"),
        (samples.png_header_then_html, "photo.png", "不是有效的"),
        (samples.jpeg_with_html, "photo.jpg", "网页或脚本"),
        (samples.pdf, "photo.jpg", "扩展名"),
        (samples.jpeg, "scan.pdf", "扩展名"),
        (samples.exe, "setup.exe", "程序"),
        (samples.exe, "photo.jpg", "程序"),
        (samples.elf, "report.pdf", "程序"),
        (samples.docm, "方案.docm", "宏"),
        (samples.docm, "方案.docx", "宏"),
        (samples.docx_with_vba_part, "方案.docx", "宏"),
        (samples.doc_with_macros, "旧文件.doc", "宏"),
        (samples.xls_with_macros, "表格.xls", "宏"),
        (samples.plain_zip, "资料.zip", "ZIP"),
        (samples.pixel_flood_png, "flood.png", "像素"),
    ],
)
def test_bad_files_are_refused_with_a_chinese_message(as_file, maker, name, message):
    with pytest.raises(Refused) as exc:
        sniff(as_file(maker()), original_name=name)
    assert message in str(exc.value)


def test_an_empty_file_is_refused(as_file):
    with pytest.raises(Refused, match="空"):
        sniff(as_file(b""), original_name="a.jpg")


def test_a_truncated_jpeg_is_accepted_for_a_preview_warning_later(as_file):
    assert sniff(as_file(samples.truncated_jpeg()), original_name="a.jpg").format == "jpeg"


def test_size_limit_is_per_kind_and_exact(settings, as_file):
    settings.EVIDENCE_MAX_SIZE = {**settings.EVIDENCE_MAX_SIZE, "photo": 1000}
    result = sniff(as_file(samples.jpeg()), original_name="a.jpg")
    check_size(result, 1000)
    with pytest.raises(Refused, match="过大"):
        check_size(result, 1001)


def test_default_video_limit_is_at_least_500_mb(settings):
    assert settings.EVIDENCE_MAX_SIZE["video"] >= 500 * 1024 * 1024


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("a\x00b.jpg", "ab.jpg"),
        ("a\x07\x1bb.jpg", "ab.jpg"),
        ("say \"hi\" 'there'.jpg", "say _hi_ _there_.jpg"),
        ("line\r\nbreak.jpg", "linebreak.jpg"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("..", "未命名"),
        ("   ", "未命名"),
    ],
)
def test_filenames_are_cleaned(raw, expected):
    assert clean_filename(raw) == expected


def test_long_filenames_are_shortened_keeping_the_extension():
    cleaned = clean_filename("长" * 300 + ".jpg")
    assert len(cleaned) <= 200
    assert cleaned.endswith(".jpg")


@pytest.mark.parametrize(
    ("maker", "name", "fmt"),
    [(samples.pptx, "汇报.pptx", "pptx"), (samples.ppt, "汇报.ppt", "ppt"), (samples.ppt, "演示.dps", "ppt")],
)
def test_presentations_are_accepted_as_documents(as_file, maker, name, fmt):
    result = sniff(as_file(maker()), original_name=name)
    assert (result.format, result.kind) == (fmt, "document")


def test_a_document_that_expands_beyond_reason_is_refused(as_file, monkeypatch):
    from evidence import sniffing

    monkeypatch.setattr(sniffing, "_ZIP_MAX_EXPANDED", 1_000_000)
    data = samples.docx_expanding(2_000_000)
    assert len(data) < 100_000
    with pytest.raises(Refused, match="解压后体积异常"):
        sniff(as_file(data), original_name="方案.docx")


def test_an_ole_file_that_is_no_office_document_is_refused(as_file):
    from tests.evidence.olegen import build_ole

    with pytest.raises(Refused, match="不接受"):
        sniff(as_file(build_ole([("SummaryInformation",)])), original_name="setup.msi")
