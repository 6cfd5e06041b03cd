"""Evidence rows made through the real service (sniffing, hashing, storing), so tests see what users get."""

import hashlib
import itertools
import os
import uuid

from django.db import transaction

from evidence import uploads
from evidence.services import EvidenceMeta, evidence_register
from tests.evidence import samples

_counter = itertools.count(1)


def received_from_bytes(name: str, data: bytes) -> uploads.ReceivedFile:
    path, fd = uploads.open_temp()
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return uploads.ReceivedFile(
        temp_path=path, name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), browser_content_type=""
    )


def make_evidence(*, user, campaign, data: bytes | None = None, name: str = "", **meta):
    """A registered evidence item; by default a small unique JPEG."""
    if data is None:
        n = next(_counter)
        data = samples.jpeg(color=(n % 256, (n // 256) % 256, 77), date="2026:03:05 09:30:00")
        data += uuid.uuid4().bytes  # unique bytes, still a valid JPEG (trailing data after EOI)
    name = name or f"照片{next(_counter)}.jpg"
    received = received_from_bytes(name, data)
    try:
        return evidence_register(user=user, campaign=campaign, received=received, meta=EvidenceMeta(**meta))
    finally:
        uploads.remove_quietly(received.temp_path)


def run_on_commit(fn):
    """Run fn inside the test transaction and fire its on_commit callbacks (previews)."""
    with transaction.atomic():
        result = fn()
    return result
