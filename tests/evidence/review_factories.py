"""Evidence rows for the review, version, recycle-bin, browse and search tests, made without the upload path
(which has its own tests): a stored file with real bytes in the default storage, and items pointing at it."""

from __future__ import annotations

import hashlib
import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image

from evidence.models import EvidenceEvent, EvidenceItem, EvidenceKind, EvidenceStandard, StoredFile


def jpeg_bytes(color=(200, 30, 30), size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def make_stored_file(data: bytes | None = None, *, with_previews: bool = True) -> StoredFile:
    data = data or jpeg_bytes(color=tuple(uuid.uuid4().bytes[:3]))
    storage = storages["default"]
    name = storage.save(f"evidence/files/test/{uuid.uuid4().hex}.jpg", ContentFile(data))
    fields = {}
    if with_previews:
        for variant in ("thumbnail", "screen"):
            fields[variant] = storage.save(f"evidence/previews/test/{uuid.uuid4().hex}.jpg", ContentFile(data))
    return StoredFile.objects.create(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        kind=EvidenceKind.PHOTO,
        format="jpeg",
        content_type="image/jpeg",
        file=name,
        width=64,
        height=48,
        preview_status=StoredFile.PreviewStatus.READY if with_previews else StoredFile.PreviewStatus.NONE,
        **fields,
    )


def make_item(
    *,
    campaign,
    uploader,
    office=None,
    stored_file: StoredFile | None = None,
    standards=(),
    tasks=(),
    status=EvidenceItem.Status.PENDING,
    title="学雷锋志愿服务照片",
    category="photo",
    kind=EvidenceKind.PHOTO,
    **fields,
) -> EvidenceItem:
    item = EvidenceItem.objects.create(
        campaign=campaign,
        stored_file=stored_file or make_stored_file(),
        original_name=fields.pop("original_name", "IMG_0001.jpg"),
        kind=kind,
        category=category,
        title=title,
        office=office or uploader.office,
        uploader=uploader,
        status=status,
        primary_standard=standards[0] if standards else None,
        **fields,
    )
    EvidenceStandard.objects.bulk_create(
        EvidenceStandard(item=item, criterion=c, position=i) for i, c in enumerate(standards)
    )
    if tasks:
        item.tasks.set(tasks)
    EvidenceEvent.objects.create(lineage=item.lineage, item=item, actor=uploader, action=EvidenceEvent.Action.UPLOADED)
    return item
