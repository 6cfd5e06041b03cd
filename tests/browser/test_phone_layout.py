"""The plan page, the review queue and the upload page on a desktop (1280 px) and a phone (390 px): nothing wider
than the screen, the navigation beside the page on the desktop and behind the toggler on the phone, the review
buttons of every row within reach."""

import datetime

import pytest

from campaign.models import LeadershipMember, Stage
from evidence.models import EvidenceItem
from tests.evidence.review_factories import jpeg_bytes, make_item, make_stored_file
from tests.factories import CriterionFactory

WIDTHS = [(1280, 860), (390, 844)]


def _fits(page, width: int) -> None:
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide on a {width} px screen"


def _within_screen(page, locator, width: int) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, f"{box} is off a {width} px screen"


def _navigation(page, width: int) -> None:
    nav = page.get_by_test_id("nav")
    if width >= 992:
        assert nav.is_visible() and page.locator(".navbar-toggler").is_hidden()
        assert page.locator(".app-header").bounding_box()["height"] < 70  # one row
    else:
        assert nav.is_hidden()
        page.locator(".navbar-toggler").click()
        page.locator(".navbar-collapse.show").wait_for()
        assert nav.is_visible()
        _fits(page, width)
        page.locator(".navbar-toggler").click()
        nav.wait_for(state="hidden")  # closed again, not still folding away


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_plan_page_fits(page, live_server, cast, campaign, browser_login, screenshot, width, height):
    LeadershipMember.objects.create(
        campaign=campaign,
        role=LeadershipMember.Role.LEADER,
        name="黄建华",
        position="市政协党组成员、秘书长",
        duties="全面领导机关创建工作，定期听取创建工作汇报，研究解决创建中的重大问题。",
    )
    for n, (kind, name) in enumerate([(Stage.Kind.MOBILISATION, "动员部署"), (Stage.Kind.INSPECTION, "迎检验收")]):
        Stage.objects.create(
            campaign=campaign,
            kind=kind,
            name=name,
            start_date=campaign.start_date + datetime.timedelta(days=90 * n),
            end_date=campaign.start_date + datetime.timedelta(days=90 * n + 30),
            description="召开创建工作动员大会，印发实施方案，将创建任务分解到各委室、机关服务中心，明确责任人和完成时限。",
        )
    page.set_viewport_size({"width": width, "height": height})
    browser_login(page, cast.head_a)
    page.goto(f"{live_server.url}/campaign/plan/")
    page.get_by_test_id("stages").wait_for()
    assert "迎检验收" in page.get_by_test_id("stages").inner_text()
    _fits(page, width)
    _navigation(page, width)
    screenshot(page, f"plan-{width}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_review_queue_fits_and_its_buttons_are_within_reach(
    page, live_server, cast, campaign, browser_login, screenshot, width, height
):
    standard = CriterionFactory(campaign=campaign, code="6.2.1", title="开展学雷锋志愿服务")
    items = [
        make_item(
            campaign=campaign,
            uploader=cast.staff_a,
            standards=[standard],
            title=title,
            caption="2026年3月5日 机关青年志愿者在阳光社区开展便民服务，为居民义务理发、测量血压、维修家电",
            stored_file=make_stored_file(jpeg_bytes(color=color, size=(640, 480))),
        )
        for title, color in (("学雷锋志愿服务进社区便民服务现场", (180, 40, 40)), ("志愿者合影", (40, 60, 170)))
    ]
    page.set_viewport_size({"width": width, "height": height})
    browser_login(page, cast.head_a)
    page.goto(f"{live_server.url}/evidence/review/")
    page.get_by_test_id("review-table").wait_for()
    _fits(page, width)
    _navigation(page, width)
    for item in items:
        row = page.locator(f"tr[data-evidence='{item.pk}']")
        for testid in ("accept", "return-reason", "return"):
            _within_screen(page, row.get_by_test_id(testid), width)
    screenshot(page, f"review-queue-{width}")
    # the first row's accept button works where it is
    with page.expect_navigation():
        page.locator(f"tr[data-evidence='{items[0].pk}']").get_by_test_id("accept").click()
    assert EvidenceItem.objects.get(pk=items[0].pk).status == EvidenceItem.Status.ACCEPTED
    _fits(page, width)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_upload_page_fits(page, live_server, cast, campaign, browser_login, screenshot, width, height):
    CriterionFactory(campaign=campaign, code="6.2.1", title="开展学雷锋志愿服务，建立常态化志愿服务机制")
    page.set_viewport_size({"width": width, "height": height})
    browser_login(page, cast.staff_a)
    page.goto(f"{live_server.url}/evidence/upload/")
    page.get_by_test_id("page-header").wait_for()
    _fits(page, width)
    _navigation(page, width)
    screenshot(page, f"upload-{width}")


# The pages the design pass gave the page header, per role that sees them: each fits a 390 px phone.
PHONE_PAGES = {
    "coordinator": [
        "/",
        "/dashboard/",
        "/campaign/criteria/",
        "/campaign/veto/",
        "/campaign/manage/",
        "/campaign/campaigns/",
        "/readiness/",
        "/bulletins/",
        "/bulletins/new/",
        "/report/",
        "/audit/",
        "/evidence/standards/",
        "/evidence/activities/",
        "/evidence/archive/",
        "/evidence/recycle-bin/",
        "/evidence/mine/",
        "/tasks/office/",
        "/notifications/",
        "/robots/",
    ],
    "admin": ["/people/", "/offices/", "/people/add/", "/offices/add/"],
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", sorted(PHONE_PAGES))
def test_the_redesigned_pages_fit_a_phone(page, live_server, cast, campaign, browser_login, screenshot, role):
    CriterionFactory(
        campaign=campaign, code="6.2.1", title="开展学雷锋志愿服务，建立常态化志愿服务机制，做到有组织、有计划、有记录"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, getattr(cast, role))
    for path in PHONE_PAGES[role]:
        page.goto(f"{live_server.url}{path}")
        page.get_by_test_id("page-header").wait_for()
        scroll, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{path} is {scroll} px wide on a {inner} px screen"
        _within_screen(page, page.get_by_test_id("page-header"), 390)
    screenshot(page, f"phone-{role}-last")
