"""A storage whose disk is full: every save fails as a real one does (OSError ENOSPC), having written nothing."""

import errno

from django.core.files.storage import FileSystemStorage


class FullStorage(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device", name)
