"""Small helpers shared by the apps."""

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a bulk job that allocates many short-lived objects
    (reading a workbook, writing thousands of rows): its passes otherwise cost about a tenth of the job.
    Reference counting still frees memory meanwhile, and the collector resumes afterwards. Usable as a
    decorator."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Leave the objects alive now out of the cyclic collector's passes until the block ends (`gc.freeze()`):
    for a long computation inside a process that already holds many (Django, the content being drawn), whose
    every full pass would walk them again. Garbage made inside the block is still collected as usual. Does
    nothing when something else froze the heap already (a pre-forking server), so its objects stay frozen."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def write_atomically(path: str | PathLike[str], data: bytes, *, prefix: str = ".tmp-") -> None:
    """Write `data` to `path` so that no reader ever sees half a file: into a temporary file beside it,
    flushed and fsynced, then renamed over it. The temporary file is removed if anything fails."""
    import os
    import tempfile
    from pathlib import Path

    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# Characters XML 1.0 cannot hold: C0 controls but tab, LF and CR (NUL included), lone surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters an XML document (an .xlsx or .docx part) cannot hold. User text may carry
    them (pasted from elsewhere); openpyxl refuses such a cell and a .docx holding one does not open."""
    return _NOT_XML.sub("", text)
