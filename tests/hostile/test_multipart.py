"""Malformed multipart bodies posted to every URL of the world: never a 5xx, and a refusal (4xx) writes nothing.
An action that takes no fields (accept, move to the recycle bin, send a test message) never reads the body and
may act on it, as on an empty one."""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from tests.hostile.conftest import Snapshot
from tests.test_url_matrix import ACT_REGARDLESS, walk, world_url

pytestmark = pytest.mark.slow

B = "hostileboundary"
BODIES = {
    "no boundary": ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--"),
    "boundary never seen": (f"multipart/form-data; boundary={B}", b"garbage without any boundary" * 10),
    "truncated part": (f"multipart/form-data; boundary={B}", f"--{B}\r\nContent-Disposition: form-da".encode()),
    "header without end": (
        f"multipart/form-data; boundary={B}",
        f'--{B}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'.encode() + b"x" * 70_000,
    ),
    "bad filename bytes": (
        f"multipart/form-data; boundary={B}",
        f'--{B}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + b"a\x00\xed\xa0\x80\xff.jpg"
        + f'"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\r\n--{B}--\r\n'.encode("latin-1"),
    ),
    "boundary too long": ("multipart/form-data; boundary=" + "b" * 5000, b"--" + b"b" * 5000 + b"--"),
}


def test_malformed_multipart_to_every_url_is_refused_and_changes_nothing(cast, login, world):
    client = login(cast.coordinator)
    client.raise_request_exception = False
    problems = []
    for name, route, _p in walk(get_resolver()):
        url = world_url(name, route, world)
        if url is None or url.startswith("/admin/") or name == "logout":
            continue
        for what, (content_type, body) in BODIES.items():
            before = Snapshot()
            response = client.generic("POST", url, body, content_type=content_type)
            if response.status_code >= 500:
                problems.append(f"{name} with {what}: {response.status_code}")
            elif response.status_code >= 400 and before.unchanged() and name not in ACT_REGARDLESS:
                problems.append(f"{name} with {what}: {response.status_code}, changed {before.unchanged()}")
    assert not problems, "\n".join(problems)
