"""bench/run, the one benchmark command: a quick run of a cheap benchmark prints the table and writes its figures.

The figures of a quick run say nothing about speed (tiny sizes, a loaded machine): only the shape is checked.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))
from bench import benchlib, runner  # noqa: E402

KEYS = {"figure", "value", "unit", "baseline", "ratio", "target", "met"}


def test_figure_shapes():
    ratio = benchlib.ratio_figure("upload", 3.0, 2.0, most=2)
    assert ratio.keys() == KEYS and ratio["ratio"] == 1.5 and ratio["met"] is True and ratio["target"] == "<= 2x"
    limit = benchlib.limit_figure("memory growth", 120, most=100, unit="MB")
    assert limit["met"] is False and limit["baseline"] is None and limit["target"] == "<= 100 MB"
    assert benchlib.equal_figure("queries", 22, 23, most=25)["met"] is False
    assert benchlib.info_figure("requests/s", 41.5, unit="req/s")["met"] is None


def test_table_has_one_row_per_figure():
    rows = [benchlib.ratio_figure("a", 1.0, 2.0, most=1.5), benchlib.limit_figure("b", 5, most=1, unit="ms")]
    lines = runner.table(rows).splitlines()
    assert lines[0] == "| figure | value | baseline | ratio | target | met |"
    assert len(lines) == 2 + len(rows)
    assert lines[2].startswith("| a | 1 s | 2 s | 0.50x | <= 1.5x | yes |")
    assert lines[3].endswith("| **no** |")


def test_every_bench_script_is_run():
    scripts = {p.name for p in (ROOT / "bench").glob("*_bench.py")}
    assert scripts == {script for script, _full, _quick in runner.BENCHES.values()}


@pytest.mark.slow
def test_quick_run_prints_the_table(tmp_path):
    out = tmp_path / "figures.json"
    result = subprocess.run(  # noqa: S603 (our own script)
        [str(ROOT / "bench" / "run"), "--quick", "--only", "import", "--quiet", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| figure | value | baseline | ratio | target | met |" in result.stdout
    data = json.loads(out.read_text())
    assert data["quick"] is True and "cores" in data["header"]
    figures = data["figures"]
    assert len(figures) == 4
    for figure in figures:
        assert figure.keys() >= KEYS and figure["bench"] == "import"
        assert figure["baseline"] > 0 and figure["ratio"] > 0 and isinstance(figure["met"], bool)
    for figure in figures:
        assert f"| {figure['figure']} |" in result.stdout
