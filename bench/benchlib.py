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
import sys
from collections.abc import Iterator
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
