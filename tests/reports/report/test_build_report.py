"""manage.py build_report: the PDF written whole or not at all, the Word copy when its module is there."""

from __future__ import annotations

import sys
import types

import pytest
from django.core.management import CommandError, call_command

from civunit.reports.management.commands import build_report
from tests.reports.report.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, campaign):
    return build_world(cast, campaign, photos=1)


@pytest.fixture
def out_dir(tmp_path):
    """An empty folder of its own (tmp_path also holds the test's media folders)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_writes_the_pdf_of_the_current_campaign(world, out_dir, capsys):
    out = out_dir / "report.pdf"
    call_command("build_report", str(out), "--date", "2026-03-05")
    assert out.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in out_dir.iterdir()] == ["report.pdf"]
    assert "wrote" in capsys.readouterr().out


def test_a_failed_render_leaves_no_file(world, out_dir, monkeypatch):
    def broken(content, out, **kwargs):
        out.write(b"%PDF-1.7 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_report, "render_report_pdf", broken)
    with pytest.raises(OSError):
        call_command("build_report", str(out_dir / "report.pdf"))
    assert list(out_dir.iterdir()) == []


def test_without_the_word_module_it_says_so_and_writes_nothing(world, out_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, build_report.DOCX_MODULE, None)  # import raises ModuleNotFoundError
    with pytest.raises(CommandError, match="Word copy is not available"):
        call_command("build_report", str(out_dir / "r.pdf"), "--docx", str(out_dir / "r.docx"))
    assert list(out_dir.iterdir()) == []


def test_the_word_copy_is_rendered_from_the_same_content(world, cast, out_dir, monkeypatch):
    seen: dict[str, object] = {}

    def render_report_docx(content, out, *, user):
        seen.update(title=content.title, user=user)
        out.write(b"PK docx")

    module = types.ModuleType(build_report.DOCX_MODULE)
    module.render_report_docx = render_report_docx  # type: ignore[attr-defined]  # a stand-in module
    monkeypatch.setitem(sys.modules, build_report.DOCX_MODULE, module)
    call_command("build_report", str(out_dir / "r.pdf"), "--docx", str(out_dir / "r.docx"), "--user", "head_a")
    assert (out_dir / "r.docx").read_bytes() == b"PK docx"
    assert seen == {"title": "某市政协机关关于创建全国文明单位工作情况的报告", "user": cast.head_a}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["r.txt"], "should end in .pdf"),
        (["r.pdf", "--user", "nobody"], "No active account"),
        (["r.pdf", "--date", "2026-13-01"], "YYYY-MM-DD"),
        (["missing/r.pdf"], "does not exist"),
    ],
)
def test_bad_arguments_get_a_clear_message(world, out_dir, monkeypatch, args, message):
    monkeypatch.chdir(out_dir)
    with pytest.raises(CommandError, match=message):
        call_command("build_report", *args)
    assert list(out_dir.iterdir()) == []


def test_without_a_current_campaign_it_refuses(cast, out_dir):
    with pytest.raises(CommandError, match="no current campaign"):
        call_command("build_report", str(out_dir / "r.pdf"))
