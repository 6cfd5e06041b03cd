"""Storages whose disk is full: every save fails as a real one does (OSError ENOSPC), having written nothing
(FullStorage), or after the first bytes of the file, as a disk that fills part-way through it (FillingStorage)."""

import errno

from django.core.files.storage import FileSystemStorage

from civunit.storage import DurableFileSystemStorage


class FullStorage(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device", name)


class _Filling:
    """A file's content on a disk that fills after its first 64 bytes (as a stream: no temporary file to rename)."""

    def __init__(self, content):
        self._content = content
        self.size = content.size

    def chunks(self, chunk_size=None):
        for n, chunk in enumerate(self._content.chunks(64)):
            if n:
                raise OSError(errno.ENOSPC, "No space left on device")
            yield chunk

    def __getattr__(self, name):
        if name == "temporary_file_path":
            raise AttributeError(name)
        return getattr(self._content, name)


class FillingStorage(DurableFileSystemStorage):
    """The app's own file storage on a disk that fills part-way through every file."""

    def _save(self, name, content):
        return super()._save(name, _Filling(content))
