"""The report PDF's own geometry, read back with pdfplumber (character boxes in PDF points, top-left origin)."""

from __future__ import annotations

from dataclasses import dataclass

import pdfplumber

MM = 72 / 25.4  # PDF points per millimetre

# GB/T 9704-2012: the text block 156 x 225 mm, 37 mm from the top, 28 mm from the left edge.
TOP, LEFT, WIDTH, HEIGHT = 37.0, 28.0, 156.0, 225.0
RIGHT, BOTTOM = LEFT + WIDTH, TOP + HEIGHT


@dataclass
class Line:
    top: float  # mm
    bottom: float
    x0: float
    x1: float
    size: float  # pt
    text: str
    fonts: set[str]

    @property
    def count(self) -> int:
        return len(self.text.replace(" ", ""))


@dataclass
class Page:
    number: int
    width: float  # mm
    height: float
    lines: list[Line]  # every line of characters, top to bottom

    def body_lines(self) -> list[Line]:
        """Lines inside the text block's band (the page number below it is left out)."""
        return [line for line in self.lines if line.top < BOTTOM]

    def footer_lines(self) -> list[Line]:
        return [line for line in self.lines if line.top >= BOTTOM]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def read_pages(path_or_file) -> list[Page]:
    pages = []
    with pdfplumber.open(path_or_file) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            rows: dict[float, list[dict]] = {}
            for char in page.chars:
                key = round(char["bottom"], 0)
                rows.setdefault(key, []).append(char)
            lines = []
            for key in sorted(rows):
                chars = sorted(rows[key], key=lambda c: c["x0"])
                visible = [c for c in chars if c["text"].strip()]
                if not visible:
                    continue
                lines.append(
                    Line(
                        top=min(c["top"] for c in visible) / MM,
                        bottom=max(c["bottom"] for c in visible) / MM,
                        x0=visible[0]["x0"] / MM,
                        x1=visible[-1]["x1"] / MM,
                        size=max(round(c["size"], 1) for c in visible),
                        text="".join(c["text"] for c in chars),
                        fonts={c["fontname"].split("+", 1)[-1] for c in visible},
                    )
                )
            pages.append(Page(number, float(page.width) / MM, float(page.height) / MM, lines))
    return pages
