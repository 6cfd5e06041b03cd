"""Importing the task breakdown: messy tables as offices write them, every refusal, all-or-nothing, re-imports."""

import datetime
import hashlib
import io

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from campaign.models import ImportRecord
from civunit.xlsx import WorkbookError
from tasks.excel import apply_plan, plan_import, read_sheet
from tasks.models import ProgressReport, Recurrence, Status, Task, TaskEvent
from tests.factories import CriterionFactory, OfficeFactory

HEADER = [
    "序号",
    "标准编码",
    "工作任务",
    "具体措施",
    "牵头科室",
    "配合科室",
    "分管领导",
    "责任人",
    "完成时限",
    "佐证材料要求",
    "进展情况",
    "备注",
]


def xlsx_bytes(rows, *, build=None) -> bytes:
    """A workbook whose first sheet holds `rows` (lists of cell values) from A1; `build(ws)` adds messiness."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    for row in rows:
        ws.append(row)
    if build:
        build(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read(data, campaign, name="分解表.xlsx"):
    return read_sheet(data, filename=name, campaign=campaign)


def run_import(data, campaign, user=None, name="分解表.xlsx"):
    sheet = read(data, campaign, name)
    assert sheet.ok, [str(e) for e in sheet.errors]
    plan = plan_import(sheet, campaign=campaign)
    record = apply_plan(plan, campaign=campaign, user=user, file_name=name, sha256=hashlib.sha256(data).hexdigest())
    return plan, record


def messages(sheet) -> list[str]:
    return [str(e) for e in sheet.errors]


@pytest.fixture
def good(cast, campaign):
    CriterionFactory(campaign=campaign, code="1.1.1", title="党组理论学习中心组学习")
    CriterionFactory(campaign=campaign, code="2.1.1", title="志愿服务")
    return xlsx_bytes(
        [
            HEADER,
            [
                1,
                "1.1.1",
                "组织理论学习",
                "每月一次",
                "办公室",
                "研究室、提案委员会办公室",
                "赵国强",
                "陈静",
                "每月",
                "会议记录",
                "推进中",
                "",
            ],
            [
                2,
                "2.1.1",
                "开展志愿服务",
                "",
                "研究室",
                "",
                "",
                "张伟、李明、钱多多",
                "2026-09-30",
                "照片",
                "已开展两次活动",
                "重点",
            ],
            [2.1, "", "社区服务", "", "研究室", "", "", "张伟", "2026年6月底", "", "", ""],
        ]
    )


def test_a_good_breakdown_creates_tasks_with_offices_people_deadlines_standards_and_states(good, cast, campaign):
    plan, record = run_import(good, campaign, cast.coordinator)

    assert [r.code for r in plan.created] == ["1", "2", "2.1"]
    first = Task.objects.get(code="1")
    assert first.lead_office == cast.office_main
    assert set(first.supporting_offices.all()) == {cast.office_a, cast.office_b}
    assert first.leader_in_charge == cast.leader
    assert list(first.responsible_people.all()) == [cast.coordinator]
    assert (first.deadline, first.recurrence) == (None, Recurrence.MONTHLY)
    assert [c.code for c in first.standards.all()] == ["1.1.1"]
    assert first.status == Status.IN_PROGRESS  # 推进中 in 进展情况
    second = Task.objects.get(code="2")
    assert set(second.responsible_people.all()) == {cast.staff_a, cast.head_a}
    assert second.responsible_names == "钱多多"  # no account yet: kept as text
    assert second.deadline == datetime.date(2026, 9, 30)
    assert ProgressReport.objects.get(task=second).text == "已开展两次活动"
    assert Task.objects.get(code="2.1").parent == second
    assert TaskEvent.objects.filter(source=TaskEvent.Source.IMPORT, action=TaskEvent.Action.CREATED).count() == 3
    assert record.kind == ImportRecord.Kind.TASKS
    assert record.user == cast.coordinator
    assert record.sha256 == hashlib.sha256(good).hexdigest()
    assert record.summary["created"] == ["1", "2", "2.1"]


def test_importing_the_same_file_again_changes_nothing(good, cast, campaign):
    run_import(good, campaign, cast.coordinator)
    events = TaskEvent.objects.count()

    plan, record = run_import(good, campaign, cast.coordinator)

    assert (len(plan.created), len(plan.updated), len(plan.unchanged), len(plan.missing)) == (0, 0, 3, 0)
    assert TaskEvent.objects.count() == events
    assert ProgressReport.objects.count() == 1
    assert record.summary["unchanged"] == 3


def test_an_edited_sheet_updates_by_code_keeps_missing_tasks_and_audits_states_as_imported(good, cast, campaign):
    run_import(good, campaign, cast.coordinator)
    edited = xlsx_bytes(
        [
            HEADER,
            [
                1,
                "1.1.1",
                "组织理论学习（修订）",
                "每月一次",
                "办公室",
                "研究室",
                "赵国强",
                "陈静",
                "每季度",
                "会议记录",
                "已完成",
                "",
            ],
            [
                2,
                "2.1.1",
                "开展志愿服务",
                "",
                "研究室",
                "",
                "",
                "张伟、李明、钱多多",
                "2026-09-30",
                "照片",
                "需整改",
                "重点",
            ],
        ]
    )

    plan, record = run_import(edited, campaign, cast.coordinator)

    assert [u.row.code for u in plan.updated] == ["1", "2"]
    assert [t.code for t in plan.missing] == ["2.1"]
    assert Task.objects.filter(code="2.1").exists()  # kept
    first = Task.objects.get(code="1")
    assert first.title == "组织理论学习（修订）"
    assert list(first.supporting_offices.all()) == [cast.office_a]
    assert first.recurrence == Recurrence.QUARTERLY
    assert first.status == Status.DONE
    second = Task.objects.get(code="2")
    assert second.status == Status.RETURNED
    event = TaskEvent.objects.get(task=second, action=TaskEvent.Action.STATUS_SET)
    assert (event.source, event.note, event.actor) == (TaskEvent.Source.IMPORT, "导入：需整改", cast.coordinator)
    assert record.summary["missing"] == ["2.1"]
    assert set(record.summary["updated"]) == {"1", "2"}


def test_a_messy_table_is_read_as_people_write_it(cast, campaign):
    OfficeFactory(name="经济委员会办公室")

    def build(ws):
        ws.insert_rows(1, 2)
        ws["A1"] = "某市政协机关创建全国文明单位工作任务分解表"
        ws.merge_cells("A1:H1")
        ws["A2"] = "填报单位：领导小组办公室"
        # two-row header: 责任分工 over 牵头科室 / 配合科室, the others merged vertically
        ws.merge_cells("A3:A4")
        ws.merge_cells("B3:B4")
        ws.merge_cells("E3:E4")
        ws.merge_cells("F3:F4")
        ws.merge_cells("G3:G4")
        ws.merge_cells("H3:H4")
        ws.merge_cells("C3:D3")
        ws.merge_cells("C6:C7")  # one lead office for two rows, filled down
        ws.row_dimensions[8].hidden = True

    data = xlsx_bytes(
        [
            ["完成时间", "工作任务（具体内容）", "责任分工", None, "序 号", "状态", "责任人", "备注"],
            [None, None, "牵头科室", "配合科室", None, None, None, None],
            [
                "一、学习教育",
                "一、学习教育",
                "一、学习教育",
                "一、学习教育",
                "一、学习教育",
                "一、学习教育",
                None,
                None,
            ],
            ["2026.12", "理论学习", "机关办公室", "研究室\n提案委", "１", "进行中", "陈静", ""],
            [46295, "专题党课", None, "研究室；提案委员会办公室", "１.１", "未开始", "", ""],
            [datetime.date(2026, 5, 1), "隐藏的一行", "研究室", "", "9", "", "", ""],
            [None, None, None, None, None, None, None, None],
            ["6月30日前", "志愿服务", "研究室", "", 3.1, "已完成", "张伟", ""],
            ["常态化", "文明劝导", "研究室", "", "3", "", "", ""],
            ["注：本表由领导小组办公室汇总", None, None, None, None, None, None, None],
        ],
        build=build,
    )
    sheet = read(data, campaign)

    assert messages(sheet) == []
    by_code = {r.code: r for r in sheet.rows}
    assert list(by_code) == ["1", "1.1", "3.1", "3"]  # hidden row 8 and the heading/note rows skipped
    assert by_code["1"].lead_office == cast.office_main  # 机关办公室 is 办公室's other name
    assert by_code["1"].supporting_offices == [cast.office_a, cast.office_b]  # 提案委 fits one office
    assert by_code["1"].deadline == datetime.date(2026, 12, 31)
    assert by_code["1.1"].lead_office == cast.office_main  # merged cell filled down
    assert by_code["1.1"].deadline == datetime.date(2026, 9, 30)  # serial number
    assert by_code["1.1"].parent_code == "1"
    assert by_code["3.1"].deadline == datetime.date(2026, 6, 30)
    assert by_code["3.1"].status == Status.DONE
    assert by_code["3"].recurrence == Recurrence.ONGOING
    assert len(sheet.skipped) == 2

    run_import(data, campaign, cast.coordinator)
    assert Task.objects.get(code="3.1").parent == Task.objects.get(code="3")  # the parent comes later in the sheet


def test_codes_are_read_as_the_cell_displays_them(cast, campaign):
    def build(ws):
        ws["A3"].number_format = "0.00"

    data = xlsx_bytes(
        [["序号", "工作任务", "牵头科室"], [3, "甲", "研究室"], [3.1, "乙", "研究室"], [3.1, "丙", "研究室"]],
        build=build,
    )
    sheet = read(data, campaign)
    assert [r.code for r in sheet.rows] == ["3", "3.10", "3.1"]
    assert sheet.ok


@pytest.mark.parametrize(
    ("cell", "deadline", "recurrence"),
    [
        (datetime.datetime(2026, 9, 30), datetime.date(2026, 9, 30), Recurrence.NONE),
        (46295, datetime.date(2026, 9, 30), Recurrence.NONE),
        ("2026-09-30", datetime.date(2026, 9, 30), Recurrence.NONE),
        ("2026.12", datetime.date(2026, 12, 31), Recurrence.NONE),
        (2026.12, datetime.date(2026, 12, 31), Recurrence.NONE),
        ("2026年6月底", datetime.date(2026, 6, 30), Recurrence.NONE),
        ("6月30日前", datetime.date(2026, 6, 30), Recurrence.NONE),
        ("每月", None, Recurrence.MONTHLY),
        ("每季度", None, Recurrence.QUARTERLY),
        ("每半年", None, Recurrence.HALF_YEARLY),
        ("每年", None, Recurrence.YEARLY),
        ("长期", None, Recurrence.ONGOING),
        ("常态化", None, Recurrence.ONGOING),
        ("", None, Recurrence.NONE),
    ],
)
def test_deadlines_as_dates_serials_text_and_rhythms(cast, campaign, cell, deadline, recurrence):
    sheet = read(xlsx_bytes([["序号", "工作任务", "牵头科室", "完成时限"], [1, "甲", "研究室", cell]]), campaign)
    assert sheet.ok, messages(sheet)
    assert (sheet.rows[0].deadline, sheet.rows[0].recurrence) == (deadline, recurrence)


@pytest.mark.parametrize(
    ("progress", "status", "report"),
    [
        ("未启动", Status.NOT_STARTED, ""),
        ("推进中", Status.IN_PROGRESS, ""),
        ("已完成", Status.DONE, ""),
        ("需整改", Status.RETURNED, ""),
        ("已召开两次会议", None, "已召开两次会议"),
    ],
)
def test_progress_words_set_the_state_and_other_text_is_a_progress_report(cast, campaign, progress, status, report):
    sheet = read(xlsx_bytes([["序号", "工作任务", "牵头科室", "进展情况"], [1, "甲", "研究室", progress]]), campaign)
    assert (sheet.rows[0].status, sheet.rows[0].progress_text) == (status, report)


def test_every_bad_row_is_reported_and_nothing_is_imported(cast, campaign):
    OfficeFactory(name="经济委员会办公室")
    data = xlsx_bytes(
        [
            ["序号", "标准编码", "工作任务", "牵头科室", "配合科室", "完成时限", "状态"],
            [1, "", "甲", "研究室", "", "2026-09-30", ""],
            [2, "", "乙", "宣传部", "", "", ""],  # unknown office
            [3, "", "丙", "研究室", "委员会办公室", "", ""],  # ambiguous
            [4, "", "丁", "研究室", "", "2026年2月30日", ""],  # impossible date
            [1, "", "戊", "研究室", "", "", ""],  # duplicate code
            [7.1, "", "己", "研究室", "", "", ""],  # sub-task without parent
            [8, "9.9.9", "庚", "研究室", "", "", "办结"],  # unknown standard and status
            [9, "", "", "", "", "", ""],  # no task, no office (not blank: it has a number)
            ["A-1", "", "辛", "研究室", "", "", ""],  # not a number
        ]
    )
    sheet = read(data, campaign)

    by_row: dict[int, list[str]] = {}
    for problem in sheet.errors:
        by_row.setdefault(problem.row, []).append(problem.message)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "宣传部" in by_row[3][0]
    assert "提案委员会办公室" in by_row[4][0] and "经济委员会办公室" in by_row[4][0]
    assert "2026年2月30日" in by_row[5][0]
    assert "2" in by_row[6][0]  # names the first row of the number
    assert "7" in by_row[7][0]
    assert len(by_row[8]) == 2 and len(by_row[9]) == 2
    assert all(str(p).startswith(("Row", "第")) for p in sheet.errors)

    plan = plan_import(sheet, campaign=campaign)
    assert not plan.ok
    with pytest.raises(ValueError):
        apply_plan(plan, campaign=campaign, user=cast.coordinator, file_name="x.xlsx", sha256="0" * 64)
    assert Task.objects.count() == 0
    assert ImportRecord.objects.count() == 0


def test_a_sheet_without_the_needed_columns_is_refused(cast, campaign):
    with pytest.raises(WorkbookError) as err:
        read(xlsx_bytes([["序号", "工作任务", "完成时限"], [1, "甲", "2026-09-30"]]), campaign)
    assert "牵头科室" in err.value.messages[0]
    with pytest.raises(WorkbookError):
        read(xlsx_bytes([["名称", "金额"], ["甲", 1]]), campaign)


def test_a_sub_task_of_an_already_imported_task_may_come_alone(good, cast, campaign):
    run_import(good, campaign, cast.coordinator)
    data = xlsx_bytes([["序号", "工作任务", "牵头科室"], ["2.2", "新增子任务", "研究室"]])
    _plan, record = run_import(data, campaign, cast.coordinator)
    assert Task.objects.get(code="2.2").parent == Task.objects.get(code="2")
    assert sorted(record.summary["missing"]) == ["1", "2", "2.1"]


def test_a_plan_made_before_someone_else_changed_a_task_has_another_fingerprint(good, cast, campaign):
    run_import(good, campaign, cast.coordinator)
    edited = xlsx_bytes([HEADER, [1, "", "新标题", "", "办公室", "", "", "", "", "", "", ""]])
    before = plan_import(read(edited, campaign), campaign=campaign).fingerprint()
    Task.objects.filter(code="1").update(title="别人改过", version=5)
    assert plan_import(read(edited, campaign), campaign=campaign).fingerprint() != before


def test_standards_are_linked_by_code_or_by_the_words_of_the_criteria(cast, campaign):
    CriterionFactory(campaign=campaign, code="1.1.1", title="党组理论学习中心组学习")
    data = xlsx_bytes(
        [
            ["序号", "测评标准", "工作任务", "牵头科室"],
            [1, "党组理论学习中心组学习", "甲", "研究室"],
            [2, "1.1.1 党组学习", "乙", "研究室"],
            [3, "不存在的标准", "丙", "研究室"],
        ]
    )
    sheet = read(data, campaign)
    assert sheet.ok
    assert [[c.code for c in r.standards] for r in sheet.rows] == [["1.1.1"], ["1.1.1"], []]
    assert [w.row for w in sheet.warnings] == [4]  # not linked: said, but not an error


def _breakdown(n: int) -> bytes:
    rows: list[list] = [HEADER]
    for i in range(1, n + 1):
        rows.append(
            [
                i,
                "",
                f"任务{i}",
                "",
                "研究室",
                "办公室、提案委员会办公室",
                "赵国强",
                "张伟、钱多多",
                "每月",
                "",
                "推进中",
                "",
            ]
        )
        rows.append([f"{i}.1", "", f"子任务{i}", "", "研究室", "", "", "李明", "2026-09-30", "", "已开两次会", ""])
    return xlsx_bytes(rows)


def test_an_import_asks_the_database_the_same_number_of_times_however_many_rows(cast, campaign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (3, 30):
        data = _breakdown(n)
        Task.objects.filter(parent__isnull=False).delete()
        Task.objects.all().delete()
        with CaptureQueriesContext(connection) as reading:
            sheet = read(data, campaign)
            plan = plan_import(sheet, campaign=campaign)
        with CaptureQueriesContext(connection) as writing:
            apply_plan(plan, campaign=campaign, user=cast.coordinator, file_name="x.xlsx", sha256="0" * 64)
        assert Task.objects.count() == 2 * n
        with CaptureQueriesContext(connection) as again:
            plan_import(read(data, campaign), campaign=campaign)
        counts.append((len(reading), len(writing), len(again)))
    # reading: offices, criteria, existing codes, then the plan's tasks (none yet) and leaders by name;
    # writing: people by name, one INSERT per level of tasks and per kind of row, occurrences of recurring tasks,
    # the import record; re-reading: the same plus the tasks' prefetches
    assert counts[0] == counts[1]
