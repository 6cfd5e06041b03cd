"""The interface speaks Chinese: no page of the URL matrix (and no admin page) shows a word in Latin letters
outside the technical terms people use in Chinese too; error answers are Chinese pages; what a reader needs
no login name, id or hash for is shown without them."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import test_url_matrix
from tests.latin_text import latin_words
from tests.test_csp import world_pages

world = test_url_matrix.world  # the matrix's fixture: one object of every kind a URL names

# Terms written in Latin letters in Chinese offices too: file formats, units, products, protocols.
ALLOWED = {
    "PDF",
    "Excel",
    "Word",
    "PowerPoint",
    "WPS",
    "OFD",
    "JSON",
    "json",
    "xlsx",
    "xls",
    "ZIP",
    "CSV",
    "JPEG",
    "JPG",
    "PNG",
    "WebP",
    "HEIC",
    "GIF",
    "MP3",
    "M4A",
    "WAV",
    "MP4",
    "MOV",
    "SVG",
    "KB",
    "MB",
    "GB",
    "A4",
    "SHA-256",
    "Ctrl",
    "Webhook",
    "URL",
    "IP",
    "http",
    "https",
    "SEC",
    "EXIF",
}
CODE = re.compile(r"^[A-Z]\d*$")  # criterion and veto codes (F1), column letters (A)


def _foreign(html: str) -> set[str]:
    return {w for w in latin_words(html) if w not in ALLOWED and not CODE.match(w)}


def test_the_scan_finds_english():
    assert _foreign('<p title="Close">保存</p><button>Select an option</button><code>print()</code>') == {
        "Close",
        "Select",
        "an",
        "option",
    }
    assert (
        _foreign("<p>上传 PDF、Word 或 JPEG，见 https://example.com/x.y 与 ROBOT_SECRET_KEY，文件 t.xlsx，F1</p>")
        == set()
    )


@pytest.mark.parametrize("role", ["coordinator", "head_a", "staff_a", "leader", "admin"])
def test_no_page_shows_english(cast, login, world, role):
    client = login(getattr(cast, role))
    found: dict[str, set[str]] = defaultdict(set)
    walked = 0
    for url in world_pages(world):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        walked += 1
        for word in _foreign(response.content.decode()):
            found[word].add(url)
    assert dict(found) == {}
    assert walked >= 15


def test_the_admin_speaks_chinese_too(cast, login):
    client = login(cast.admin)
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
    index = client.get(urls[0]).content.decode()
    for name in ["登录保护", "后台任务队列", "登录尝试", "任务结果"]:
        assert name in index
    assert _foreign(index) == set()
    # the greeting names the person, not their login name
    assert f"<strong>{cast.admin.display_name}</strong>" in index
    assert f"<strong>{cast.admin.username}</strong>" not in index


def test_a_blank_choice_reads_in_chinese(cast, login, campaign):
    html = login(cast.coordinator).get("/campaign/plan/edit/").content.decode()
    assert "Select an option" not in html
    assert "- 请选择 -" in html


def test_a_405_answer_is_a_chinese_page(cast, login, world):
    response = login(cast.coordinator).get(f"/bulletins/{world['bulletin']}/publish/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = response.content.decode()
    assert "此地址只接受从页面提交的表单" in html
    assert _foreign(html) == set()


def test_the_login_page_says_a_session_expired_only_when_one_did(client, cast, login, settings):
    first = client.get("/tasks/", follow=True)
    assert "登录已过期" not in first.content.decode()
    signed_in = login(cast.staff_a)
    assert signed_in.get("/tasks/").status_code == 200
    signed_in.session.flush()  # the server forgets the session; the browser still sends its cookie
    signed_in.cookies[settings.SESSION_COOKIE_NAME] = "a-session-that-no-longer-exists"
    expired = signed_in.get("/tasks/", follow=True)
    assert "登录已过期" in expired.content.decode()
    # logging out deletes the cookie: the next visit is a plain one
    fresh = login(cast.staff_a)
    fresh.post("/accounts/logout/")
    assert "登录已过期" not in fresh.get("/tasks/", follow=True).content.decode()


def test_the_example_criteria_note_is_for_who_can_replace_the_table(cast, login, campaign):
    campaign.criteria_note = "示例测评体系：请导入正式测评体系后替换。"
    campaign.save()
    assert "示例测评体系" in login(cast.coordinator).get("/campaign/criteria/").content.decode()
    for user in [cast.staff_a, cast.head_a, cast.leader]:
        assert "示例测评体系" not in login(user).get("/campaign/criteria/").content.decode()


def test_the_file_hash_is_a_technical_detail_for_the_coordinator(cast, login, world):
    from evidence.models import EvidenceItem

    item = EvidenceItem.objects.select_related("stored_file").get(pk=world["evidence"])
    assert item.stored_file is not None
    sha = item.stored_file.sha256
    assert sha not in login(cast.staff_a).get(f"/evidence/{item.pk}/").content.decode()
    assert sha not in login(cast.leader).get(f"/evidence/{item.pk}/").content.decode()
    page = login(cast.coordinator).get(f"/evidence/{item.pk}/").content.decode()
    assert sha in page
    assert 'data-testid="technical-details"' in page


def test_the_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
