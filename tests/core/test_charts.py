"""The server-side SVG charts: well-formed, accessible, escaped, CSP-safe and proportional."""

import xml.etree.ElementTree as ET

import pytest
from defusedxml.ElementTree import fromstring

from civunit import charts
from civunit.charts import Segment

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return fromstring(svg)


def all_charts():
    return [
        charts.progress(3, 4, title="达标"),
        charts.bar_chart([("研究室", 5), ("提案委", 2)], title="完成任务"),
        charts.stacked_bar_chart(
            [("一、理想信念", [Segment("达标", 2, charts.GOOD), Segment("未达标", 1, charts.BAD)])], title="覆盖"
        ),
        charts.line_chart(
            ["1周", "2周", "3周"], [("完成", [0, 2, 5], charts.GOOD)], title="进度", markers=[(1, "启动")]
        ),
        charts.donut(
            [Segment("已采纳", 3, charts.GOOD), Segment("待审核", 1, charts.WARN)], title="资料", centre="75%"
        ),
    ]


@pytest.mark.parametrize("svg", all_charts())
def test_every_chart_is_well_formed_accessible_and_has_no_style_or_script(svg):
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.findtext(f"{SVG}title")
    assert root.findtext(f"{SVG}desc")
    assert "style=" not in svg and "<script" not in svg.lower() and " on" not in svg.replace(" one", "")


def test_labels_are_escaped():
    svg = charts.bar_chart([("<script>alert(1)</script>", 1)], title='"><b>')
    assert "<script>" not in svg
    parse(svg)  # still well formed


def test_progress_bar_width_is_proportional_and_clamped():
    root = parse(charts.progress(1, 4, title="t", width=300))
    rects = root.findall(f"{SVG}rect")
    assert float(rects[1].attrib["width"]) == pytest.approx(250 * 0.25)
    over = parse(charts.progress(9, 4, title="t", width=300)).findall(f"{SVG}rect")
    assert float(over[1].attrib["width"]) == pytest.approx(250)
    empty = parse(charts.progress(0, 0, title="t")).findall(f"{SVG}rect")
    assert float(empty[1].attrib["width"]) == 0


def test_stacked_segments_share_the_row_in_proportion():
    svg = charts.stacked_bar_chart(
        [("a", [Segment("x", 3, "#000"), Segment("y", 1, "#111")])], title="t", width=520, legend=False
    )
    seg = [r for r in parse(svg).findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = [float(r.attrib["width"]) for r in seg]
    assert widths[0] == pytest.approx(3 * widths[1])
    assert sum(widths) == pytest.approx(520 - 150 - 60)


def test_desc_carries_the_numbers_in_words():
    svg = charts.line_chart(["W1", "W2"], [("完成", [1, 7], "#000")], title="t")
    assert "W2 7" in parse(svg).findtext(f"{SVG}desc", "")


def test_nice_ceiling():
    assert charts._nice_ceiling(0) == 4
    assert charts._nice_ceiling(5) == 8
    assert charts._nice_ceiling(11) == 12
    assert charts._nice_ceiling(230) == 240
    assert charts._nice_ceiling(1000) == 1000


def test_a_narrow_bar_chart_gives_its_bars_the_room_and_clips_labels_to_fit():
    rows = [("人口资源环境委员会办公室", [Segment("x", 2, "#000")])]
    narrow = parse(charts.stacked_bar_chart(rows, title="t", width=340, label_width=108, legend=False))
    label = narrow.findall(f"{SVG}text")[0].text
    assert label == "人口资源环境委…"  # (108 - 6) // 12 = 8 characters, the last an ellipsis: no text left of x=0
    bar = next(r for r in narrow.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None)
    assert float(bar.attrib["x"]) == 108
    assert float(bar.attrib["width"]) == pytest.approx(340 - 108 - 60)
    wide = parse(charts.stacked_bar_chart(rows, title="t", legend=False))
    assert wide.findall(f"{SVG}text")[0].text == "人口资源环境委员会办公室"  # 12 characters fit 150 units


def test_a_line_chart_writes_at_most_max_labels_x_labels():
    labels = [f"W{i}" for i in range(20)]
    svg = parse(charts.line_chart(labels, [("s", list(range(20)), "#000")], title="t", max_labels=5))
    written = [t.text for t in svg.findall(f"{SVG}text") if t.text and t.text.startswith("W")]
    assert written == ["W0", "W4", "W8", "W12", "W16"]
