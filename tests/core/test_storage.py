"""Without a bucket, files are kept under MEDIA_ROOT by civunit.storage.DurableFileSystemStorage: each saved file
and its folder are fsynced before save() returns, so a row committed after the save never names a file that a
power cut could take away."""

import os
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from civunit import storage as durable


def test_without_a_bucket_the_default_storage_is_the_durable_file_system(settings):
    assert settings.STORAGES["default"]["BACKEND"] == "civunit.storage.DurableFileSystemStorage"
    assert isinstance(storages["default"], durable.DurableFileSystemStorage)


def test_a_saved_file_and_its_folder_are_fsynced(settings, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(durable.os, "fsync", fsync)
    name = storages["default"].save("evidence/files/2026/03/a.jpg", ContentFile(b"bytes"))
    path = Path(settings.MEDIA_ROOT) / name
    assert path.read_bytes() == b"bytes"
    # the bytes were written beside their place first (".saving-…", fsynced) and renamed whole into it
    assert synced[-2:] == [str(path), str(path.parent)]
    assert [Path(p).parent for p in synced[:-2]] == [path.parent]
    assert Path(synced[0]).name.startswith(".saving-") and not Path(synced[0]).exists()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
