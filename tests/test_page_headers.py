"""Every full page of the app opens with the page header (templates/_page_header.html or the same markup with
more than one action): its title with an icon, a line saying what the page is for, its primary action. A new
page without it fails here. The walk is the URL matrix's (tests/test_url_matrix.py), as the CSP and language
tests walk it, for each role of the cast."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve

from tests import test_url_matrix
from tests.test_csp import world_pages

world = test_url_matrix.world  # the matrix's fixture: one object of every kind a URL names

# Pages with a layout of their own: changing or setting a password is a centred card like the sign-in page, the
# admin is Django's.
OWN_LAYOUT = {
    "password_change",
    "password_change_done",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "admin:index",
}
HEADER = re.compile(r'<(?:div|header) class="page-header[^"]*"[^>]*data-testid="page-header"')
TITLE = re.compile(r'<h1 class="page-title"[^>]*><i class="bi bi-[a-z0-9-]+" aria-hidden="true"></i>')


def _full_page(response) -> bool:
    return (
        response.status_code == 200
        and "text/html" in response.get("Content-Type", "")
        and 'class="app-main' in response.content.decode()
    )


def test_the_check_tells_a_page_with_a_header_from_one_without():
    with_header = (
        '<div class="page-header" data-testid="page-header"><div class="me-auto"><h1 class="page-title">'
        '<i class="bi bi-list-check" aria-hidden="true"></i><span>测评体系</span></h1></div></div>'
    )
    assert HEADER.search(with_header) and TITLE.search(with_header)
    assert not HEADER.search('<div class="d-flex"><h1 class="page-title mb-0">测评体系</h1></div>')
    assert not TITLE.search('<h1 class="page-title mb-0">测评体系</h1>')


@pytest.mark.parametrize("role", ["coordinator", "head_a", "staff_a", "leader", "admin"])
def test_every_full_page_opens_with_the_page_header(cast, login, world, role):
    client = login(getattr(cast, role))
    missing = []
    walked = 0
    for url in world_pages(world):
        if resolve(url.split("?")[0]).view_name in OWN_LAYOUT:
            continue
        response = client.get(url)
        if not _full_page(response):
            continue
        walked += 1
        html = response.content.decode()
        if len(HEADER.findall(html)) != 1 or not TITLE.search(html):
            missing.append(url)
    assert missing == [], missing
    assert walked >= 15, walked
