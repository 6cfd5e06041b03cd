"""The dashboard's coverage by 测评项目, summed in the database: one query, whatever the size of the criteria table.

The same figures as the Python tree (`civunit.reports.dashboard.coverage_by_item`, from `campaign.selectors.
criteria_tree` and `evidence.selectors.standards_evidence`), which the PDF report and the Excel workbook read:
tests/reports/test_coverage_sql.py holds them equal on a table with every kind of node, organ-wide and for an
office. Only the items come back, each with its figures, and the first standards without accepted evidence (in
the tree's order, numbered by a window over the item), so the page pays a line per item, not per criterion."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from campaign.models import Assessment, Criterion, CriterionRequirement
from evidence.models import EvidenceItem, StandardEvidenceCount
from tasks.models import Task


@dataclass(frozen=True)
class CriterionRef:
    """What the dashboard shows of a criterion and links to."""

    pk: int
    code: str
    title: str


class StandardShares:
    """What a row of coverage derives from its counts (`standards`, `met`, `without_evidence`): the dashboard's
    rows of the tree (reports.dashboard.CoverageRow) and of this query alike."""

    standards: int
    met: int
    without_evidence: int

    @property
    def flagged(self) -> bool:
        """Some standard (the row's, or one below it) has no accepted evidence."""
        return self.without_evidence > 0

    @property
    def met_percent(self) -> int:
        return round(100 * self.met / self.standards) if self.standards else 0

    @property
    def evidenced(self) -> int:
        """Standards with accepted evidence."""
        return self.standards - self.without_evidence


@dataclass
class ItemFigures(StandardShares):
    """A 测评项目's roll-up over the standards in scope, and its first standards without accepted evidence."""

    criterion: CriterionRef
    ordering: int = 0
    standards: int = 0
    met: int = 0
    basically_met: int = 0
    without_evidence: int = 0
    with_requirements: int = 0
    requirements_met: int = 0
    evidence_total: int = 0
    evidence_accepted: int = 0
    evidence_pending: int = 0
    score: Decimal | None = None
    max_score: Decimal | None = None
    # its first standards without accepted evidence, in the tree's order (all of them with limit=None)
    unevidenced: list[CriterionRef] = field(default_factory=list)

    @property
    def evidenced_percent(self) -> int:
        return round(100 * self.evidenced / self.standards) if self.standards else 0

    def flagged_first(self, limit: int | None = None) -> list[CriterionRef]:
        """The first standards without accepted evidence, in the tree's order (as many as were asked for)."""
        return self.unevidenced if limit is None else self.unevidenced[:limit]

    @property
    def flagged_more(self) -> int:
        """The standards without accepted evidence past those listed."""
        return max(0, self.without_evidence - len(self.unevidenced))


def _decimal(value: object) -> Decimal | None:
    # SQLite sums decimals as floats: back to the two places the fields keep
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _pad(expr: str, width: int) -> str:
    """`expr` (a non-negative integer) as text of `width` digits, so that paths sort as the tree does."""
    if connection.vendor == "postgresql":
        return f"LPAD(CAST({expr} AS TEXT), {width}, '0')"
    return f"printf('%%0{width}d', {expr})"  # %% : the query's parameters are %s


def item_figures(campaign_id: int, *, office_id: int | None = None, limit: int | None = 3) -> list[ItemFigures]:
    """Every 测评项目 with standards in scope (all of them; an office's: those linked to a task it leads or
    supports, at any level of the breakdown), in the table's order, with `limit` standards without accepted
    evidence (None: all). One query."""
    q = connection.ops.quote_name
    table = q(Criterion._meta.db_table)
    assessments = q(Assessment._meta.db_table)
    counts = q(StandardEvidenceCount._meta.db_table)
    requirements = q(CriterionRequirement._meta.db_table)
    S, K, E = Assessment.Status, Criterion.Kind, EvidenceItem.Status
    key = f"{_pad('{0}.ordering', 10)} || {_pad('{0}.id', 19)}"
    params: list[int | str] = [campaign_id, K.SCORED.value]
    # every criterion with its item, effective kind, whether a node above it has its own maximum (as
    # campaign.selectors.item_sql) and its path, which sorts as the tree's depth-first order
    cte = (
        "WITH RECURSIVE item_of(id, root_id, kind, covered, max_score, path) AS ("  # noqa: S608
        f"SELECT id, id, CAST(kind AS VARCHAR(20)), 0, max_score, CAST({key.format(table)} AS TEXT) "
        f"FROM {table} WHERE campaign_id = %s AND parent_id IS NULL "
        "UNION ALL SELECT k.id, p.root_id, CAST(CASE WHEN k.kind = %s THEN p.kind ELSE k.kind END AS VARCHAR(20)), "
        "CASE WHEN p.covered = 1 OR p.max_score IS NOT NULL THEN 1 ELSE 0 END, k.max_score, "
        f"CAST(p.path || '/' || {key.format('k')} AS TEXT) FROM {table} k JOIN item_of p ON k.parent_id = p.id)"
    )
    scope = ""
    if office_id is not None:
        links = q(Task.standards.through._meta.db_table)
        tasks = q(Task._meta.db_table)
        supporting = q(Task.supporting_offices.through._meta.db_table)
        scope = (
            f" AND t.id IN (SELECT l.criterion_id FROM {links} l JOIN {tasks} x ON x.id = l.task_id "  # noqa: S608
            f"WHERE x.campaign_id = %s AND (x.lead_office_id = %s OR x.id IN "
            f"(SELECT so.task_id FROM {supporting} so WHERE so.office_id = %s)))"
        )
    # every node, `is_std` 1 for the standards in scope: a column, not a filter, so that the planner, which cannot
    # tell how many rows a recursive query yields, still joins the counts once rather than once per standard
    std = (
        f", std AS (SELECT t.id, t.root_id, t.kind, t.path, c.max_score AS own_max, "  # noqa: S608
        f"COALESCE(a.status, %s) AS status, a.self_score, CASE WHEN NOT EXISTS "
        f"(SELECT 1 FROM {table} k WHERE k.parent_id = t.id){scope} THEN 1 ELSE 0 END AS is_std "
        f"FROM item_of t JOIN {table} c ON c.id = t.id LEFT JOIN {assessments} a ON a.criterion_id = t.id)"
    )
    params += [S.NOT_STARTED.value]
    if office_id is not None:
        params += [campaign_id, office_id, office_id]
    ev = (
        ", ev AS (SELECT criterion_id, SUM(n) AS total, "  # noqa: S608
        "SUM(CASE WHEN status = %s THEN n ELSE 0 END) AS accepted, "
        "SUM(CASE WHEN status = %s THEN n ELSE 0 END) AS pending "
        f"FROM {counts} WHERE campaign_id = %s AND n > 0 "
        "GROUP BY criterion_id)"
        ", req AS (SELECT r.criterion_id, COUNT(*) AS n, "
        "SUM(CASE WHEN COALESCE(g.n, 0) < r.min_count THEN 1 ELSE 0 END) AS unmet "
        f"FROM {requirements} r LEFT JOIN (SELECT criterion_id, category, SUM(n) AS n FROM {counts} "
        "WHERE campaign_id = %s AND status = %s AND n > 0 GROUP BY criterion_id, category) g "
        "ON g.criterion_id = r.criterion_id AND g.category = r.category "
        f"WHERE r.criterion_id IN (SELECT id FROM {table} WHERE campaign_id = %s) GROUP BY r.criterion_id)"
        ", rows_of AS (SELECT s.*, COALESCE(e.total, 0) AS ev_total, COALESCE(e.accepted, 0) AS ev_accepted, "
        "COALESCE(e.pending, 0) AS ev_pending, COALESCE(r.n, 0) AS req_n, COALESCE(r.unmet, 0) AS req_unmet "
        "FROM std s LEFT JOIN ev e ON e.criterion_id = s.id LEFT JOIN req r ON r.criterion_id = s.id)"
    )
    params += [E.ACCEPTED.value, E.PENDING.value, campaign_id, campaign_id, E.ACCEPTED.value, campaign_id]
    # organ-wide, an item's maximum is the tree's (a node's own maximum stands for those below it); an office's,
    # the sum of its scored standards' own
    organ = office_id is None
    max_sql = "CAST(NULL AS NUMERIC)" if organ else "SUM(CASE WHEN t.is_std = 1 AND t.kind = %s THEN t.own_max END)"
    parts = (
        "SELECT 0, t.root_id, NULL, NULL, NULL, SUM(t.is_std), "  # noqa: S608
        "SUM(CASE WHEN t.is_std = 1 AND t.status = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.is_std = 1 AND t.status = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.is_std = 1 AND t.ev_accepted = 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.is_std = 1 AND t.req_n > 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.is_std = 1 AND t.req_n > 0 AND t.req_unmet = 0 THEN 1 ELSE 0 END), "
        "SUM(t.is_std * t.ev_total), SUM(t.is_std * t.ev_accepted), SUM(t.is_std * t.ev_pending), "
        f"SUM(CASE WHEN t.is_std = 1 AND t.kind = %s THEN t.self_score END), {max_sql} "
        "FROM rows_of t GROUP BY t.root_id HAVING SUM(t.is_std) > 0"
    )
    params += [S.MET.value, S.BASICALLY_MET.value, K.SCORED.value]
    if not organ:
        params += [K.SCORED.value]
    rn = "" if limit is None else " WHERE f.rn <= %s"
    parts += (
        " UNION ALL SELECT 1, f.root_id, f.id, c.code, c.title, f.rn, "  # noqa: S608
        "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
        "FROM (SELECT t.root_id, t.id, ROW_NUMBER() OVER (PARTITION BY t.root_id ORDER BY t.path) AS rn "
        f"FROM rows_of t WHERE t.is_std = 1 AND t.ev_accepted = 0) f JOIN {table} c ON c.id = f.id{rn}"
    )
    if limit is not None:
        params += [limit]
    parts += (
        " UNION ALL SELECT 2, r.id, NULL, r.code, r.title, r.ordering, "
        "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        + ("SUM(CASE WHEN t.kind = %s AND t.covered = 0 THEN t.max_score END) " if organ else "CAST(NULL AS NUMERIC) ")
        + f"FROM {table} r "
        + ("JOIN item_of t ON t.root_id = r.id " if organ else "")
        + "WHERE r.campaign_id = %s AND r.parent_id IS NULL GROUP BY r.id, r.code, r.title, r.ordering"
    )
    params += [K.SCORED.value, campaign_id] if organ else [campaign_id]
    with connection.cursor() as cursor:
        cursor.execute(cte + std + ev + " " + parts, params)
        rows = cursor.fetchall()
    items: dict[int, ItemFigures] = {}
    flagged: list[tuple[int, int, CriterionRef]] = []
    roots: dict[int, tuple[CriterionRef, int, Decimal | None]] = {}
    for part, root, pk, code, title, rank, *n, score, max_ in rows:
        if part == 0:
            items[root] = ItemFigures(
                criterion=CriterionRef(root, "", ""),
                standards=int(rank or 0),
                met=int(n[0] or 0),
                basically_met=int(n[1] or 0),
                without_evidence=int(n[2] or 0),
                with_requirements=int(n[3] or 0),
                requirements_met=int(n[4] or 0),
                evidence_total=int(n[5] or 0),
                evidence_accepted=int(n[6] or 0),
                evidence_pending=int(n[7] or 0),
                score=_decimal(score),
                max_score=_decimal(max_),
            )
        elif part == 1:
            flagged.append((root, int(rank), CriterionRef(pk, code, title)))
        else:
            roots[root] = (CriterionRef(root, code, title), int(rank), _decimal(max_))
    for root, item in items.items():
        ref, item.ordering, max_ = roots[root]
        item.criterion = ref
        if organ:
            item.max_score = max_
    flagged.sort(key=lambda f: (f[0], f[1]))
    for root, _rank, ref in flagged:
        items[root].unevidenced.append(ref)
    return sorted(items.values(), key=lambda i: (i.ordering, i.criterion.pk))
