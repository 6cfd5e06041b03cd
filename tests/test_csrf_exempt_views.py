"""Every view exempt from the CSRF middleware checks the token itself. The views are found from the URL resolver, so
a new one cannot hide: a POST carrying a file without a valid token must get the CSRF failure page (403), store
nothing and leave no temporary file. Today these are the endpoints that receive a streamed file
(evidence/views/_upload.py, @streaming_upload); REACH says how to get each one as far as reading the body."""

import datetime
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.views.decorators.csrf import csrf_exempt

from campaign.models import Campaign
from civunit.accounts.models import User
from civunit.urls import urlpatterns as project_urls
from evidence.models import Activity, EvidenceItem, StoredFile
from evidence.views._upload import csrf_refusal
from tests.conftest import Cast
from tests.evidence import samples
from tests.evidence.factories import make_evidence
from tests.storage import StoredFiles

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """A person who may use every exempt view, and the objects the views' URLs name."""

    user: User
    coordinator: User
    item: EvidenceItem
    activity: Activity


# How to reach each csrf_exempt view (by URL name): the kwargs of its URL. A new exempt view fails the test below
# until it is added here, and then fails unless it refuses a request without a valid token.
REACH: dict[str, Callable[[World], dict[str, int]]] = {
    "evidence:upload_file": lambda world: {},
    "evidence:replace": lambda world: {"pk": world.item.pk},
    "evidence:activity_upload": lambda world: {"pk": world.activity.pk},
    "evidence:import_upload": lambda world: {},
}
# Who may use the view, when not the world's staff member (the archive import is the coordinator's).
USER: dict[str, Callable[[World], User]] = {"evidence:import_upload": lambda world: world.coordinator}


def exempt_views(patterns: Iterable[URLPattern | URLResolver] | None = None, namespace: str = "") -> Iterator[str]:
    """The URL names (with their namespaces) of every pattern whose view is marked csrf_exempt."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from exempt_views(entry.url_patterns, inner)
        elif getattr(entry.callback, "csrf_exempt", False):
            yield f"{namespace}{entry.name}" if entry.name else f"(unnamed) {entry.pattern}"


def _temp_root() -> Path:
    assert settings.FILE_UPLOAD_TEMP_DIR, "tests/conftest.py gives every test an upload folder of its own"
    return Path(settings.FILE_UPLOAD_TEMP_DIR)


def _temp_files() -> list[Path]:
    return sorted(p for p in _temp_root().rglob("*") if p.is_file())


def _stored() -> tuple[list[str], int, int]:
    return StoredFiles("", Path(settings.MEDIA_ROOT)).names(), StoredFile.objects.count(), EvidenceItem.objects.count()


def _body(token: str | None = None) -> dict[str, object]:
    """A multipart body with a real photo and the caption fields the endpoints take."""
    photo = SimpleUploadedFile("照片.jpg", samples.jpeg(color=(secrets.randbelow(256), 40, 90)), "image/jpeg")
    body: dict[str, object] = {"file": photo, "title": "照片", "category": "photo", "caption": "说明"}
    if token is not None:
        body["csrfmiddlewaretoken"] = token
    return body


def _client(user: User, cookie: str | None = None) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    if cookie is not None:
        client.cookies[settings.CSRF_COOKIE_NAME] = cookie
    return client


def refusal_problems(url: str, user: User) -> list[str]:
    """What is wrong with how the view at `url` treats POSTs without a valid token ([] when each is refused with
    the CSRF failure page, leaving nothing stored and no temporary file), then whether the same request with the
    right token gets through (so that the refusals came from the token, not from something else)."""
    cookie = secrets.token_hex(16)  # a well-formed secret (32 characters)
    attempts = {
        "no token and no cookie": (_client(user), _body(), {}),
        "a wrong token in the form": (_client(user, cookie), _body(secrets.token_hex(16)), {}),
        "a wrong token in the header": (_client(user, cookie), _body(), {"X-CSRFToken": secrets.token_hex(16)}),
    }
    problems = []
    before = _stored()
    for label, (client, body, headers) in attempts.items():
        response = client.post(url, body, headers=headers)
        templates = [t.name for t in response.templates]
        if response.status_code != 403 or "403_csrf.html" not in templates:
            problems.append(f"{url}, {label}: answered {response.status_code} instead of the CSRF failure page")
        if left := _temp_files():
            problems.append(f"{url}, {label}: temporary files left behind: {[p.name for p in left]}")
        if _stored() != before:
            problems.append(f"{url}, {label}: something was stored")
    accepted = _client(user, cookie).post(url, _body(cookie))
    if accepted.status_code == 403:
        problems.append(f"{url}: refused even with the right token, so the refusals above prove nothing")
    return problems


@pytest.fixture
def world(cast: Cast, campaign: Campaign) -> World:
    activity = Activity.objects.create(
        campaign=campaign,
        title="学雷锋志愿服务进社区",
        date=datetime.date(2026, 3, 5),
        organiser_office=cast.office_a,
        created_by=cast.staff_a,
    )
    item = make_evidence(user=cast.staff_a, campaign=campaign)
    return World(user=cast.staff_a, coordinator=cast.coordinator, item=item, activity=activity)


# Any body a view parses with Django's own upload handlers goes to a temporary file too, not to memory.
@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_every_csrf_exempt_view_refuses_a_post_without_a_valid_token(world: World) -> None:
    found = set(exempt_views())
    assert found == set(REACH), "a csrf_exempt view the test cannot reach: add it to REACH"
    problems = [
        problem
        for name in sorted(found)
        for problem in refusal_problems(
            reverse(name, kwargs=REACH[name](world)), USER[name](world) if name in USER else world.user
        )
    ]
    assert problems == []


# --- The check itself catches a view that forgets the token or leaves a temporary file --------------------------


@csrf_exempt
def careless(request: HttpRequest) -> HttpResponse:
    request.POST  # noqa: B018 (reads the body and acts on it without checking the token)
    return HttpResponse("done")


@csrf_exempt
def leaky(request: HttpRequest) -> HttpResponse:
    (_temp_root() / "left.part").write_bytes(b"part of a file")
    return csrf_refusal(request) or HttpResponse("done")


# The project's routes beside the two (the CSRF failure page links to them).
urlpatterns = [path("careless/", careless, name="careless"), path("leaky/", leaky, name="leaky"), *project_urls]


@pytest.mark.urls(__name__)
def test_the_walk_finds_exempt_views_and_the_check_catches_what_they_get_wrong(world: World) -> None:
    assert set(exempt_views()) == {"careless", "leaky", *REACH}
    assert any("instead of the CSRF failure page" in p for p in refusal_problems(reverse("careless"), world.user))
    leaks = refusal_problems(reverse("leaky"), world.user)
    assert leaks and all("temporary files left behind" in p for p in leaks), leaks
