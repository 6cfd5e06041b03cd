"""Every URL pattern, as every role: a new view cannot escape login, cannot crash on a missing object, and
cannot let the read-only leadership change anything.

The patterns come from the resolver, so views added later are walked too. Objects in the URL do not exist:
the answer must be a login redirect for anonymous visitors and a 404 (or 403/405, or a list page) for others.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Views anyone may open without an account.
PUBLIC = {"login", "healthz", "admin:login"}
# Views a read-only person may POST to: their own session, password and notifications.
OWN_ACCOUNT = {"logout", "password_change", "admin:logout"}
OWN_PREFIXES = ("notifications:",)

SAMPLE = {
    "int": "987654",
    "str": "nothing-here",
    "slug": "nothing-here",
    "path": "nothing/here",
    "uuid": str(uuid.uuid4()),
}


def walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else "", prefix + str(p.pattern), p


def concrete(route: str) -> str | None:
    """Fill <int:pk>-style converters with values that match nothing; skip regex patterns of the admin."""
    import re

    if route.startswith("^") or "(?P" in route:
        return None

    def fill(m):
        conv = m.group(1) or "str"
        return SAMPLE.get(conv, "x")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def routes():
    seen = []
    for name, route, _p in walk(get_resolver()):
        url = concrete(route)
        # The admin guards itself (administrators only, tested apart); its index stands for it here.
        if url is None or (url.startswith("/admin/") and name != "admin:index"):
            continue
        seen.append(pytest.param(name, url, id=name or url))
    return seen


ROUTES = routes()


def test_the_walk_finds_the_application_urls():
    names = {p.values[0] for p in ROUTES}
    assert {"reports:home", "healthz", "login", "logout"} <= names
    assert len(names) >= 8


@pytest.mark.parametrize(("name", "url"), ROUTES)
def test_anonymous_gets_login_redirect_except_on_public_views(client, db, name, url):
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code in (200, 302, 405), (name, response.status_code)
        return
    assert response.status_code == 302, (name, url, response.status_code)
    assert "/login/" in response["Location"], (name, response["Location"])


@pytest.mark.parametrize(("name", "url"), ROUTES)
def test_every_role_gets_an_answer_never_an_error(cast, campaign, login, name, url):
    for who, user in cast.everyone.items():
        response = login(user).get(url)
        assert response.status_code in (200, 302, 400, 403, 404, 405), (name, url, who, response.status_code)


@pytest.mark.parametrize(("name", "url"), ROUTES)
def test_leadership_cannot_change_anything(cast, campaign, login, name, url):
    if name in PUBLIC or name in OWN_ACCOUNT or name.startswith(OWN_PREFIXES):
        return
    response = login(cast.leader).post(url, {})
    if name == "admin:index":
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
        return
    assert response.status_code in (403, 404, 405), (name, url, response.status_code)


GARBAGE = {
    "version": "not-a-number",
    "note": "x" * 5000,
    "reason": "",
    "tasks": ["abc", "-1"],
    "file": "not a file",
    "status": "🙂",
    "deadline": "2026-13-45",
    "q": "%' OR 1=1 --",
}


@pytest.mark.parametrize(("name", "url"), ROUTES)
def test_garbage_posted_by_every_role_never_errors(cast, campaign, login, name, url):
    for who, user in cast.everyone.items():
        response = login(user).post(url, GARBAGE)
        assert response.status_code < 500, (name, url, who, response.status_code)
