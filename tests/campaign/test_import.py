"""import_criteria: the same tree from the example JSON and from differently shaped workbooks; re-imports
update in place and keep links; export → import changes nothing."""

import json
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from campaign import exporting, services
from campaign.models import Assessment, Criterion, CriterionRequirement, EvidenceCategory, ImportRecord, VetoCondition
from tests.factories import CampaignFactory
from tests.tasks.factories import TaskFactory

from .conftest import EXAMPLE, FIXTURES, WORKBOOKS, import_bytes, tree_signature


def test_example_json_gives_ten_items_twenty_three_indicators_thirty_four_standards_and_the_veto_list(imported):
    criteria = Criterion.objects.filter(campaign=imported)
    assert criteria.filter(level=1).count() == 10
    assert criteria.filter(level=2).count() == 23
    assert criteria.filter(is_leaf=True).count() == 34
    assert VetoCondition.objects.filter(campaign=imported, parent__isnull=False).count() == 7
    standard = criteria.get(code="1.2.2")
    assert standard.parent == criteria.get(code="1.2")
    assert standard.max_score == Decimal("2.5")
    assert sorted(standard.requirements.values_list("category", "min_count")) == [
        (EvidenceCategory.PHOTO, 2),
        (EvidenceCategory.SUMMARY, 1),
    ]
    assert not criteria.filter(code__startswith="N").exists()


@pytest.mark.parametrize("name", WORKBOOKS)
def test_each_workbook_shape_gives_the_same_tree_as_the_json(db, imported, name):
    other = CampaignFactory(is_current=False, title=name)
    call_command("import_criteria", str(FIXTURES / "criteria" / name), "--campaign", str(other.pk))
    assert tree_signature(other) == tree_signature(imported)


def test_the_libreoffice_fixture_was_saved_by_libreoffice():
    with zipfile.ZipFile(FIXTURES / "criteria" / "libreoffice-rows.xlsx") as zf:
        assert b"LibreOffice" in zf.read("docProps/app.xml")


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_export_then_import_changes_nothing(imported, fmt, cast):
    services.assessment_save(
        criterion=Criterion.objects.get(campaign=imported, code="1.1.1"),
        user=cast.coordinator,
        status=Assessment.Status.MET,
        self_score=Decimal("2.5"),
    )
    services.explanation_save(
        criterion=Criterion.objects.get(campaign=imported, code="1.1"), user=cast.coordinator, text="第一行\n第二行"
    )
    before = tree_signature(imported)
    data = exporting.criteria_json(imported) if fmt == "json" else exporting.criteria_xlsx(imported)
    result = import_bytes(imported, data, f"export.{fmt}")
    assert result.ok, result.issues
    assert (result.added, result.updated, result.removed, result.explanations) == ([], [], [], [])
    assert result.unchanged == 67
    assert tree_signature(imported) == before
    assert Assessment.objects.get(criterion__code="1.1.1").self_score == Decimal("2.5")


def test_an_explanation_in_an_exported_table_lands_in_another_campaign(imported, cast):
    services.explanation_save(
        criterion=Criterion.objects.get(campaign=imported, code="1.1"), user=cast.coordinator, text="说明\r\n报告"
    )
    other = CampaignFactory(is_current=False)
    result = import_bytes(other, exporting.criteria_xlsx(imported), "export.xlsx")
    assert result.ok
    assert result.explanations == ["1.1"]
    assert Criterion.objects.get(campaign=other, code="1.1").explanation.text == "说明\n报告"


def _edited(example_bytes, edit) -> bytes:
    entries = json.loads(example_bytes)
    edit(entries)
    return json.dumps(entries, ensure_ascii=False).encode()


def test_reimport_updates_nodes_in_place_and_keeps_their_links(imported, example_bytes):
    standard = Criterion.objects.get(campaign=imported, code="1.1.1")
    task = TaskFactory(campaign=imported)
    task.standards.add(standard)

    def edit(entries):
        entry = next(e for e in entries if e["code"] == "1.1.1")
        entry["title"] = "党组每季度研究创建"
        entry["requirements"] = [{"category": "会议纪要", "min_count": 4}]

    result = import_bytes(imported, _edited(example_bytes, edit), "edited.json")
    assert result.ok
    assert result.updated == ["1.1.1"]
    standard.refresh_from_db()
    assert standard.title == "党组每季度研究创建"
    assert list(task.standards.all()) == [standard]
    assert list(standard.requirements.values_list("category", "min_count")) == [(EvidenceCategory.MINUTES, 4)]


def test_reimport_that_drops_a_linked_code_is_refused_naming_the_link(imported, example_bytes):
    standard = Criterion.objects.get(campaign=imported, code="6.2.2")
    TaskFactory(campaign=imported).standards.add(standard)
    before = tree_signature(imported)
    records = ImportRecord.objects.count()

    def edit(entries):
        entries[:] = [e for e in entries if e["code"] != "6.2.2"]

    result = import_bytes(imported, _edited(example_bytes, edit), "dropped.json")
    assert not result.ok
    text = " ".join(str(i) for i in result.issues)
    assert "6.2.2" in text
    assert str(TaskFactory._meta.model._meta.verbose_name_plural) in text
    assert tree_signature(imported) == before
    assert ImportRecord.objects.count() == records


def test_reimport_removes_a_dropped_code_that_nothing_links_to(imported, example_bytes):
    def edit(entries):
        entries[:] = [e for e in entries if e["code"] != "6.2.2"]

    result = import_bytes(imported, _edited(example_bytes, edit), "dropped.json")
    assert result.ok
    assert result.removed == ["6.2.2"]
    assert not Criterion.objects.filter(campaign=imported, code="6.2.2").exists()


def test_a_changed_code_counts_as_a_removal_plus_an_addition(imported, example_bytes):
    def edit(entries):
        next(e for e in entries if e["code"] == "6.2.2")["code"] = "6.2.3"

    result = import_bytes(imported, _edited(example_bytes, edit), "renamed.json")
    assert result.ok
    assert (result.added, result.removed) == (["6.2.3"], ["6.2.2"])


def test_a_changed_code_of_a_linked_standard_is_refused(imported, example_bytes):
    TaskFactory(campaign=imported).standards.add(Criterion.objects.get(campaign=imported, code="6.2.2"))

    def edit(entries):
        next(e for e in entries if e["code"] == "6.2.2")["code"] = "6.2.3"

    result = import_bytes(imported, _edited(example_bytes, edit), "renamed.json")
    assert not result.ok
    assert not Criterion.objects.filter(campaign=imported, code="6.2.3").exists()


def test_every_import_is_recorded_with_who_file_and_sha256(campaign, cast, example_bytes):
    import hashlib

    result = import_bytes(campaign, example_bytes, "测评体系.json", user=cast.coordinator)
    record = result.record
    assert record.user == cast.coordinator
    assert record.file_name == "测评体系.json"
    assert record.sha256 == hashlib.sha256(example_bytes).hexdigest()
    assert record.kind == ImportRecord.Kind.CRITERIA
    assert len(record.summary["added"]) == 67


def test_dry_run_reports_changes_and_writes_nothing(campaign, example_bytes):
    result = import_bytes(campaign, example_bytes, "example.json", dry_run=True)
    assert result.ok
    assert len(result.added) == 67
    assert not Criterion.objects.filter(campaign=campaign).exists()
    assert not ImportRecord.objects.exists()


def test_reimport_keeps_veto_statuses_and_notes(imported, example_bytes, cast):
    condition = VetoCondition.objects.get(campaign=imported, code="N.3")
    services.veto_update(
        condition=condition, user=cast.coordinator, status=VetoCondition.Status.AT_RISK, note="消防检查"
    )
    assert import_bytes(imported, example_bytes, "again.json").ok
    condition.refresh_from_db()
    assert (condition.status, condition.note) == (VetoCondition.Status.AT_RISK, "消防检查")


def test_bonus_item_children_count_as_bonus(campaign):
    entries = [
        {"code": "1", "title": "基本项", "max_score": 10},
        {"code": "1.1", "parent_code": "1", "title": "标准", "max_score": 10},
        {"code": "B", "title": "加分项", "kind": "bonus", "max_score": 5},
        {"code": "B.1", "parent_code": "B", "title": "获得荣誉", "max_score": 5},
    ]
    result = import_bytes(campaign, json.dumps(entries, ensure_ascii=False).encode(), "bonus.json")
    assert result.ok, result.issues
    assert Criterion.objects.get(campaign=campaign, code="B.1").kind == Criterion.Kind.BONUS


def test_requirement_text_is_parsed_into_structured_rows_where_it_can(campaign):
    entries = [
        {"code": "1", "title": "项目"},
        {
            "code": "1.1",
            "parent_code": "1",
            "title": "标准",
            "requirement_text": "会议纪要不少于2份，照片3张，其他佐证若干",
        },
    ]
    assert import_bytes(campaign, json.dumps(entries, ensure_ascii=False).encode(), "r.json").ok
    criterion = Criterion.objects.get(campaign=campaign, code="1.1")
    assert criterion.requirement_text == "会议纪要不少于2份，照片3张，其他佐证若干"
    assert sorted(CriterionRequirement.objects.filter(criterion=criterion).values_list("category", "min_count")) == [
        (EvidenceCategory.MINUTES, 2),
        (EvidenceCategory.PHOTO, 3),
    ]


def test_import_criteria_command_imports_and_reports(campaign, capsys):
    call_command("import_criteria", str(EXAMPLE))
    assert Criterion.objects.filter(campaign=campaign).count() == 67
    assert "67" in capsys.readouterr().out


def test_import_criteria_command_dry_run_changes_nothing(campaign):
    call_command("import_criteria", str(EXAMPLE), "--dry-run")
    assert not Criterion.objects.exists()


def test_import_criteria_command_lists_every_bad_row_and_fails(campaign, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [{"code": "1", "title": "a", "max_score": "十分"}, {"code": "1.1", "parent_code": "9", "title": "b"}]
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import_criteria", str(bad))
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert "十分" in lines[0] and "1" in lines[0]
    assert "9" in lines[1] and "1.1" in lines[1]
    assert not Criterion.objects.exists()


def test_export_criteria_command_writes_a_file_import_reads_back(imported, tmp_path):
    target = tmp_path / "out.xlsx"
    call_command("export_criteria", str(target))
    result = import_bytes(imported, target.read_bytes(), "out.xlsx", dry_run=True)
    assert result.ok and not result.changed


def test_a_workbook_without_numbering_is_numbered_by_position(campaign):
    from .conftest import workbook

    data = workbook(
        [
            ["测评项目", "测评指标", "测评标准", "分值"],
            ["组织领导（10分）", "领导体制", "党组研究", 5],
            [None, None, "机构人员", 5],
            ["思想建设", "理论武装", "中心组学习", 3],
        ]
    )
    result = import_bytes(campaign, data, "plain.xlsx")
    assert result.ok, [str(i) for i in result.issues]
    codes = dict(Criterion.objects.filter(campaign=campaign).values_list("code", "title"))
    assert codes == {
        "1": "组织领导",
        "1.1": "领导体制",
        "1.1.1": "党组研究",
        "1.1.2": "机构人员",
        "2": "思想建设",
        "2.1": "理论武装",
        "2.1.1": "中心组学习",
    }
    assert Criterion.objects.get(campaign=campaign, code="1").max_score == 10


def test_a_two_level_table_makes_its_items_the_indicators(campaign):
    from campaign import selectors

    from .conftest import workbook

    data = workbook(
        [
            ["测评项目", "测评标准", "分值", "测评方法"],
            ["一、组织领导", "1.党组研究", 5, "材料审核"],
            [None, "2.机构人员", 5, "材料审核、实地考察"],
        ],
        build=lambda ws: ws.merge_cells("A2:A3"),
    )
    assert import_bytes(campaign, data, "two.xlsx").ok
    tree = selectors.criteria_tree(campaign)
    assert tree.by_code["1"].is_indicator
    assert tree.by_code["1.2"].criterion.methods == ["材料审核", "实地考察"]


def test_deleting_a_campaign_takes_its_criteria_and_veto_list(imported):
    imported.delete()
    assert not Criterion.objects.exists()
    assert not VetoCondition.objects.exists()


def test_items_of_a_province_workbook_carry_their_standards_methods_in_order(campaign):
    from .conftest import workbook

    data = workbook(
        [
            ["测评项目", "测评指标", "测评标准", "测评方法"],
            ["一、项目", "（一）指标", "1.甲", "材料审核"],
            [None, None, "2.乙", "实地考察、材料审核"],
            [None, None, "3.丙", "问卷调查"],
        ]
    )
    assert import_bytes(campaign, data, "m.xlsx").ok
    assert Criterion.objects.get(campaign=campaign, code="1").methods == ["材料审核", "实地考察", "问卷调查"]
