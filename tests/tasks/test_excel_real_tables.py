"""The breakdown import with tables as they really come: groups of offices (各委室), another table numbered the same
way, every problem of a sheet in one report, work the table would undo, natural order, Chinese on the command line.

Every workbook is built here with openpyxl."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models.signals import post_init
from django.urls import reverse

from campaign.models import ImportRecord
from civunit.accounts.models import Office
from tasks.excel import CONFLICT_SIMILARITY, ConflictsRefused, apply_plan, plan_import, read_sheet
from tasks.excel.planning import similarity
from tasks.models import Status, Task, TaskEvent
from tests.factories import OfficeFactory
from tests.tasks.test_excel_import import xlsx_bytes
from tests.tasks.test_excel_views import upload

HEADER = ["序号", "工作任务", "牵头科室", "配合科室", "责任人", "状态"]


def read(data, campaign):
    return read_sheet(data, filename="分解表.xlsx", campaign=campaign)


def imported(data, campaign, user=None, on_conflict="refuse"):
    sheet = read(data, campaign)
    assert sheet.ok, [str(e) for e in sheet.errors]
    plan = plan_import(sheet, campaign=campaign)
    record = apply_plan(
        plan,
        campaign=campaign,
        user=user,
        file_name="分解表.xlsx",
        sha256=hashlib.sha256(data).hexdigest(),
        on_conflict=on_conflict,
    )
    return plan, record


def names(offices) -> set[str]:
    return {o.name for o in offices}


@pytest.fixture
def organ(cast):
    """The cast's offices (committee offices 办公室, 研究室, 提案委员会办公室; section 机关党组) and more sections and
    the leadership group's office."""
    OfficeFactory(name="人事科", kind=Office.Kind.SECTION, ordering=5)
    OfficeFactory(name="机关服务中心", kind=Office.Kind.SECTION, ordering=6)
    OfficeFactory(name="领导小组办公室", kind=Office.Kind.LEADERSHIP_OFFICE, ordering=7)
    return {
        kind: set(Office.objects.filter(kind=kind).values_list("name", flat=True))
        for kind in (Office.Kind.COMMITTEE, Office.Kind.SECTION, Office.Kind.LEADERSHIP_OFFICE)
    }


# --- Groups of offices -------------------------------------------------------------------------------------


def test_groups_of_offices_expand_to_the_offices_of_their_kind(cast, campaign, organ):
    committees, sections = organ[Office.Kind.COMMITTEE], organ[Office.Kind.SECTION]
    assert committees == {"办公室", "研究室", "提案委员会办公室"} and sections == {"机关党组", "人事科", "机关服务中心"}
    data = xlsx_bytes(
        [
            HEADER,
            [1, "学习", "人事科", "各委室", "", ""],
            [2, "服务", "研究室", "机关各科室", "", ""],
            [3, "劝导", "人事科", "各委室、机关服务中心", "", ""],
            [4, "宣传", "办公室", "机关各部门", "", ""],
            [5, "创建", "全机关", "", "", ""],
            [6, "整改", "各 科 室", "各委室", "", ""],
        ]
    )
    sheet = read(data, campaign)
    assert sheet.ok, [str(e) for e in sheet.errors]

    imported(data, campaign, cast.coordinator)

    def supporting(code):
        return names(Task.objects.get(code=code).supporting_offices.all())

    everyone = committees | sections | organ[Office.Kind.LEADERSHIP_OFFICE]
    assert supporting("1") == committees
    assert supporting("2") == sections
    assert supporting("3") == committees | {"机关服务中心"}
    assert supporting("4") == everyone - {"办公室"}  # never the lead office itself
    fifth = Task.objects.get(code="5")  # a group as the lead: the first office leads, the others support
    assert fifth.lead_office == cast.office_main and supporting("5") == everyone - {"办公室"}
    assert [w.row for w in sheet.warnings] == [6, 7]  # both say which office leads
    sixth = Task.objects.get(code="6")
    assert sixth.lead_office.name == "机关党组" and supporting("6") == (sections | committees) - {"机关党组"}
    by_name = {e["name"]: e for e in sheet.expanded_names()}
    assert by_name["各委室"]["cells"] == ["D2", "D4", "D7"]
    assert by_name["各委室"]["offices"] == "办公室、研究室、提案委员会办公室"
    assert by_name["机关各科室"]["offices"] == "机关党组、人事科、机关服务中心"


def test_a_group_of_a_kind_without_offices_and_an_unknown_group_are_row_problems_naming_the_cell(cast, campaign, organ):
    Office.objects.filter(kind=Office.Kind.SECTION).update(kind=Office.Kind.COMMITTEE)
    data = xlsx_bytes(
        [HEADER, [1, "学习", "研究室", "各科室", "", ""], [2, "服务", "研究室", "各党支部、办公室", "", ""]]
    )
    sheet = read(data, campaign)
    assert [(p.row, p.cell) for p in sheet.errors] == [(2, "D2"), (3, "D3")]
    assert "各科室" in str(sheet.errors[0]) and "D2" in str(sheet.errors[0])
    assert "各党支部" in sheet.errors[1].message
    assert Task.objects.count() == 0


def test_the_preview_shows_what_each_group_was_read_as(cast, campaign, organ, login):
    client = login(cast.coordinator)
    rows = [HEADER, [1, "学习", "人事科", "各委室、机关服务中心", "", ""], [2, "服务", "研究室", "各科室", "", ""]]
    preview = client.get(upload(client, rows)["Location"])
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-testid="excel-expanded"' in html
    assert [e["name"] for e in preview.context["expanded"]] == ["各委室", "各科室"]
    assert "办公室、研究室、提案委员会办公室" in html and "机关党组、人事科、机关服务中心" in html


# --- Another table numbered the same way ---------------------------------------------------------------------

OURS = [
    HEADER,
    [1, "组织党组理论学习中心组学习", "办公室", "", "张伟", ""],
    [2, "开展志愿服务活动", "研究室", "", "", ""],
    [3, "建设道德讲堂", "研究室", "", "", ""],
]
THEIRS = [  # another unit's table: the same numbers, other work
    HEADER,
    [1, "完善政务公开目录", "办公室", "", "", ""],
    [2, "开展志愿服务活动（每季度）", "研究室", "", "", ""],  # an edit of ours
    [3, "机关食堂节能改造", "研究室", "", "", ""],
]


def test_similarity_tells_an_edit_from_another_task():
    assert similarity("组织理论学习", "组织理论学习（修订）") >= CONFLICT_SIMILARITY
    assert similarity("开展志愿服务活动", "开展 志愿服务活动（每季度）") >= CONFLICT_SIMILARITY
    assert similarity("组织理论学习", "开展志愿服务") < CONFLICT_SIMILARITY
    assert similarity("建设道德讲堂", "机关食堂节能改造") < CONFLICT_SIMILARITY


def test_rows_of_another_table_are_conflicts_and_change_nothing_unless_chosen(cast, campaign):
    imported(xlsx_bytes(OURS), campaign, cast.coordinator)
    events, records = TaskEvent.objects.count(), ImportRecord.objects.count()

    plan = plan_import(read(xlsx_bytes(THEIRS), campaign), campaign=campaign)
    assert [u.row.code for u in plan.conflicts] == ["1", "3"]
    assert [u.row.code for u in plan.updated] == ["2"]  # an edit of this table is an update
    with pytest.raises(ConflictsRefused):
        apply_plan(plan, campaign=campaign, user=cast.coordinator, file_name="x.xlsx", sha256="0" * 64)
    assert Task.objects.get(code="2").title == "开展志愿服务活动"  # not even the edit: all or nothing
    assert (TaskEvent.objects.count(), ImportRecord.objects.count()) == (events, records)

    _plan, record = imported(xlsx_bytes(THEIRS), campaign, cast.coordinator, on_conflict="update")
    assert Task.objects.get(code="1").title == "完善政务公开目录"
    assert Task.objects.get(code="3").title == "机关食堂节能改造"
    assert record.summary["conflicts"]["3"]["old"] == "建设道德讲堂"
    assert list(record.summary["updated"]) == ["1", "2", "3"]


def test_import_tasks_refuses_conflicts_lists_them_and_applies_them_only_when_told(cast, campaign, tmp_path, capsys):
    imported(xlsx_bytes(OURS), campaign, cast.coordinator)
    path = tmp_path / "别的表.xlsx"
    path.write_bytes(xlsx_bytes(THEIRS))
    capsys.readouterr()

    with pytest.raises(CommandError) as refused:
        call_command("import_tasks", str(path))
    out = capsys.readouterr().out
    assert "--on-conflict update" in str(refused.value) and "未导入" in str(refused.value)
    assert "冲突" in out and "建设道德讲堂" in out and "机关食堂节能改造" in out
    assert Task.objects.get(code="3").title == "建设道德讲堂"
    assert Task.objects.get(code="2").title == "开展志愿服务活动"
    assert ImportRecord.objects.count() == 1

    call_command("import_tasks", str(path), "--on-conflict", "update")
    assert Task.objects.get(code="3").title == "机关食堂节能改造"
    assert ImportRecord.objects.count() == 2
    assert "已导入" in capsys.readouterr().out


def test_the_preview_lists_conflicts_first_and_applies_them_only_when_chosen(cast, campaign, login):
    imported(xlsx_bytes(OURS), campaign, cast.coordinator)
    client = login(cast.coordinator)
    preview = client.get(upload(client, THEIRS)["Location"])
    html = preview.content.decode()
    assert [u.row.code for u in preview.context["conflicts"]] == ["1", "3"]
    assert html.index('data-testid="excel-conflicts"') < html.index('data-testid="excel-counts"')
    assert 'data-testid="excel-apply-form"' not in html  # the choice is: update those tasks, or nothing
    assert 'data-testid="excel-import-nothing"' in html
    digest, fingerprint = preview.context["digest"], preview.context["fingerprint"]
    apply_url = reverse("tasks:excel_apply", args=[digest])

    refused = client.post(apply_url, {"fingerprint": fingerprint})
    assert refused["Location"] == reverse("tasks:excel_preview", args=[digest])
    assert Task.objects.get(code="3").title == "建设道德讲堂" and ImportRecord.objects.count() == 1

    applied = client.post(apply_url, {"fingerprint": fingerprint, "on_conflict": "update"})
    record = ImportRecord.objects.latest("pk")
    assert applied["Location"] == reverse("tasks:excel_result", args=[record.pk])
    assert Task.objects.get(code="3").title == "机关食堂节能改造"
    result = client.get(applied["Location"])
    assert [code for code, _texts in result.context["conflicts"]] == ["1", "3"]


# --- One report of every problem ----------------------------------------------------------------------------


def _bad_sheet() -> bytes:
    return xlsx_bytes(
        [
            ["序号", "工作任务", "牵头科室", "完成时限"],
            [1, "甲", "研究室", "2026-09-30"],
            [2, '=B2&"（续）"', "研究室", ""],  # a formula Excel never saved a value for
            [3, "丙", "宣传部", ""],  # unknown office
            [4, "丁", "研究室", "2026年2月30日"],  # impossible date
            [1, "戊", "研究室", ""],  # the number used again
            [6, "", "研究室", ""],  # no task
        ]
    )


def test_a_bad_sheet_with_a_formula_gets_one_report_naming_all_five_problems(cast, campaign):
    sheet = read(_bad_sheet(), campaign)
    assert [(p.row, p.cell) for p in sheet.errors] == [(3, "B3"), (4, "C4"), (5, "D5"), (6, "A6"), (7, "B7")]
    text = [str(p) for p in sheet.errors]
    assert "公式" in text[0] or "formula" in text[0]
    assert "宣传部" in text[1] and "2026年2月30日" in text[2]
    assert Task.objects.count() == 0


def test_import_tasks_prints_the_whole_report_in_chinese(cast, campaign, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_bad_sheet())
    with pytest.raises(CommandError) as failed:
        call_command("import_tasks", str(path))
    err = capsys.readouterr().err
    assert "5" in str(failed.value) and "未导入" in str(failed.value)
    for cell in ("B3", "C4", "D5", "A6", "B7"):
        assert cell in err
    assert err.count("第") >= 5 and "Row" not in err
    assert Task.objects.count() == 0 and ImportRecord.objects.count() == 0


def test_the_preview_lists_all_five_problems_at_once(cast, campaign, login):
    client = login(cast.coordinator)
    preview = client.get(upload(client, data=_bad_sheet())["Location"])
    assert [e.row for e in preview.context["errors"]] == [3, 4, 5, 6, 7]
    assert "B3" in preview.content.decode()


# --- Work the table would undo ------------------------------------------------------------------------------


def test_a_state_moved_back_and_people_cleared_are_said_and_recorded(cast, campaign, login):
    imported(
        xlsx_bytes(
            [HEADER, [1, "学习", "研究室", "", "张伟、李明", "已完成"], [2, "服务", "研究室", "", "", "进行中"]]
        ),
        campaign,
        cast.coordinator,
    )
    assert Task.objects.get(code="1").status == Status.DONE
    again = [HEADER, [1, "学习", "研究室", "", "", "未开始"], [2, "服务", "研究室", "", "", "已完成"]]
    client = login(cast.coordinator)

    preview = client.get(upload(client, again)["Location"])
    assert [u.row.code for u in preview.context["backwards"]] == ["1"]
    assert [sorted(u.cleared_people) for u in preview.context["cleared"]] == [sorted(["张伟", "李明"])]
    html = preview.content.decode()
    assert 'data-testid="excel-backwards-state"' in html and 'data-testid="excel-cleared-people"' in html
    applied = client.post(
        reverse("tasks:excel_apply", args=[preview.context["digest"]]), {"fingerprint": preview.context["fingerprint"]}
    )

    task = Task.objects.get(code="1")
    assert task.status == Status.NOT_STARTED and not task.responsible_people.exists()
    record = ImportRecord.objects.latest("pk")
    assert record.summary["state_backwards"] == {"1": ["已完成", "未开始"]}  # 2 went forwards: not listed
    assert {k: sorted(v) for k, v in record.summary["responsible_cleared"].items()} == {"1": sorted(["张伟", "李明"])}
    result = client.get(applied["Location"])
    assert 'data-testid="excel-result-backwards"' in result.content.decode()
    assert result.context["backwards"] == [("1", ["已完成", "未开始"])]


# --- Natural order -----------------------------------------------------------------------------------------


def test_changed_tasks_are_listed_in_natural_order(cast, campaign, login, tmp_path, capsys):
    codes = ["10", "2", "11", "1", "3", "9", "1.2", "1.10", "1.1"]
    rows = [HEADER, *[[c, f"任务{c}", "研究室", "", "", ""] for c in codes]]
    imported(xlsx_bytes(rows), campaign, cast.coordinator)
    edited = [HEADER, *[[c, f"任务{c}（修订）", "研究室", "", "", ""] for c in codes]]
    natural = ["1", "1.1", "1.2", "1.10", "2", "3", "9", "10", "11"]

    plan = plan_import(read(xlsx_bytes(edited), campaign), campaign=campaign)
    assert [u.row.code for u in plan.updated] == natural

    path = tmp_path / "修订.xlsx"
    path.write_bytes(xlsx_bytes(edited))
    call_command("import_tasks", str(path))
    out = capsys.readouterr().out
    listed = [line.split("：")[0].strip() for line in out.splitlines() if line.startswith("  ")]
    assert listed == natural
    assert "更新" in out and "Updated" not in out
    record = ImportRecord.objects.latest("pk")
    page = login(cast.coordinator).get(reverse("tasks:excel_result", args=[record.pk]))
    assert [code for code, _fields in page.context["updated"]] == natural


# --- Re-imports read plain rows ----------------------------------------------------------------------------


def test_planning_a_re_import_builds_no_model_instance_per_task(cast, campaign):
    """Comparing an unchanged sheet with the campaign's tasks reads plain rows: the model instances made do not
    grow with the number of tasks (they were about 7 per task)."""
    made = []

    def count(sender, **kwargs):
        made.append(sender)

    sizes = []
    for n in (3, 30):
        Task.objects.all().delete()
        rows = [HEADER, *[[i, f"任务{i}", "研究室", "办公室、各委室", "张伟、李明", "进行中"] for i in range(1, n + 1)]]
        data = xlsx_bytes(rows)
        imported(data, campaign, cast.coordinator)
        sheet = read(data, campaign)
        post_init.connect(count)
        try:
            made.clear()
            plan = plan_import(sheet, campaign=campaign)
        finally:
            post_init.disconnect(count)
        assert len(plan.unchanged) == n
        sizes.append(len(made))
    assert sizes[0] == sizes[1]
