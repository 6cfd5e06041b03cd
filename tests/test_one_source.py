"""House rules that keep one source per figure: states are compared with the models' choices, never with string
literals, and the current campaign is found one way (Campaign.objects.current() / filter_current())."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("campaign", "tasks", "evidence", "civunit")


def _files(pattern: str):
    for app in APPS:
        for path in sorted((ROOT / app).rglob(pattern)):
            if "migrations" not in path.parts:
                yield path


def _hits(regex: re.Pattern, pattern: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}"
        for path in _files(pattern)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if regex.search(line)
    ]


# `task.status == "done"`, `"done" != o.status`, `stored.preview_status == 'failed'`, `node.kind != "scored"` …
TEMPLATE_LITERAL = re.compile(
    r"\.(status|kind|recurrence|source|preview_status|category)\s*(==|!=)\s*[\"']"
    r"|[\"']\s*(==|!=)\s*[\w.]+\.(status|kind|recurrence|source|preview_status|category)\b"
)
# `status="done"`, `status__in=["pending", …]`, `recurrence == "ongoing"`, `source != "web"` …
PYTHON_LITERAL = re.compile(r"\b(status|recurrence|preview_status|source)(__in)?\s*(==|!=|=|in)\s*[\[(]?\s*[\"'][a-z_]")


def test_templates_compare_states_with_the_choices():
    assert _hits(TEMPLATE_LITERAL, "*.html") == []


def test_code_compares_states_with_the_choices():
    assert _hits(PYTHON_LITERAL, "*.py") == []


@pytest.mark.parametrize(
    "line",
    [
        '{% if task.status == "done" %}',
        "{% if stored.preview_status != 'failed' %}",
        '{% if "returned" == item.status %}',
        '    rows.filter(status="done")',
        '    When(recurrence="ongoing", then=...)',
        '    Q(status__in=["pending", "accepted"])',
    ],
)
def test_the_checks_catch_a_literal(line):
    assert TEMPLATE_LITERAL.search(line) or PYTHON_LITERAL.search(line)


def test_the_current_campaign_is_found_one_way():
    regex = re.compile(r"Campaign\.objects\.filter\(\s*is_current|campaign__is_current")
    assert _hits(regex, "*.py") == []
