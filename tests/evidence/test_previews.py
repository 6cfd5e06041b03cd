"""Previews are made once by the worker: upright, without EXIF or GPS, in three sizes; a damaged image gets
"无法预览" and a warning, never an error. Tests that take `stored` run on the file system and on S3."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from evidence.models import StoredFile
from tests.evidence import samples
from tests.evidence.factories import make_evidence

pytestmark = pytest.mark.django_db


def upload(cast, campaign, data, name, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = make_evidence(user=cast.staff_a, campaign=campaign, data=data, name=name)
    item.stored_file.refresh_from_db()
    return item


def open_variant(settings, stored, field):
    with getattr(stored, field).open("rb") as fh:
        return Image.open(io.BytesIO(fh.read()))


def test_a_rotated_photo_gets_upright_previews_without_exif_or_gps(
    cast, campaign, settings, django_capture_on_commit_callbacks, stored
):
    # Stored landscape 400 × 200 with orientation 6 (rotate 90° clockwise to view): upright it is portrait.
    data = samples.jpeg(400, 200, date="2026:03:05 09:30:00", orientation=6, gps=True)
    item = upload(cast, campaign, data, "rotated.jpg", django_capture_on_commit_callbacks)
    files = stored
    stored = item.stored_file
    assert stored.preview_status == StoredFile.PreviewStatus.READY
    assert all(getattr(stored, f).name.startswith("evidence/previews/") for f in ("thumbnail", "screen", "print_copy"))
    for field in ("thumbnail", "screen", "print_copy"):
        with open_variant(settings, stored, field) as im:
            assert im.height > im.width, field
            exif = im.getexif()
            assert 0x8825 not in exif  # no GPS
            assert 0x0112 not in exif  # no orientation left to apply twice
            assert not im.info.get("exif")
    # The original is kept byte for byte, GPS and all.
    assert files.read(stored.file.name) == data


def test_preview_sizes_follow_the_long_side(cast, campaign, settings, django_capture_on_commit_callbacks):
    item = upload(cast, campaign, samples.jpeg(3000, 2000), "big.jpg", django_capture_on_commit_callbacks)
    stored = item.stored_file
    sizes = {}
    for field in ("thumbnail", "screen", "print_copy"):
        with open_variant(settings, stored, field) as im:
            sizes[field] = max(im.size)
    assert sizes["screen"] == 1600
    assert sizes["print_copy"] == 1000
    assert sizes["thumbnail"] <= 320


def test_a_truncated_photo_is_stored_with_cannot_preview(
    cast, campaign, settings, login, django_capture_on_commit_callbacks
):
    item = upload(cast, campaign, samples.truncated_jpeg(), "cut.jpg", django_capture_on_commit_callbacks)
    stored = item.stored_file
    assert stored.preview_status == StoredFile.PreviewStatus.FAILED
    assert "损坏" in stored.preview_warning
    response = login(cast.staff_a).get(reverse("evidence:detail", args=[item.pk]))
    assert response.status_code == 200
    assert "无法预览" in response.content.decode()
    # The original still downloads.
    download = login(cast.staff_a).get(reverse("evidence:download", args=[item.pk]))
    assert download.status_code == 200


def test_a_pdf_gets_its_first_page_as_preview(cast, campaign, settings, django_capture_on_commit_callbacks, stored):
    item = upload(cast, campaign, samples.pdf(), "纪要.pdf", django_capture_on_commit_callbacks)
    stored = item.stored_file
    assert stored.preview_status == StoredFile.PreviewStatus.READY
    with open_variant(settings, stored, "screen") as im:
        assert max(im.size) == 1600


def test_documents_without_preview_say_so(cast, campaign, django_capture_on_commit_callbacks):
    item = upload(cast, campaign, samples.docx(), "方案.docx", django_capture_on_commit_callbacks)
    assert item.stored_file.preview_status == StoredFile.PreviewStatus.NONE


def test_a_heic_photo_gets_previews(cast, campaign, django_capture_on_commit_callbacks):
    item = upload(cast, campaign, samples.heic(), "IMG_0001.HEIC", django_capture_on_commit_callbacks)
    assert item.stored_file.preview_status == StoredFile.PreviewStatus.READY


def test_previews_wait_for_the_commit(cast, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = make_evidence(user=cast.staff_a, campaign=campaign)
    assert len(callbacks) == 1
    item.stored_file.refresh_from_db()
    assert item.stored_file.preview_status == StoredFile.PreviewStatus.PENDING


def test_a_transparent_png_gets_previews_on_white(cast, campaign, settings, django_capture_on_commit_callbacks):
    item = upload(cast, campaign, samples.png(200, 100), "logo.png", django_capture_on_commit_callbacks)
    with open_variant(settings, item.stored_file, "screen") as im:
        assert im.mode == "RGB"
        assert im.getpixel((0, 0))[0] > 100  # half-transparent green over white, not over black


def test_a_missing_original_gives_cannot_preview_not_an_error(cast, campaign, settings, stored):
    from django.core.management import call_command

    item = make_evidence(user=cast.staff_a, campaign=campaign)
    stored.storage.delete(item.stored_file.file.name)
    call_command("make_evidence_previews")
    item.stored_file.refresh_from_db()
    assert item.stored_file.preview_status == StoredFile.PreviewStatus.FAILED


def test_a_replacement_file_gets_its_previews_too(cast, campaign, django_capture_on_commit_callbacks):
    from evidence import services
    from tests.evidence.factories import received_from_bytes

    item = upload(
        cast, campaign, samples.jpeg(800, 600, color=(10, 20, 30)), "旧.jpg", django_capture_on_commit_callbacks
    )
    received = received_from_bytes("新.jpg", samples.jpeg(800, 600, color=(200, 20, 30)))
    with django_capture_on_commit_callbacks(execute=True):
        new = services.evidence_replace_file(user=cast.staff_a, item=item, received=received)
    assert new.stored_file_id is not None
    stored = StoredFile.objects.get(pk=new.stored_file_id)
    assert stored.pk != item.stored_file_id
    assert stored.preview_status == StoredFile.PreviewStatus.READY
    assert stored.thumbnail and stored.screen and stored.print_copy


def test_remade_previews_replace_the_old_ones_in_the_storage(
    cast, campaign, django_capture_on_commit_callbacks, stored
):
    from django.core.management import call_command

    item = upload(cast, campaign, samples.jpeg(300, 200), "a.jpg", django_capture_on_commit_callbacks)
    before = stored.names("evidence/previews")
    assert len(before) == 3
    call_command("make_evidence_previews", "--all")
    item.stored_file.refresh_from_db()
    after = stored.names("evidence/previews")
    assert len(after) == 3
    assert not set(before) & set(after)
    assert sorted(getattr(item.stored_file, f).name for f in ("thumbnail", "screen", "print_copy")) == after
