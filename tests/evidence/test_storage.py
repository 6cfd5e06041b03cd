"""Every stored file goes through the default storage, on the file system and on S3 alike: downloads stream the
stored bytes, a missing object is a 404, a failed new version leaves no stored object, and a finished upload is
renamed into place (not copied) when its temporary file is on the same file system as MEDIA_ROOT."""

import os
from pathlib import Path

import pytest
from django.http import FileResponse
from django.urls import reverse

from evidence import files, services
from evidence.models import EvidenceItem, StoredFile
from evidence.services import versions
from tests.evidence import samples
from tests.evidence.factories import make_evidence, received_from_bytes

pytestmark = pytest.mark.django_db


def photo_with_previews(cast, campaign, django_capture_on_commit_callbacks, data: bytes):
    with django_capture_on_commit_callbacks(execute=True):
        item = make_evidence(user=cast.staff_a, campaign=campaign, data=data, name="活动.jpg")
    item.stored_file.refresh_from_db()
    return item


def test_the_original_and_its_previews_download_as_stored(
    cast, campaign, login, stored, django_capture_on_commit_callbacks
):
    data = samples.jpeg(1200, 800, quality=95) + os.urandom(200 * 1024)  # past the test's 64 KiB memory limit
    item = photo_with_previews(cast, campaign, django_capture_on_commit_callbacks, data)
    client = login(cast.staff_a)

    response = client.get(reverse("evidence:download", args=[item.pk]))
    assert response.status_code == 200
    assert isinstance(response, FileResponse) and response.streaming
    assert int(response["Content-Length"]) == len(data)
    assert response.getvalue() == data == stored.read(item.stored_file.file.name)

    for variant, field in (("thumbnail", "thumbnail"), ("screen", "screen"), ("print", "print_copy")):
        response = client.get(reverse("evidence:preview", args=[item.pk, variant]))
        assert response.status_code == 200, variant
        assert b"".join(response.streaming_content) == stored.read(getattr(item.stored_file, field).name)


def test_a_large_download_from_s3_spills_to_disk_not_to_memory(cast, campaign, login, s3, monkeypatch):
    import tempfile

    from storages.backends import s3 as s3_backend

    data = samples.jpeg(64, 64) + os.urandom(300 * 1024)
    item = make_evidence(user=cast.staff_a, campaign=campaign, data=data, name="大.jpg")
    spools = []

    class Spool(tempfile.SpooledTemporaryFile):
        """django-storages spools an object it reads into SpooledTemporaryFile(max_size=AWS_S3_MAX_MEMORY_SIZE)."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            spools.append(self)

    monkeypatch.setattr(s3_backend.tempfile, "SpooledTemporaryFile", Spool)
    response = login(cast.staff_a).get(reverse("evidence:download", args=[item.pk]))
    assert b"".join(response.streaming_content) == data
    assert len(spools) == 1
    assert spools[0]._rolled, "the object was held in memory"  # type: ignore[attr-defined]  # private to tempfile


def test_a_stored_file_missing_from_the_storage_is_a_404(cast, campaign, login, stored):
    item = make_evidence(user=cast.staff_a, campaign=campaign)
    stored.storage.delete(item.stored_file.file.name)
    assert login(cast.staff_a).get(reverse("evidence:download", args=[item.pk])).status_code == 404


def test_a_new_version_whose_transaction_fails_leaves_no_stored_file(cast, campaign, monkeypatch, stored):
    item = make_evidence(user=cast.staff_a, campaign=campaign)
    before = stored.names()

    def fail(**kwargs):
        raise RuntimeError("database went away")

    # evidence_replace_file calls the function of its own module
    monkeypatch.setattr(versions, "evidence_new_version", fail)
    received = received_from_bytes("新.jpg", samples.jpeg(color=(1, 99, 1)))
    with pytest.raises(RuntimeError):
        services.evidence_replace_file(user=cast.staff_a, item=item, received=received)
    received.temp_path.unlink(missing_ok=True)
    assert stored.names() == before
    assert StoredFile.objects.count() == 1
    assert EvidenceItem.objects.count() == 1


def test_a_finished_upload_is_renamed_into_place_on_the_same_file_system(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(Path(settings.MEDIA_ROOT).parent / "upload-tmp")
    received = received_from_bytes("a.jpg", samples.jpeg())
    inode = received.temp_path.stat().st_ino
    name = files.save_local_file(received.temp_path, files.evidence_file_name("jpg"))
    assert (Path(settings.MEDIA_ROOT) / name).stat().st_ino == inode  # moved, not copied
    assert not received.temp_path.exists()
