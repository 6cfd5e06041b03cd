"""Small helpers shared by the apps."""

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
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
