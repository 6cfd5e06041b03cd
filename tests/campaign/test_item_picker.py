"""The trees' choice of 测评项目 (the criteria page, the evidence by-standard tree): one item shown at a time, picked
from a <select> of every item (a line of text each), the previous and next, and a strip of a few links around it.
Neither page's queries nor its work for the item shown grow with the number of other items."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign import selectors
from campaign.models import Assessment, Criterion, CriterionRequirement, EvidenceCategory

pytestmark = pytest.mark.django_db

PAGES = ["campaign:criteria", "evidence:standards_tree"]
# what one more item may add to a page showing another: its <option> line (code, title, figures)
PER_ITEM_BYTES = 150  # (a tab of the strip this replaced: ~450)


def _add_items(campaign, first: int, count: int) -> None:
    """`count` items of 1 + 5 indicators + 25 standards (each scored, wanting a photo, half of them met)."""
    for i in range(first, first + count):
        root = Criterion.objects.create(
            campaign=campaign, code=f"{i}", title=f"项目{i}", ordering=i * 100, is_leaf=False
        )
        indicators = Criterion.objects.bulk_create(
            Criterion(
                campaign=campaign,
                code=f"{i}.{j}",
                title=f"指标{i}.{j}",
                parent=root,
                level=2,
                ordering=i * 100 + j * 10,
                is_leaf=False,
            )
            for j in range(1, 6)
        )
        standards = Criterion.objects.bulk_create(
            Criterion(
                campaign=campaign,
                code=f"{ind.code}.{k}",
                title=f"标准{ind.code}.{k}",
                parent=ind,
                level=3,
                ordering=ind.ordering + k,
                max_score=1,
                methods=["材料审核"],
            )
            for ind in indicators
            for k in range(1, 6)
        )
        CriterionRequirement.objects.bulk_create(
            CriterionRequirement(criterion=s, category=EvidenceCategory.PHOTO, min_count=1) for s in standards
        )
        Assessment.objects.bulk_create(
            Assessment(criterion=s, status=Assessment.Status.MET) for s in standards if s.code.endswith(("1", "3"))
        )


def _get(client, name: str, query: dict) -> tuple[int, str]:
    url = reverse(name)
    client.get(url, query)  # warm-up: session, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _part(pattern: str, html: str) -> str:
    found = re.search(pattern, html, re.S)
    assert found is not None, pattern
    return found.group(0)


def _tree(html: str) -> str:
    """The table of the item shown."""
    return _part(r'<table[^>]*data-testid="(?:criteria|standards)-tree".*?</table>', html)


def _strip(html: str) -> list[str]:
    return re.findall(r'data-item="([^"]+)"', _part(r'<nav[^>]*data-testid="item-tabs".*?</nav>', html))


@pytest.mark.parametrize("name", PAGES)
def test_a_page_costs_the_same_for_one_item_as_among_sixty(name, campaign, cast, login):
    client = login(cast.coordinator)
    _add_items(campaign, 1, 1)
    queries_one, html_one = _get(client, name, {"item": "1"})
    assert _strip(html_one) == ["1"] and 'data-testid="item-next"' not in html_one
    _add_items(campaign, 2, 59)
    queries_many, html_many = _get(client, name, {"item": "1"})
    assert queries_many == queries_one
    # the same rows for the item shown, a strip of at most 7 links, and one <option> line per other item
    assert _tree(html_many) == _tree(html_one)
    assert _strip(html_many) == [str(n) for n in range(1, 8)]
    assert len(re.findall(r"<option [^>]*data-item=", html_many)) == 60
    growth = len(html_many.encode()) - len(html_one.encode())
    assert 0 < growth <= 59 * PER_ITEM_BYTES, growth
    # another item: the strip centred on it, previous and next
    queries_mid, html_mid = _get(client, name, {"item": "30"})
    assert queries_mid == queries_one
    assert _strip(html_mid) == [str(n) for n in range(27, 34)]
    assert 'value="30" data-item="30" selected' in html_mid
    assert "?item=29" in html_mid and "?item=31" in html_mid
    _, html_last = _get(client, name, {"item": "60"})
    assert _strip(html_last) == [str(n) for n in range(54, 61)] and 'data-testid="item-next"' not in html_last


def test_the_picker_keeps_the_filters_and_lists_only_the_items_that_match(campaign, cast, login):
    client = login(cast.coordinator)
    _add_items(campaign, 1, 3)
    Criterion.objects.filter(campaign=campaign, code__startswith="2.").update(methods=["实地考察"])
    _, html = _get(client, "campaign:criteria", {"method": "实地考察"})
    picker = _part(r'<form[^>]*data-testid="item-picker".*?</form>', html)
    assert '<input type="hidden" name="method" value="实地考察">' in picker
    assert 'name="status"' not in picker  # no empty filter carried along
    assert re.findall(r'<option value="([^"]+)"', picker) == ["2"]
    assert "25 matching" in picker or "符合 25 条" in picker


def test_item_picker_escapes_and_windows():
    class Item:
        def __init__(self, code, title):
            self.code, self.title = code, title

    items = [Item(str(n), f"<b>项目{n}</b>") for n in range(1, 11)]
    picker = selectors.item_picker(items, items[1], figures=lambda i: f"{i.code}&")
    assert "<b>" not in picker.options and "&lt;b&gt;项目2&lt;/b&gt; · 2&amp;" in picker.options
    assert picker.options.count(" selected") == 1 and 'value="2" data-item="2" selected' in picker.options
    assert [i.code for i in picker.window] == [str(n) for n in range(1, 8)]
    assert (picker.previous, picker.next, picker.position, picker.count) == (items[0], items[2], 2, 10)
    picker = selectors.item_picker(items, items[9], figures=str)
    assert [i.code for i in picker.window] == [str(n) for n in range(4, 11)] and picker.next is None
    picker = selectors.item_picker([], None, figures=str)
    assert (picker.options, picker.window, picker.position, picker.count) == ("", [], 0, 0)
