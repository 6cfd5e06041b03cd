"""The strict Content-Security-Policy: sent on every page, and no page of the URL matrix holds what it would block
(the browser walk in tests/browser/test_csp.py shows the browser itself reports no violation)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import get_resolver
from django.utils.csp import CSP, build_policy

from tests import test_url_matrix
from tests.csp_check import inline_code_problems
from tests.test_url_matrix import walk, world_url

world = test_url_matrix.world  # the matrix's fixture: one object of every kind a URL names

POLICY_PARTS = [
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "style-src 'self'",
    "form-action 'self'",
]


def test_the_policy_is_strict():
    config: dict = settings.SECURE_CSP
    policy = build_policy(config)
    for part in POLICY_PARTS:
        assert part in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "http:" not in policy
    assert "https:" not in policy
    assert CSP.NONCE in config["script-src"]


def test_the_finder_catches_what_the_policy_blocks():
    html = (
        '<p style="color:red">x</p><button onclick="go()">b</button><a href="javascript:alert(1)">a</a>'
        "<script>alert(1)</script><style>p{}</style><script nonce=\"n1\">ok()</script><script src='/s.js'></script>"
        '<script type="application/json">{}</script>'
    )
    problems = inline_code_problems(html, nonce="n1")
    assert len(problems) == 5, problems


def world_pages(objects: dict) -> list[str]:
    """Every page of the URL matrix, its id naming the world's object (the admin's own pages aside)."""
    urls = []
    for name, route, _pattern in walk(get_resolver()):
        if route.startswith("admin/") and name != "admin:index":
            continue
        url = world_url(name, route, objects)
        if url is not None:
            urls.append(url)
    return urls


@pytest.mark.parametrize("role", ["coordinator", "head_a", "staff_a", "leader", "admin"])
def test_no_page_holds_inline_code_and_every_page_sends_the_policy(cast, login, world, role):
    client = login(getattr(cast, role))
    walked = 0
    for url in world_pages(world):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        walked += 1
        header = response.get("Content-Security-Policy", "")
        for part in POLICY_PARTS:
            assert part in header, (url, header)
        nonce = getattr(response.wsgi_request, "_csp_nonce", None)
        assert inline_code_problems(response.content.decode(), str(nonce) if nonce else None) == [], (role, url)
    assert walked >= 15, walked


def test_the_walk_flags_a_page_with_an_injected_inline_handler(cast, login, world, settings):
    """The walk shown able to fail: a middleware that slips an onclick into every page makes it fail."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_csp.inject_inline_handler"]
    with pytest.raises(AssertionError, match="inline event handler"):
        test_no_page_holds_inline_code_and_every_page_sends_the_policy(cast, login, world, "staff_a")


def inject_inline_handler(get_response):
    """A defect on purpose: what a template that forgot the policy would send."""

    def middleware(request):
        response = get_response(request)
        if "text/html" in response.get("Content-Type", "") and not response.streaming:
            response.content = response.content.replace(b"</body>", b'<a onclick="go()">x</a></body>')
        return response

    return middleware


def test_the_admin_pages_hold_no_inline_code(cast, login):
    """The admin is for emergencies, but it runs under the same policy: every list and add page of every model."""
    from django.contrib import admin
    from django.urls import reverse

    client = login(cast.admin)
    walked = 0
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        for url in [reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:{}_{}_add".format(*info))]:
            response = client.get(url)
            if response.status_code != 200:
                continue
            walked += 1
            nonce = str(response.wsgi_request._csp_nonce)
            assert inline_code_problems(response.content.decode(), nonce) == [], url
    assert walked >= 10, walked
