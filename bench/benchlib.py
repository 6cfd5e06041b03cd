"""What every benchmark script shares: its figures in one machine-readable shape, read by bench/run.

A script run with --json prints its usual lines on standard error and, as the last line of standard output, a
JSON list of figures: {"figure", "value", "unit", "baseline", "ratio", "target", "met"}. A figure compared with a
baseline measured in the same run has its ratio (value / baseline) and a target on the ratio ("<= 2x"); one with
an absolute target (memory growth, a query count, a latency) has no baseline and a target in its own unit.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Figure = dict[str, Any]


def ratio_figure(name: str, value: float, baseline: float, *, most: float, unit: str = "s", digits: int = 3) -> Figure:
    """value compared with a baseline of the same run: met when value / baseline <= most."""
    ratio = value / baseline if baseline else float("inf")
    return {
        "figure": name,
        "value": round(value, digits),
        "unit": unit,
        "baseline": round(baseline, digits),
        "ratio": round(ratio, 2),
        "target": f"<= {most:g}x",
        "met": bool(ratio <= most),
    }


def limit_figure(name: str, value: float, *, most: float, unit: str, digits: int = 1) -> Figure:
    """An absolute target: met when value <= most."""
    return {
        "figure": name,
        "value": round(value, digits),
        "unit": unit,
        "baseline": None,
        "ratio": None,
        "target": f"<= {most:g} {unit}".strip(),
        "met": bool(value <= most),
    }


def equal_figure(name: str, value: float, baseline: float, *, most: float | None = None, unit: str = "") -> Figure:
    """value the same as its baseline (e.g. a query count at 10x and at 1x), and at most `most` if given."""
    met = value == baseline and (most is None or value <= most)
    return {
        "figure": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": round(value / baseline, 2) if baseline else None,
        "target": "= baseline" + (f", <= {most:g}" if most is not None else ""),
        "met": bool(met),
    }


def info_figure(name: str, value: float, *, unit: str, baseline: float | None = None, digits: int = 3) -> Figure:
    """A figure shown without a target (a throughput, a write's latency, a ratio no target is set for)."""
    return {
        "figure": name,
        "value": round(value, digits),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, digits),
        "ratio": round(value / baseline, 2) if baseline else None,
        "target": None,
        "met": None,
    }


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


@contextlib.contextmanager
def json_output(enabled: bool, figures: list[Figure]) -> Iterator[None]:
    """With --json: the script's own lines go to standard error, then the figures as one line of JSON on standard
    output (child processes' output is sent to standard error as well)."""
    if not enabled:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)  # child processes' output too
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 1)
        os.close(saved)
    print(json.dumps(figures, ensure_ascii=False), flush=True)


# --- Pages through Django's test client (bench/pages_bench.py, bench/list_pages_bench.py) ----------------------


def setup_django(scratch: str, *, force: bool = False) -> None:
    """Settings for a benchmark in the folder `scratch` (a SQLite database and MEDIA_ROOT there; with `force`
    even when the environment names others), django.setup(), and static files without the manifest."""
    put = os.environ.__setitem__ if force else os.environ.setdefault
    put("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    put("DEBUG", "off")
    put("MEDIA_ROOT", str(Path(scratch) / "media"))
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civunit.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("AXES_ENABLED", "off")
    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()


def time_page(
    client, url: str, query: dict | None = None, *, repeat: int, before: Callable[[], None] | None = None
) -> dict[str, float]:
    """One page's server time, rendering included: a warm-up request (templates, session, content types), then
    `repeat` requests (`before` called ahead of each, e.g. to empty the cache). The median and fastest in ms, and
    the last request's query count. A page that does not answer 200 stops the benchmark."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, query or {}, secure=True)
    times = []
    queries = 0
    for _ in range(repeat):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url, query or {}, secure=True)
            times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return {"ms": statistics.median(times) * 1000, "min_ms": min(times) * 1000, "queries": queries}
