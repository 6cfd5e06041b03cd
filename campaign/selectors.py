"""Reads shared by the pages, exports and (later) the dashboard and report: the criteria tree with its
roll-ups, the plan, the veto list.

`criteria_tree()` is the one builder of the criteria tree: the campaign's pages, the criteria export and the
evidence pages (which add their counts on top, evidence.browsing.standards_tree) all start from it. It is loaded
in one query (nodes joined to their self-assessment and explanation report) and assembled in memory; roll-ups
are summed over it bottom-up, so the query count does not grow with the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, Value, When

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


def criteria_tree(campaign: Campaign, *, with_requirements: bool = False) -> Tree:
    """The campaign's criteria as a tree with roll-ups: 1 query (2 with the evidence requirements)."""
    qs = (
        Criterion.objects.filter(campaign=campaign)
        .select_related("assessment", "explanation")
        .order_by("ordering", "pk")
    )
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
    """The campaign's standards by status and its self scores: the roll-up of `criteria_tree()` (one query).

    Read from the tree rather than summed again in SQL, so that the totals count each standard's effective kind
    (a standard under a bonus item adds to the bonus, not to the score) exactly as the tree's pages do."""
    total = criteria_tree(campaign).total
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

    node: Node
    matching: int
    active: bool

    @property
    def code(self) -> str:
        return self.node.code


def item_tabs(tree: Tree, code: str = "") -> tuple[Node | None, list[ItemTab]]:
    """The 测评项目 to show (the one coded `code`, else the first with a visible standard) and the list of items to
    switch between: the trees show one item at a time, whatever the size of the table. No query."""
    matching = {root.criterion.pk: sum(1 for n in root.subtree() if n.visible and n.is_standard) for root in tree.roots}
    shown = [r for r in tree.roots if r.visible]
    chosen = next((r for r in shown if r.code == code), None) or next(
        (r for r in shown if matching[r.criterion.pk]), shown[0] if shown else None
    )
    tabs = [ItemTab(node=r, matching=matching[r.criterion.pk], active=r is chosen) for r in shown]
    return chosen, tabs
