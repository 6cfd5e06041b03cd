"""Reads shared by the pages, exports and (later) the dashboard and report: the criteria tree with its
roll-ups, the plan, the veto list.

`criteria_tree()` is the one builder of the criteria tree: the campaign's pages, the criteria export and the
evidence pages (which add their counts on top, evidence.browsing.standards_tree) all start from it. It is loaded
in one query (nodes joined to their self-assessment and explanation report) and assembled in memory; roll-ups
are summed over it bottom-up, so the query count does not grow with the tree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Protocol

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from .models import Assessment, Campaign, Criterion, VetoCondition
from .text import count_chars

ZERO = Decimal(0)


@dataclass
class Node:
    criterion: Criterion
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    kind: str = Criterion.Kind.SCORED  # effective kind: a bonus or deduction node's subtree counts as such
    # roll-ups
    max_total: Decimal | None = None  # the scored maximum (own max, else the children's sum); None: 未赋分
    score_total: Decimal | None = None  # self scores of scored standards below (None: nothing scored yet)
    bonus_total: Decimal | None = None
    deduction_total: Decimal | None = None
    standards: int = 0
    met: int = 0
    basically_met: int = 0
    in_progress: int = 0
    visible: bool = True  # after filters

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def is_standard(self) -> bool:
        return not self.children

    @property
    def is_indicator(self) -> bool:
        return any(not c.children for c in self.children)

    @property
    def depth(self) -> int:
        return self.criterion.level

    @property
    def is_scored(self) -> bool:
        return self.kind == Criterion.Kind.SCORED

    @property
    def is_bonus(self) -> bool:
        return self.kind == Criterion.Kind.BONUS

    @property
    def is_deduction(self) -> bool:
        return self.kind == Criterion.Kind.DEDUCTION

    def subtree(self) -> list[Node]:
        """This node and every node below it, depth-first in the table's order."""
        nodes, stack = [], [self]
        while stack:
            node = stack.pop()
            nodes.append(node)
            stack.extend(reversed(node.children))
        return nodes

    @property
    def assessment(self) -> Assessment | None:
        return getattr(self.criterion, "assessment", None) if _has(self.criterion, "assessment") else None

    @property
    def status(self) -> str:
        a = self.assessment
        return a.status if a else Assessment.Status.NOT_STARTED

    @property
    def explanation(self):
        return getattr(self.criterion, "explanation", None) if _has(self.criterion, "explanation") else None

    @property
    def explanation_count(self) -> int:
        e = self.explanation
        return count_chars(e.text) if e else 0

    @property
    def met_share(self) -> int | None:
        """Percent of standards met (达标), rounded down."""
        return (self.met * 100 // self.standards) if self.standards else None


def _has(obj, name: str) -> bool:
    try:
        getattr(obj, name)
    except Exception:  # RelatedObjectDoesNotExist: no row joined
        return False
    return True


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


@dataclass
class Tree:
    campaign: Campaign
    roots: list[Node]
    nodes: list[Node]  # depth-first order
    by_code: dict[str, Node]
    total: Node  # the campaign's roll-up (a node without a criterion)

    def standards(self) -> list[Node]:
        return [n for n in self.nodes if n.is_standard]

    def indicators(self) -> list[Node]:
        return [n for n in self.nodes if n.is_indicator]

    def visible_nodes(self) -> list[Node]:
        return [n for n in self.nodes if n.visible]


def criteria_tree(campaign: Campaign, *, with_requirements: bool = False, item_id: int | None = None) -> Tree:
    """The campaign's criteria as a tree with roll-ups: 1 query (2 with the evidence requirements).

    With `item_id`, only that 测评项目 and the nodes below it (found by `item_sql`'s recursive query inside the
    same query): the pages that show one item at a time load no other row. Its `total` is then the item's roll-up;
    the campaign's figures come from `item_rollups`."""
    qs = (
        Criterion.objects.filter(campaign=campaign)
        .select_related("assessment", "explanation")
        .order_by("ordering", "pk")
    )
    if item_id is not None:
        sql, params = item_sql(campaign, root_id=item_id)
        qs = qs.filter(pk__in=RawSQL(f"{sql} SELECT id FROM item_of", params))  # noqa: S611,S608 (values as parameters)
    if with_requirements:
        qs = qs.prefetch_related("requirements")
    criteria = list(qs)
    nodes_by_id: dict[int | None, Node] = {c.pk: Node(criterion=c) for c in criteria}
    roots: list[Node] = []
    for c in criteria:
        node = nodes_by_id[c.pk]
        parent = nodes_by_id.get(c.parent_id)
        if parent is None:
            roots.append(node)
        else:
            node.parent = parent
            parent.children.append(node)
    ordered: list[Node] = []

    def walk(node: Node, inherited: str) -> None:
        c = node.criterion
        node.kind = c.kind if c.kind != Criterion.Kind.SCORED else inherited
        ordered.append(node)
        for child in node.children:
            walk(child, node.kind)
        _roll_up(node)

    for root in roots:
        walk(root, Criterion.Kind.SCORED)
    total = Node(criterion=Criterion(campaign=campaign, code="", title=campaign.title), children=roots)
    _roll_up(total, own_max=False)
    return Tree(
        campaign=campaign,
        roots=roots,
        nodes=ordered,
        by_code={n.code: n for n in ordered},
        total=total,
    )


def item_sql(campaign: Campaign, *, root_id: int | None = None) -> tuple[str, list]:
    """`WITH RECURSIVE item_of(id, root_id, kind, covered, max_score)`: every criterion of `campaign` (or of the
    one 测评项目 `root_id`) with its item, its effective kind (a bonus or deduction node's subtree counts as such,
    as in `criteria_tree`) and whether a node above it has its own maximum (which then stands for the subtree's).

    For the queries that roll the table up in the database: `item_rollups` here, the evidence by-standard tree's
    counts (evidence.browsing.standards). Parameters: the campaign, the item, the scored kind."""
    table = connection.ops.quote_name(Criterion._meta.db_table)
    start = "parent_id IS NULL" + (" AND id = %s" if root_id is not None else "")
    # the casts: PostgreSQL wants a recursive query's columns of one type in both of its terms.
    # Only table names from the models go into the text; every value is a parameter.
    sql = (
        f"WITH RECURSIVE item_of(id, root_id, kind, covered, max_score) AS ("  # noqa: S608
        f"SELECT id, id, CAST(kind AS VARCHAR(20)), 0, max_score FROM {table} WHERE campaign_id = %s AND {start} "
        f"UNION ALL SELECT k.id, p.root_id, CAST(CASE WHEN k.kind = %s THEN p.kind ELSE k.kind END AS VARCHAR(20)), "
        f"CASE WHEN p.covered = 1 OR p.max_score IS NOT NULL THEN 1 ELSE 0 END, k.max_score "
        f"FROM {table} k JOIN item_of p ON k.parent_id = p.id)"
    )
    params: list = [campaign.pk, *([root_id] if root_id is not None else []), Criterion.Kind.SCORED.value]
    return sql, params


@dataclass
class Figures:
    """A roll-up of standards and scores, as `Node` has them: an item's or the campaign's."""

    standards: int = 0
    met: int = 0
    basically_met: int = 0
    in_progress: int = 0
    score_total: Decimal | None = None
    max_total: Decimal | None = None
    bonus_total: Decimal | None = None
    deduction_total: Decimal | None = None

    @property
    def met_share(self) -> int | None:
        """Percent of standards met (达标), rounded down."""
        return (self.met * 100 // self.standards) if self.standards else None

    def add(self, other: Figures) -> None:
        self.standards += other.standards
        self.met += other.met
        self.basically_met += other.basically_met
        self.in_progress += other.in_progress
        self.score_total = _add(self.score_total, other.score_total)
        self.max_total = _add(self.max_total, other.max_total)
        self.bonus_total = _add(self.bonus_total, other.bonus_total)
        self.deduction_total = _add(self.deduction_total, other.deduction_total)


@dataclass
class ItemRollup:
    """A 测评项目 with its roll-up and how many of its standards match the filters (all without filters)."""

    pk: int
    code: str
    title: str
    figures: Figures = field(default_factory=Figures)
    matching: int = 0


@dataclass
class Rollups:
    items: list[ItemRollup]
    total: Figures  # the campaign's
    methods: list[str]  # the methods its standards use, in the known methods' order

    def item(self, code: str) -> ItemRollup | None:
        return next((i for i in self.items if i.code == code), None)


def _decimal(value) -> Decimal | None:
    # SQLite sums decimals as floats: back to the two places the fields keep
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def item_rollups(campaign: Campaign, *, method: str = "", status: str = "") -> Rollups:
    """Every 测评项目 of `campaign` with its roll-up (as `criteria_tree` rolls it up), the campaign's total, the
    methods in use and each item's standards matching `method` and `status`: one query, summed in the database, so
    no criterion is loaded whatever the size of the table. Its rows: one per item (the figures, and the standards
    matching `status`), then one per list of methods the standards use (with `method`: per item and list, the
    standards matching both), a handful of them: the Python side costs a line per item.

    The campaign's figures of the pages that show one item at a time (the criteria page, `campaign_totals`);
    tests/campaign/test_rollups.py holds them equal to `criteria_tree`'s on tables with every kind of node."""
    cte, params = item_sql(campaign)
    table = connection.ops.quote_name(Criterion._meta.db_table)
    assessments = connection.ops.quote_name(Assessment._meta.db_table)
    S, K = Assessment.Status, Criterion.Kind
    match = " AND t.status = %s" if status else ""
    ns = S.NOT_STARTED.value
    # the criteria with their item, effective kind and whether each is a standard, joined to their self-assessment
    # (table names from the models in the text; every value a parameter)
    rows_sql = (
        "(SELECT item_of.*, CASE WHEN EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {table} k WHERE k.parent_id = item_of.id) THEN 0 ELSE 1 END AS leaf FROM item_of) t "
        f"JOIN {table} c ON c.id = t.id LEFT JOIN {assessments} a ON a.criterion_id = c.id"
    )
    by_method = "t.root_id, " if method else ""
    sql = (
        f"{cte}, rows_of AS (SELECT t.root_id, t.kind, t.covered, t.max_score, t.leaf, c.methods, "  # noqa: S608
        f"COALESCE(a.status, %s) AS status, a.self_score FROM {rows_sql}) "
        f"SELECT 0, r.id, r.code, r.title, r.ordering, NULL, SUM(t.leaf), "
        "SUM(CASE WHEN t.leaf = 1 AND t.status = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.leaf = 1 AND t.status = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.leaf = 1 AND t.status = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.leaf = 1 AND t.kind = %s THEN t.self_score END), "
        "SUM(CASE WHEN t.kind = %s AND t.covered = 0 THEN t.max_score END), "
        "SUM(CASE WHEN t.leaf = 1 AND t.kind = %s THEN t.self_score END), "
        "SUM(CASE WHEN t.leaf = 1 AND t.kind = %s THEN t.self_score END), "
        f"SUM(CASE WHEN t.leaf = 1{match} THEN 1 ELSE 0 END) "
        f"FROM rows_of t JOIN {table} r ON r.id = t.root_id GROUP BY r.id, r.code, r.title, r.ordering "
        f"UNION ALL SELECT 1, {'t.root_id' if method else 'NULL'}, NULL, NULL, NULL, t.methods, SUM(t.leaf), "
        "NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        f"SUM(CASE WHEN t.leaf = 1{match} THEN 1 ELSE 0 END) "
        f"FROM rows_of t WHERE t.leaf = 1 GROUP BY {by_method}t.methods"
    )
    params += [ns, S.MET.value, S.BASICALLY_MET.value, S.IN_PROGRESS.value]
    params += [K.SCORED.value, K.SCORED.value, K.BONUS.value, K.DEDUCTION.value]
    params += [status, status] if status else []  # both parts
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    items: dict[int, ItemRollup] = {}
    order: dict[int, tuple] = {}
    used: set[str] = set()
    lists: dict[str, list] = {}  # the few distinct lists of methods, read once each
    for part, pk, code, title, ordering, methods, standards, met, basic, progress, *sums, matching in rows:
        if part == 0:
            score, max_, bonus, deduction = sums
            items[pk] = ItemRollup(
                pk=pk,
                code=code,
                title=title,
                figures=Figures(
                    standards=int(standards or 0),
                    met=int(met or 0),
                    basically_met=int(basic or 0),
                    in_progress=int(progress or 0),
                    score_total=_decimal(score),
                    max_total=_decimal(max_),
                    bonus_total=_decimal(bonus),
                    deduction_total=_decimal(deduction),
                ),
                matching=0 if method else int(matching or 0),
            )
            order[pk] = (ordering, pk)
            continue
        key = methods if isinstance(methods, str) else json.dumps(methods)
        names = lists.get(key)
        if names is None:
            read = json.loads(methods) if isinstance(methods, str) else methods  # SQLite's JSON is text
            names = lists[key] = [m for m in read if isinstance(m, str)] if isinstance(read, list) else []
        if standards:
            used.update(names)
        if method and method in names:
            items[pk].matching += int(matching or 0)
    ordered = sorted(items.values(), key=lambda i: order[i.pk])
    total = Figures()
    for item in ordered:
        total.add(item.figures)
    return Rollups(items=ordered, total=total, methods=_in_known_order(used))


def _in_known_order(used: set[str]) -> list[str]:
    from .importing.rows import KNOWN_METHODS

    return [m for m in KNOWN_METHODS if m in used] + sorted(used - set(KNOWN_METHODS))


def _roll_up(node: Node, *, own_max: bool = True) -> None:
    c = node.criterion
    if not node.children:
        node.standards = 1
        status = node.status
        node.met = int(status == Assessment.Status.MET)
        node.basically_met = int(status == Assessment.Status.BASICALLY_MET)
        node.in_progress = int(status == Assessment.Status.IN_PROGRESS)
        a = node.assessment
        score = a.self_score if a else None
        if node.kind == Criterion.Kind.SCORED:
            node.max_total, node.score_total = c.max_score, score
        elif node.kind == Criterion.Kind.BONUS:
            node.bonus_total = score
        else:
            node.deduction_total = score
        return
    child_max: Decimal | None = None
    for child in node.children:
        node.standards += child.standards
        node.met += child.met
        node.basically_met += child.basically_met
        node.in_progress += child.in_progress
        node.score_total = _add(node.score_total, child.score_total)
        node.bonus_total = _add(node.bonus_total, child.bonus_total)
        node.deduction_total = _add(node.deduction_total, child.deduction_total)
        child_max = _add(child_max, child.max_total)
    if own_max and node.kind == Criterion.Kind.SCORED and c.max_score is not None:
        node.max_total = c.max_score
    else:
        node.max_total = child_max


def filter_tree(tree: Tree, *, method: str = "", status: str = "") -> Tree:
    """Mark visible the standards that match (and their ancestors); roll-ups stay those of the whole tree."""
    if not method and not status:
        return tree
    for node in tree.nodes:
        node.visible = False
    for node in tree.standards():
        if method and method not in node.criterion.methods:
            continue
        if status and node.status != status:
            continue
        n: Node | None = node
        while n is not None and not n.visible:
            n.visible = True
            n = n.parent
    return tree


def campaign_totals(campaign: Campaign) -> dict:
    """The campaign's standards by status and its self scores (one query, `item_rollups`): each standard counts
    by its effective kind (a standard under a bonus item adds to the bonus, not to the score) as in the tree."""
    total = item_rollups(campaign).total
    return {
        "standards": total.standards,
        "met": total.met,
        "basically_met": total.basically_met,
        "in_progress": total.in_progress,
        "score": total.score_total,
        "max_score": total.max_total,
        "bonus": total.bonus_total,
        "deduction": total.deduction_total,
    }


def methods_in_use(tree: Tree) -> list[str]:
    from .importing.rows import KNOWN_METHODS

    seen = list(KNOWN_METHODS)
    for node in tree.standards():
        for m in node.criterion.methods:
            if m not in seen:
                seen.append(m)
    used = {m for node in tree.standards() for m in node.criterion.methods}
    return [m for m in seen if m in used]


def veto_list(campaign: Campaign) -> list[VetoCondition]:
    """The veto conditions in the table's order (group rows before their conditions)."""
    return list(VetoCondition.objects.filter(campaign=campaign).select_related("updated_by").order_by("ordering", "pk"))


def veto_counts(campaign: Campaign) -> dict[str, int]:
    """Conditions (not group rows) by status, in one query: {"clear": 7, "at_risk": 0, "triggered": 0}."""
    rows = (
        VetoCondition.objects.filter(campaign=campaign, children__isnull=True).values("status").annotate(n=Count("pk"))
    )
    counts = {s.value: 0 for s in VetoCondition.Status}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


CHOICE_LIMIT = 20


@dataclass(frozen=True)
class StandardChoice:
    pk: int
    code: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"[:120]


def standard_choices(campaign: Campaign, *, text: str = "", limit: int = CHOICE_LIMIT) -> list[StandardChoice]:
    """At most `limit` standards (leaves) of `campaign` matching `text`: every word starts the code or is in
    the title; the exact code first, then those starting with it, then in tree order.
    One query, whatever the size of the table."""

    rows = Criterion.objects.filter(campaign=campaign, is_leaf=True)
    words = text.split()[:5]
    order: list = []
    if words:
        first = words[0]
        for word in words:
            rows = rows.filter(Q(code__istartswith=word) | Q(title__icontains=word))
        order.append(
            Case(
                When(code__iexact=first, then=Value(0)),
                When(code__istartswith=first, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
    rows = rows.order_by(*order, "ordering", "pk")
    return [StandardChoice(*row) for row in rows.values_list("pk", "code", "title")[: max(limit, 0)]]


@dataclass(frozen=True)
class ItemTab:
    """A 测评项目 in the list the trees switch by (`?item=<code>`): its roll-up, and how many standards match the
    filters (all of them without filters)."""

    item: ItemRollup
    active: bool

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def figures(self) -> Figures:
        return self.item.figures

    @property
    def matching(self) -> int:
        return self.item.matching


def item_tabs(rollups: Rollups, code: str = "", *, filtered: bool = False) -> tuple[ItemRollup | None, list[ItemTab]]:
    """The 测评项目 to show (the one coded `code`, else the first with a matching standard) and the list of items
    to switch between (with filters, those with a match): the trees show one item at a time. No query."""
    shown = [i for i in rollups.items if i.matching] if filtered else rollups.items
    chosen = next((i for i in shown if i.code == code), None) or next(
        (i for i in shown if i.matching), shown[0] if shown else None
    )
    return chosen, [ItemTab(item=i, active=i is chosen) for i in shown]


class _Item(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def title(self) -> str: ...


# how many 测评项目 the trees' strip of links shows around the one shown (the <select> lists every item)
PICKER_WINDOW = 7


@dataclass(frozen=True)
class ItemPicker[ItemT: _Item]:
    """How the trees (the criteria page, the evidence by-standard tree) switch between their 测评项目, one shown at
    a time: a <select> of every item with its figures (`options`, built here in one pass: a line of text per item,
    the cheapest part of the page however many items there are), the previous and next item, and a short strip
    of links around the one shown (at most PICKER_WINDOW, rendered by the template whatever the number of items)."""

    options: SafeString
    window: list[ItemT]
    previous: ItemT | None
    next: ItemT | None
    position: int  # of the item shown, from 1 (0: none)
    count: int


def item_picker[ItemT: _Item](
    items: Sequence[ItemT], chosen: ItemT | None, *, figures: Callable[[ItemT], str], window: int = PICKER_WINDOW
) -> ItemPicker[ItemT]:
    """The picker of `items` with `chosen` shown; `figures(item)` is the short text after an item's code and title
    in its <option> (e.g. "3/10"). No query."""
    index = next((n for n, i in enumerate(items) if i is chosen), -1)
    start = max(0, min(index - window // 2, len(items) - window)) if index >= 0 else 0
    options = []
    for i in items:  # html.escape: Django's (lazy-aware, marking safe) costs several times more per call
        code = escape(i.code)
        selected = " selected" if i is chosen else ""
        text = f"{code} {escape(i.title[:40])} · {escape(figures(i))}"
        options.append(f'<option value="{code}" data-item="{code}"{selected}>{text}</option>')
    return ItemPicker(
        options=mark_safe("".join(options)),  # noqa: S308 (every value escaped above)
        window=list(items[start : start + window]),
        previous=items[index - 1] if index > 0 else None,
        next=items[index + 1] if 0 <= index < len(items) - 1 else None,
        position=index + 1,
        count=len(items),
    )
