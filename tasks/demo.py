"""Demo task breakdown (工作任务分解), called by `manage.py seed_demo` after campaign.demo has seeded the current
campaign with the example criteria. Running it again leaves the same rows; `--scale N` brings the number of tasks
to N times the base by adding copies numbered from 101, 201, …

Deadlines are set relative to the day the demo is seeded, so that some tasks are overdue, some due soon, some
stalled, whatever the date.
"""

from __future__ import annotations

import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone

from campaign.demo import demo_campaign, scaled_code
from campaign.models import Criterion, WorkArea
from civunit.accounts.models import Office, User
from civunit.accounts.roles import Role

from . import services
from .models import ProgressReport, Recurrence, Status, Task, TaskEvent, TaskOccurrence

M, Q, H, Y, ONG = (
    Recurrence.MONTHLY,
    Recurrence.QUARTERLY,
    Recurrence.HALF_YEARLY,
    Recurrence.YEARLY,
    Recurrence.ONGOING,
)

# Offices by the short names used below.
OFFICE = {
    "办": "办公室",
    "研": "研究室",
    "提": "提案委员会办公室",
    "经": "经济委员会办公室",
    "资": "人口资源环境委员会办公室",
    "文": "文化文史和学习委员会办公室",
    "法": "社会和法制委员会办公室",
    "侨": "港澳台侨和外事委员会办公室",
    "党": "机关党组",
    "服": "机关服务中心",
    "人": "人事科",
}

AREA = {"学": "学习教育", "推": "推动工作", "载": "创新载体", "城": "参与全市创文", "基": "打牢基础"}

# code, standards, work area, title, measures, lead, supporting, recurrence, deadline (days from today),
# evidence requirement, how far it got (see _advance), sub-tasks [(title, lead, days, how far)]
# fmt: off
BREAKDOWN = [
    ("1", ["1.1.1"], "基", "党组定期专题研究创建工作",
     "党组会议每季度至少专题研究一次创建工作，形成会议纪要。",
     "党", ["办"], Q, None, "党组会议纪要、议题清单", "periodic",
     []),
    ("2", ["1.1.2"], "基", "调整充实创建工作领导小组及办公室",
     "印发领导小组成员调整通知，明确办公室人员分工。",
     "办", ["人"], None, -200, "调整通知（正式文件）", "done",
     []),
    ("3", ["1.2.1"], "基", "制定创建实施方案并分解任务",
     "制定实施方案，编制任务分解表，明确牵头科室、责任人和完成时限。",
     "办", ["研"], None, -180, "实施方案、任务分解表", "done",
     [
         ("起草创建工作实施方案（送审稿）", "办", -190, "done"),
         ("编制任务分解表并征求各委室意见", "研", -185, "done"),
     ]),
    ("4", ["1.2.2"], "基", "落实创建经费保障",
     "将创建经费纳入年度预算，建立创建工作考核奖惩办法。",
     "服", ["办"], None, 20, "预算批复、考核办法", "progress",
     []),
    ("5", ["1.3.1"], "载", "开展文明科室、文明职工评选",
     "每年评选文明科室、文明家庭、最美政协人。",
     "党", ["人"], Y, None, "评选方案、表彰决定、照片", "periodic",
     []),
    ("6", ["2.1.1"], "学", "党组理论学习中心组学习",
     "制定年度学习计划，每月开展集中学习，做好学习记录。",
     "党", ["研"], M, None, "学习计划、学习记录、研讨材料", "periodic",
     []),
    ("7", ["2.1.1"], "学", "机关干部职工全员学习",
     "落实“三会一课”，开展“学习强国”学习积分评比。",
     "党", [], ONG, None, "学习记录、积分排名截图", "ongoing",
     []),
    ("8", ["2.1.2"], "学", "开展主题教育集中学习",
     "组织专题读书班、专题党课和研讨交流。",
     "党", ["研", "文"], None, -10, "读书班方案、党课讲稿、研讨发言", "overdue",
     [
         ("举办专题读书班", "党", -15, "done"),
         ("委室负责人专题研讨交流", "研", -12, "returned"),
     ]),
    ("9", ["2.2.1"], "基", "规范机关党支部组织生活",
     "按期召开组织生活会，开展民主评议党员。",
     "党", [], H, None, "组织生活会记录、民主评议表", "periodic",
     []),
    ("10", ["2.2.2"], "学", "落实意识形态工作责任制",
     "每半年分析研判意识形态形势，开展廉政警示教育。",
     "党", ["办"], None, 45, "研判报告、警示教育照片", "started",
     []),
    ("11", ["3.1.1"], "城", "建设机关宣传阵地和公益广告",
     "在办公楼大厅、电梯间设置社会主义核心价值观公益广告。",
     "服", ["办"], None, -30, "公益广告照片（含位置说明）", "pending",
     []),
    ("12", ["3.1.2"], "学", "把核心价值观融入机关制度规范",
     "修订机关工作规则、干部职工行为规范。",
     "办", ["研", "人"], None, 60, "修订后的制度文本", "progress",
     [
         ("修订机关工作规则", "办", 40, "progress"),
         ("修订干部职工行为规范", "人", 50, "new"),
     ]),
    ("13", ["3.2.1"], "载", "开展“我们的节日”主题活动",
     "春节、清明、端午、中秋、重阳等传统节日开展主题活动。",
     "文", ["服"], Q, None, "活动方案、照片、信息稿", "periodic",
     []),
    ("14", ["3.2.2"], "学", "开展爱国主义教育主题活动",
     "组织参观爱国主义教育基地，开展“国旗下讲话”。",
     "文", ["党"], None, 10, "活动方案、照片、心得体会", "progress",
     []),
    ("15", ["4.1.1"], "学", "开展社会公德、职业道德教育",
     "举办道德讲堂，开展家风家训征集。",
     "文", ["党"], None, -40, "道德讲堂记录、家风家训汇编", "returned",
     []),
    ("16", ["4.1.2"], "载", "选树宣传机关先进典型",
     "评选“最美政协人”，在机关网站和公众号宣传。",
     "党", ["办"], None, 5, "评选结果、宣传报道链接或截图", "progress",
     []),
    ("17", ["4.2.1"], "学", "开展诚信教育与信用承诺",
     "组织干部职工签订诚信承诺书，建立个人信用档案。",
     "人", [], None, -60, "承诺书、信用档案目录", "done",
     []),
    ("18", ["4.3.1"], "推", "加强普法学习和依法履职",
     "落实“谁执法谁普法”，组织宪法和民法典学习。",
     "法", ["研"], None, 3, "学习记录、考试成绩", "started",
     []),
    ("19", ["5.1.1"], "基", "规范文明办公与来访接待",
     "制定文明办公规范，设置来访接待登记。",
     "办", ["服"], ONG, None, "文明办公规范、接待登记表", "ongoing",
     []),
    ("20", ["5.2.1"], "基", "创建节约型机关",
     "开展节水节电节纸专项行动，公示能耗数据。",
     "服", [], Q, None, "能耗统计表、节约倡议书", "periodic",
     []),
    ("21", ["5.2.2"], "基", "建设绿色低碳和无烟机关",
     "设立禁烟标识，开展垃圾分类。",
     "服", ["办"], None, -20, "禁烟标识照片、垃圾分类台账", "overdue",
     []),
    ("22", ["5.3.1"], "推", "管好机关网站和新媒体阵地",
     "建立信息发布审核制度，开展文明上网倡议。",
     "研", ["办"], ONG, None, "审核制度、倡议书、页面截图", "stalled",
     []),
    ("23", ["6.1.1"], "载", "健全志愿服务队伍和制度",
     "成立机关志愿服务队，注册率达到在职人员的 80% 以上。",
     "党", ["人"], None, -90, "队伍名册、志愿服务制度、注册截图", "done",
     []),
    ("24", ["6.2.1"], "城", "常态化开展学雷锋志愿服务",
     "每月到联系社区开展志愿服务，做好服务记录。",
     "党", ["文", "法"], M, None, "活动照片（标明时间地点人员）、服务记录", "periodic",
     [
         ("联系社区周末志愿服务", "文", 25, "progress"),
     ]),
    ("25", ["6.2.2"], "载", "打造“政协委员在身边”志愿服务品牌",
     "组织委员进社区开展咨询服务，形成品牌。",
     "提", ["经", "资", "法"], None, 90, "品牌方案、活动报道", "started",
     [
         ("委员进社区法律咨询", "法", 70, "new"),
         ("委员进社区健康义诊", "资", 75, "new"),
     ]),
    ("26", ["7.1.1"], "载", "开展“书香机关”读书学习活动",
     "建设职工书屋，开展读书分享会。",
     "文", ["研"], Q, None, "读书分享会照片、书目", "periodic",
     []),
    ("27", ["7.2.1"], "基", "建设文体活动阵地",
     "改造职工活动室，配置健身器材。",
     "服", [], None, -5, "活动室照片、器材清单", "pending",
     []),
    ("28", ["7.2.2"], "载", "开展文体活动和关爱职工活动",
     "组织运动会、健步走，开展困难职工帮扶。",
     "文", ["服", "人"], H, None, "活动照片、帮扶记录", "periodic",
     []),
    ("29", ["8.1.1"], "推", "把创建工作纳入委室年度考核",
     "将创建任务完成情况纳入委室和个人年度考核。",
     "人", ["办"], None, 30, "考核办法、考核结果", "progress",
     []),
    ("30", ["8.1.2"], "推", "提高提案办理质量",
     "开展重点提案督办，提案办复率 100%。",
     "提", ["办"], None, -15, "督办通知、办复统计表", "overdue",
     [
         ("重点提案督办调研", "提", -20, "progress"),
         ("提案办理满意度测评", "提", 10, "new"),
     ]),
    ("31", ["8.1.2"], "推", "围绕中心工作开展协商议政",
     "围绕营商环境、生态环境等开展专题协商。",
     "经", ["资", "研"], None, 120, "协商计划、调研报告、建议案", "progress",
     [
         ("营商环境专题调研", "经", 60, "progress"),
         ("生态环境保护民主监督", "资", 80, "started"),
     ]),
    ("32", ["8.1.2"], "推", "做好文史资料征集出版",
     "征集编印文史资料一辑。",
     "文", [], None, 200, "征集通知、出版物", "started",
     []),
    ("33", ["8.1.2"], "推", "加强港澳台侨联谊交流",
     "组织港澳委员视察，开展联谊活动。",
     "侨", ["办"], None, 75, "活动方案、照片", "new",
     []),
    ("34", ["8.2.1"], "推", "开展机关作风建设和服务满意度测评",
     "向委员和服务对象发放满意度问卷。",
     "办", ["人"], Y, None, "问卷、测评结果分析", "periodic",
     []),
    ("35", ["9.1.1"], "城", "开展结对帮扶和公益活动",
     "与帮扶村结对，开展消费帮扶和捐赠。",
     "经", ["党"], H, None, "帮扶协议、捐赠凭证、照片", "periodic",
     []),
    ("36", ["9.2.1"], "城", "参与全国文明城市创建",
     "承包责任路段，开展文明交通劝导。",
     "党", ["服", "侨"], M, None, "劝导活动照片、排班表", "periodic",
     []),
    ("37", ["9.2.1"], "城", "与社区开展共建活动",
     "与联系社区签订共建协议，每季度开展一次共建活动。",
     "法", ["文"], None, 15, "共建协议、活动照片", "returned",
     []),
    ("38", ["10.1.1"], "基", "整治机关办公区环境",
     "开展办公区环境整治，规范车辆停放。",
     "服", [], ONG, None, "整治前后对比照片", "ongoing",
     []),
    ("39", ["10.2.1"], "基", "落实安全生产和信访稳定责任",
     "开展消防演练，排查安全隐患，做好信访接待。",
     "服", ["办"], Q, None, "演练照片、隐患排查台账", "periodic",
     []),
    ("40", ["10.2.1"], "基", "开展保密教育和检查",
     "组织保密知识培训，开展保密自查。",
     "办", [], None, -3, "培训记录、自查报告", "overdue",
     []),
    ("41", ["1.2.1"], "基", "按月汇总报送创建工作进展",
     "各委室每月25日前报送进展，领导小组办公室汇总通报。",
     "办", [], M, None, "月度进展汇总、内部通报", "periodic",
     []),
    ("42", ["2.1.2"], "学", "组织委员和机关干部学习培训",
     "举办委员履职培训班。",
     "研", ["人"], None, 35, "培训方案、课件、签到表", "progress",
     []),
    ("43", ["3.1.1"], "推", "在政协网站开设创建专栏",
     "开设“文明创建”专栏，及时发布创建动态。",
     "研", ["办"], None, -50, "专栏页面截图、发布统计", "done",
     []),
    ("44", ["6.2.1"], "城", "开展“文明交通”志愿劝导",
     "每周一次在责任路口开展劝导。",
     "人", ["党"], ONG, None, "劝导照片、排班表", "stalled",
     []),
    ("45", ["4.1.2"], "载", "宣传身边好人好事",
     "在机关公众号开设“身边榜样”栏目。",
     "提", ["文"], None, 40, "栏目截图、稿件", "new",
     []),
    ("46", ["5.1.1"], "基", "开展文明礼仪培训",
     "组织文明礼仪和公务接待培训。",
     "人", ["办"], None, 12, "培训通知、签到表、照片", "pending",
     []),
    ("47", ["7.1.1"], "载", "举办读书征文活动",
     "开展“书香政协”征文，编印优秀作品集。",
     "文", [], None, -8, "征文通知、作品集", "returned",
     []),
    ("48", ["10.1.1"], "基", "完善创建台账资料",
     "对照测评体系逐项整理台账，做到一项一档。",
     "办", ["研", "提"], None, 150, "台账目录、档案盒照片", "started",
     [
         ("研究室台账整理", "研", 100, "started"),
         ("提案委台账整理", "提", 100, "new"),
     ]),
]
# fmt: on

NO_ACCOUNT_NAMES = {"24": "黄志刚", "36": "林晓燕", "31": "马骏"}


def _people(offices: dict[str, Office]) -> dict[str, tuple[User | None, User | None]]:
    """Each office's head and one staff member who is not the head (leadership members are not staff)."""
    found = {}
    for key, office in offices.items():
        staff = (
            User.objects.filter(office=office, is_active=True, groups__name=Role.STAFF.group_name)
            .exclude(pk=office.head_id)  # type: ignore[misc]  # None is fine: Django asks IS NULL
            .order_by("pk")
            .first()
        )
        found[key] = (office.head, staff)
    return found


def _reviewer(task: Task, checked_off_by: User, coordinator: User, admin: User | None) -> User:
    if task.parent is not None and task.parent.lead_office.head is not None:
        return task.parent.lead_office.head
    return admin if checked_off_by.pk == coordinator.pk and admin else coordinator


def _reload(task: Task) -> Task:
    return (
        Task.objects.select_related("campaign", "lead_office__head", "parent__lead_office__head")
        .prefetch_related("responsible_people", "supporting_offices")
        .get(pk=task.pk)
    )


def _advance(task: Task, how: str, head: User, staff: User | None, coordinator: User, admin: User | None) -> None:
    """Walk the task through the workflow with the services, so the history is what real use would leave."""
    if how in ("new",) or head is None:
        return
    worker = staff or head
    task = _reload(task)
    if how == "periodic":
        services.task_start(task=task, user=head)
        occurrences = list(task.occurrences.order_by("period_start"))
        today = timezone.localdate()
        for i, occurrence in enumerate(o for o in occurrences if o.due_date < today):
            if i % 4 == 3:
                continue  # a missed period now and then
            services.progress_report_add(task=task, user=worker, text="本期工作已按计划开展。", occurrence=occurrence)
            services.task_check_off(
                task=task, user=head, note="本期已完成，材料已归档。", occurrence=occurrence, confirmed=True
            )
            occurrence.refresh_from_db()
            reviewer = _reviewer(task, head, coordinator, admin)
            services.task_accept(task=_reload(task), user=reviewer, occurrence=occurrence)
            # checked off in time, except every third period
            on_time = i % 3 != 2
            when = timezone.make_aware(
                datetime.datetime.combine(
                    occurrence.due_date - datetime.timedelta(days=2 if on_time else -5), datetime.time(10)
                )
            )
            TaskOccurrence.objects.filter(pk=occurrence.pk).update(checked_off_at=when, checked_off_late=not on_time)
        return
    services.task_start(task=task, user=head if how != "ongoing" else worker)
    if how == "started":
        return
    services.progress_report_add(task=task, user=worker, text="已召开专题会议部署，正在按计划推进。")
    if how in ("progress", "overdue", "ongoing"):
        if how == "ongoing":
            services.progress_report_add(task=task, user=worker, text="本月持续开展，已记录台账。")
        return
    if how == "stalled":
        Task.objects.filter(pk=task.pk).update(last_progress_at=timezone.now() - datetime.timedelta(days=40))
        return
    task = _reload(task)
    # a sub-task kept in the parent's office is checked off by its staff and reviewed by the head
    same_office = task.parent is not None and task.parent.lead_office_id == task.lead_office_id
    checker = staff if same_office and staff else head
    services.task_check_off(task=task, user=checker, note="已按要求完成，佐证材料已上传台账。", confirmed=True)
    if how == "pending":
        return
    task = _reload(task)
    reviewer = _reviewer(task, checker, coordinator, admin)
    if how == "returned":
        services.task_return(
            task=task, user=reviewer, reason="佐证材料不完整：缺少活动照片和签到表，请补充后重新销号。"
        )
        return
    if how == "done":
        services.task_accept(task=task, user=reviewer, note="材料齐全，同意销号。")


def _campaign_start(campaign) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(campaign.start_date, datetime.time(9)))


def _spread_history(task: Task, *, start: datetime.datetime, end: datetime.datetime) -> None:
    """Give the seeded history believable dates: events and progress reports spaced from `start` to `end`, in
    their order; those of a recurring task's periods a few days before each period's due date."""
    events = list(TaskEvent.objects.filter(task=task).select_related("occurrence").order_by("pk"))
    if not events:
        return
    step = (end - start) / max(len(events) - 1, 1)  # the last event lands on `end`
    for i, event in enumerate(events):
        if event.occurrence is not None:
            when = timezone.make_aware(
                datetime.datetime.combine(event.occurrence.due_date - datetime.timedelta(days=3), datetime.time(15))
            ) + datetime.timedelta(minutes=i)
        else:
            when = start + step * i
        TaskEvent.objects.filter(pk=event.pk).update(created_at=when)
        event.created_at = when
    # a progress report carries the time of the event that recorded it (same text, same order)
    progress = [e for e in events if e.action == TaskEvent.Action.PROGRESS]
    reports = list(ProgressReport.objects.filter(task=task).order_by("pk"))
    for event, report in zip(progress, reports, strict=False):
        ProgressReport.objects.filter(pk=report.pk).update(created_at=event.created_at)
    started = next((e.created_at for e in events if e.action == TaskEvent.Action.STARTED), None)
    Task.objects.filter(pk=task.pk).update(
        created_at=min(start, events[0].created_at),
        started_at=started,
        last_progress_at=max((e.created_at for e in progress), default=None),
    )


def _create(
    *, campaign, spec, code, offices, people, standards, areas, coordinator, admin, leader, today, full_workflow: bool
):
    (_c, std_codes, area, title, measures, lead, supporting, recurrence, days, evidence, how, subs) = spec
    head, staff = people[lead]
    names = NO_ACCOUNT_NAMES.get(spec[0], "") if full_workflow else ""
    task = services.task_create(
        campaign=campaign,
        code=code,
        title=title,
        lead_office=offices[lead],
        user=coordinator,
        measures=measures,
        work_area=areas.get(AREA[area]),
        standards=[standards[c] for c in std_codes if c in standards],
        supporting_offices=[offices[s] for s in supporting],
        leader_in_charge=leader,
        responsible_people=[staff] if staff else [],
        responsible_names=names,
        deadline=today + datetime.timedelta(days=days) if days is not None else None,
        recurrence=recurrence or Recurrence.NONE,
        evidence_requirement=evidence,
    )
    if recurrence in Recurrence.periodic():
        # the breakdown was issued at the campaign's start: its periods run from then
        start = timezone.make_aware(datetime.datetime.combine(campaign.start_date, datetime.time(9)))
        Task.objects.filter(pk=task.pk).update(created_at=start)
        services.occurrences_roll(tasks=Task.objects.filter(pk=task.pk))
    children = []
    for n, (sub_title, sub_lead, sub_days, sub_how) in enumerate(subs, start=1):
        parent = _reload(task)
        sub_head, sub_staff = people[sub_lead]
        child = services.task_split(
            parent=parent,
            user=parent.lead_office.head,
            title=sub_title,
            code=f"{code}.{n}",
            lead_office=offices[sub_lead],
            responsible_people=[sub_staff] if sub_staff and sub_lead == lead else [],
            deadline=min(today + datetime.timedelta(days=sub_days), parent.deadline or datetime.date.max),
        )
        if sub_lead != lead and sub_staff:
            services.task_assign(task=_reload(child), user=sub_head, people=[sub_staff])
        if full_workflow:
            _advance(child, sub_how, sub_head, sub_staff, coordinator, admin)
        children.append(child)
    if not full_workflow:
        if how != "new" and head is not None:
            services.task_start(task=_reload(task), user=head)
        return task
    _advance(task, how, head, staff, coordinator, admin)
    now = timezone.now()
    if recurrence in Recurrence.periodic():
        start = _campaign_start(campaign)  # its periods run from the campaign's start
    elif how == "new":
        start = now - datetime.timedelta(days=10)  # recently handed out, not started yet
    else:
        start = max(now - datetime.timedelta(days=120), _campaign_start(campaign))
    _spread_history(task, start=start, end=now - datetime.timedelta(days=40 if how == "stalled" else 1))
    for child in children:
        split = (
            TaskEvent.objects.filter(task=task, action=TaskEvent.Action.SPLIT, note__startswith=f"{child.code} ")
            .values_list("created_at", flat=True)
            .first()
        )
        child_start = split or now - datetime.timedelta(days=10)
        _spread_history(child, start=child_start, end=max(child_start, now - datetime.timedelta(days=1)))
    return task


@transaction.atomic
def seed(*, scale: int = 1, stdout=None) -> None:
    campaign = demo_campaign()
    if campaign is None or not Criterion.objects.filter(campaign=campaign).exists():
        if stdout:
            stdout.write("  tasks: no current campaign with criteria, skipped")
        return
    offices = {key: Office.objects.filter(name=name).select_related("head").first() for key, name in OFFICE.items()}
    if any(o is None for o in offices.values()):
        if stdout:
            stdout.write("  tasks: demo offices missing, skipped")
        return
    people = _people(cast(dict[str, Office], offices))  # none is None: checked above
    standards = {c.code: c for c in Criterion.objects.filter(campaign=campaign, is_leaf=True)}
    areas = {a.name: a for a in WorkArea.objects.filter(campaign=campaign)}
    coordinator = User.objects.filter(username="coordinator").first()
    admin = User.objects.filter(username="admin").first()
    leader = User.objects.filter(username="leader").first()
    today = timezone.localdate()
    existing = set(Task.objects.filter(campaign=campaign).values_list("code", flat=True))
    made = 0
    for copy in range(scale):
        for spec in BREAKDOWN:
            code = spec[0] if copy == 0 else str(int(spec[0]) + copy * 100)
            if code in existing:
                continue
            _create(
                campaign=campaign,
                spec=spec,
                code=code,
                offices=offices,
                people=people,
                standards=standards
                if copy == 0
                else {c: standards.get(scaled_code(c, copy), s) for c, s in standards.items()},
                areas=areas,
                coordinator=coordinator,
                admin=admin,
                leader=leader,
                today=today,
                full_workflow=copy == 0,
            )
            made += 1
    if stdout:
        total = Task.objects.filter(campaign=campaign).count()
        stdout.write(
            f"  tasks: {total} ({made} breakdown lines added now), "
            f"{ProgressReport.objects.filter(task__campaign=campaign).count()} progress reports, "
            f"{Task.objects.filter(campaign=campaign).overdue().count()} overdue, "
            f"{Task.objects.filter(campaign=campaign, status=Status.RETURNED).count()} returned"
        )
