"""Charts drawn on the server as inline SVG: bars, stacked bars, progress, line and donut.

Each chart is a string of SVG markup (escaped with format_html) that carries `role="img"`, a `<title>` and a
`<desc>` with the numbers in words, so it reads without JavaScript, on phones, in print and in WeasyPrint's PDF.
Colours and sizes are presentation attributes, never `style=`: a strict Content-Security-Policy (no
'unsafe-inline' styles) blocks style attributes but not presentation attributes. Callers put the same numbers in
a table beside the chart; the chart is the picture of that table, not its only copy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# A palette that stays distinct in greyscale print: the campaign red, then blue, green, amber, grey.
PALETTE = ("#b3261e", "#1f5fa8", "#2e7d32", "#c77700", "#6b7280", "#7b1fa2")
GOOD, WARN, BAD, MUTED = "#2e7d32", "#c77700", "#b3261e", "#d1d5db"
FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'


@dataclass(frozen=True)
class Segment:
    """One coloured part of a stacked bar or a donut."""

    label: str
    value: float
    colour: str


def _num(value: float) -> str:
    """A number as SVG wants it: short, no exponent."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def _open(width: int, height: int, title: str, desc: str, css_class: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart {}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" role="img" aria-label="{}" font-family=\'{}\' font-size="12">'
        "<title>{}</title><desc>{}</desc>",
        css_class,
        width,
        height,
        title,
        mark_safe(FONT),  # noqa: S308 - a constant of this module
        title,
        desc,
    )


def progress(value: float, total: float, *, title: str, colour: str = GOOD, width: int = 300) -> SafeString:
    """A single horizontal progress bar with its percentage."""
    share = value / total if total else 0.0
    share = min(max(share, 0.0), 1.0)
    percent = round(share * 100)
    inner = width - 50
    desc = f"{_num(value)} / {_num(total)} ({percent}%)"
    return format_html(
        '{}<rect x="0" y="4" width="{}" height="12" rx="6" fill="{}"/>'
        '<rect x="0" y="4" width="{}" height="12" rx="6" fill="{}"/>'
        '<text x="{}" y="15" text-anchor="end">{}%</text></svg>',
        _open(width, 20, title, desc, "chart-progress"),
        inner,
        MUTED,
        _num(inner * share),
        colour,
        width,
        percent,
    )


def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    maximum: float | None = None,
    colour: str = PALETTE[1],
    unit: str = "",
    width: int = 520,
) -> SafeString:
    """Horizontal bars, one per (label, value) row, longest labels allowed about 10 Chinese characters."""
    return stacked_bar_chart(
        [(label, [Segment(label, value, colour)]) for label, value in rows],
        title=title,
        maximum=maximum,
        unit=unit,
        width=width,
        legend=False,
    )


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[Segment]]],
    *,
    title: str,
    maximum: float | None = None,
    unit: str = "",
    width: int = 520,
    legend: bool = True,
    label_width: int = 150,
) -> SafeString:
    """Horizontal stacked bars: each row is a label and its segments (same order and colours in every row).

    `label_width` is the room for the labels (clipped to fit, at about 12 units a Chinese character): a narrow
    chart for phones gives the bars more of its width."""
    bar_h, gap, label_w, value_w = 16, 8, label_width, 60
    top = 22 if legend and rows else 0
    height = top + len(rows) * (bar_h + gap) + 4
    totals = [sum(s.value for s in segments) for _, segments in rows]
    scale_max = maximum if maximum else max(totals, default=0) or 1
    inner = width - label_w - value_w
    parts: list[SafeString] = []
    if legend and rows:
        x: float = 0  # the legend's offsets are whole; the bars' below are not
        for seg in rows[0][1]:
            parts.append(
                format_html(
                    '<rect x="{}" y="2" width="10" height="10" fill="{}"/><text x="{}" y="11">{}</text>',
                    x,
                    seg.colour,
                    x + 14,
                    seg.label,
                )
            )
            x += 24 + 12 * len(seg.label)
    descs = []
    for i, ((label, segments), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + i * (bar_h + gap)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                label_w - 6,
                y + 12,
                _clip(label, max(4, (label_w - 6) // 12)),
                label_w,
                y,
                inner,
                bar_h,
                "#f1f3f5",
            )
        )
        x = float(label_w)
        for seg in segments:
            w = inner * min(seg.value / scale_max, 1.0) if scale_max else 0
            if w > 0:
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}{}</title></rect>',
                        _num(x),
                        y,
                        _num(w),
                        bar_h,
                        seg.colour,
                        seg.label,
                        _num(seg.value),
                        unit,
                    )
                )
            x += w
        parts.append(format_html('<text x="{}" y="{}">{}{}</text>', label_w + inner + 6, y + 12, _num(total), unit))
        descs.append(f"{label} " + "、".join(f"{s.label} {_num(s.value)}{unit}" for s in segments))
    return format_html(
        "{}{}</svg>",
        _open(width, height, title, "；".join(descs), "chart-bars"),
        format_html_join("", "{}", ((p,) for p in parts)),
    )


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    title: str,
    markers: Sequence[tuple[int, str]] = (),
    width: int = 640,
    height: int = 220,
    max_labels: int = 8,
) -> SafeString:
    """Lines over shared x labels: series are (name, values, colour); markers are (x index, label) drawn as
    dashed vertical lines (the plan's stages). At most `max_labels` x labels are written (fewer on a narrow
    chart)."""
    left, right, top, bottom = 36, 10, 22, 28
    n = len(labels)
    peak = max((v for _, values, _ in series for v in values), default=0)
    ymax = _nice_ceiling(peak)
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h - plot_h * (v / ymax)

    parts: list[SafeString] = []
    for k in range(5):
        v = ymax * k / 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#e5e7eb"/>'
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                width - right,
                _num(py(v)),
                _num(py(v)),
                left - 4,
                _num(py(v) + 4),
                _num(v),
            )
        )
    step = max(1, math.ceil(n / max(max_labels, 1)))
    for i in range(0, n, step):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle">{}</text>', _num(px(i)), height - bottom + 16, labels[i]
            )
        )
    for i, label in markers:
        if 0 <= i < n:
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#6b7280" stroke-dasharray="4 3"/>'
                    '<text x="{}" y="{}" font-size="10" fill="#6b7280">{}</text>',
                    _num(px(i)),
                    _num(px(i)),
                    top,
                    top + plot_h,
                    _num(px(i) + 3),
                    top + 10,
                    _clip(label, 8),
                )
            )
    x = left
    for name, values, colour in series:
        points = " ".join(f"{_num(px(i))},{_num(py(v))}" for i, v in enumerate(values))
        parts.append(format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>', points, colour))
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="10" height="10" fill="{}"/><text x="{}" y="13">{}</text>',
                x,
                colour,
                x + 14,
                name,
            )
        )
        x += 30 + 12 * len(name)
    desc = "；".join(
        f"{name}: " + "、".join(f"{labels[i]} {_num(v)}" for i, v in enumerate(values)) for name, values, _ in series
    )
    return format_html(
        "{}{}</svg>",
        _open(width, height, title, desc, "chart-line"),
        format_html_join("", "{}", ((p,) for p in parts)),
    )


def donut(segments: Sequence[Segment], *, title: str, centre: str = "", size: int = 160) -> SafeString:
    """A ring of segments with a short text (e.g. a percentage) in the middle."""
    total = sum(s.value for s in segments)
    r, stroke = size / 2 - 12, 18
    c = size / 2
    circumference = 2 * math.pi * r
    parts: list[SafeString] = [
        format_html(
            '<circle cx="{}" cy="{}" r="{}" fill="none" stroke="{}" stroke-width="{}"/>',
            _num(c),
            _num(c),
            _num(r),
            MUTED,
            stroke,
        )
    ]
    offset = 0.0
    for seg in segments:
        if total <= 0 or seg.value <= 0:
            continue
        length = circumference * seg.value / total
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="{}" fill="none" stroke="{}" stroke-width="{}" '
                'stroke-dasharray="{} {}" stroke-dashoffset="{}" transform="rotate(-90 {} {})">'
                "<title>{}: {}</title></circle>",
                _num(c),
                _num(c),
                _num(r),
                seg.colour,
                stroke,
                _num(length),
                _num(circumference - length),
                _num(-offset),
                _num(c),
                _num(c),
                seg.label,
                _num(seg.value),
            )
        )
        offset += length
    if centre:
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="22" font-weight="bold">{}</text>',
                _num(c),
                _num(c + 8),
                centre,
            )
        )
    desc = "、".join(f"{s.label} {_num(s.value)}" for s in segments)
    return format_html(
        "{}{}</svg>",
        _open(size, size, title, desc, "chart-donut"),
        format_html_join("", "{}", ((p,) for p in parts)),
    )


def _nice_ceiling(value: float) -> float:
    """The top of the y axis: four whole gridline steps of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k, the
    smallest that reaches value (at least 4)."""
    if value <= 4:
        return 4
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        tick = step * magnitude
        if tick >= raw and tick == int(tick):
            return 4 * tick
    return 40 * magnitude  # pragma: no cover - the loop always returns


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
