"""An archived campaign is read-only across the whole application: every state-changing URL of the URL matrix,
pointed at the archived campaign's objects (the matrix's world) or at the archived campaign chosen in the switcher,
answers 403 with the reason and changes nothing, while every page that only reads answers as it did before the
campaign was archived.

The URLs come from the resolver (tests/test_url_matrix.py), so a view added later is walked too.
"""

import datetime

import pytest
from django.urls import get_resolver

import tests.test_url_matrix as matrix
from campaign import services
from campaign.models import Campaign
from tests.db_state import database_state
from tests.factories import CampaignFactory

world = matrix.world  # the matrix's world: one object of every kind a URL names, in the `campaign` fixture

# POSTs that change no data of the archived campaign (each is tested on its own).
CHANGES_ELSEWHERE = {
    "campaign:select": "the person's own session: which campaign their pages show",
    "campaign:reopen": "the one way back out of an archive (audited)",
    "campaign:campaign_new": "starts a new campaign from the current one",
    "evidence:link_into_current": "files the old item into the current campaign, the old one untouched",
    "evidence:archive_export": "exports the binder: a read of the archived campaign, kept as a job's file",
}
# Nothing of a campaign: the person's account and notifications, the organ's group robots, the admin, people and
# offices (administrators), background jobs (GET only).
NOT_CAMPAIGN_DATA = ("logout", "password_change", "password_change_done", "login", "healthz")
NOT_CAMPAIGN_PREFIXES = ("notifications:", "robots:", "admin:", "accounts:", "jobs:")
# Pages (GET only) that are forms for a change: refused on an archived campaign as their POST is.
CHANGE_FORMS = {"evidence:upload", "evidence:replace_form", "tasks:excel_preview"}

REFUSAL = "已归档"


def world_routes(world_ids: dict) -> list[tuple[str, str]]:
    routes = []
    for name, route, _p in matrix.walk(get_resolver()):
        url = matrix.world_url(name, route, world_ids)
        if url is None or (url.startswith("/admin/") and name != "admin:index"):
            continue
        if name in NOT_CAMPAIGN_DATA or name.startswith(NOT_CAMPAIGN_PREFIXES):
            continue
        routes.append((name, url))
    return routes


@pytest.fixture
def archive(campaign):
    """Archive the world's campaign the way the coordinator does: the next one is made current, then it is
    archived. Returns the new current campaign."""

    def _archive(by) -> Campaign:
        successor = CampaignFactory(
            title="2028年复查",
            start_date=datetime.date(2028, 1, 1),
            end_date=datetime.date(2028, 12, 31),
            is_current=False,
            status=Campaign.Status.PLANNING,
        )
        services.campaign_make_current(campaign=successor, user=by)
        campaign.refresh_from_db()
        services.campaign_archive(campaign=campaign, user=by)
        campaign.refresh_from_db()
        assert campaign.is_archived and not campaign.is_current
        return successor

    return _archive


def _looking_at(client, campaign: Campaign) -> None:
    response = client.post("/campaign/select/", {"campaign": campaign.pk, "next": "/"})
    assert response.status_code == 302


@pytest.mark.slow
def test_every_state_changing_url_of_an_archived_campaign_answers_403_and_changes_nothing(
    cast, campaign, login, world, archive
):
    archive(cast.coordinator)
    refused: list[str] = []
    for who in ("coordinator", "head_a", "staff_a"):
        client = login(getattr(cast, who))
        _looking_at(client, campaign)  # list-level actions (create, upload, import, bulk) act on the archived one
        before = database_state()  # after signing in (which records the login)
        for name, url in world_routes(world):
            if name in CHANGES_ELSEWHERE:
                continue
            response = client.post(url, matrix.GARBAGE)
            # the coordinator reads everything; for others, what they may not read still answers 404
            allowed = (403, 405) if who == "coordinator" else (403, 404, 405)
            assert response.status_code in allowed, (who, name, url, response.status_code)
            assert database_state() == before, (who, name, url)
            if response.status_code == 403 and who == "coordinator":
                # refused because the campaign is archived (the coordinator may do everything else), and told why
                assert REFUSAL in response.content.decode(), (name, url)
                refused.append(name)
    # the walk reaches the actions of every app (a sample that must be among the refused)
    assert {
        "campaign:plan_edit",
        "campaign:assessment_save",
        "campaign:criteria_import",
        "campaign:veto_update",
        "campaign:make_current",
        "campaign:archive",
        "tasks:create",
        "tasks:start",
        "tasks:bulk",
        "tasks:excel_apply",
        "evidence:upload_file",
        "evidence:upload_link",
        "evidence:accept",
        "evidence:review_bulk",
        "evidence:edit",
        "evidence:delete",
        "evidence:purge",
        "evidence:activity_create",
        "evidence:activity_upload",
        "reports:bulletin_create",
        "reports:bulletin_publish",
    } <= set(refused)


@pytest.mark.slow
def test_the_reads_of_an_archived_campaign_answer_as_before(cast, campaign, login, world, archive):
    """Pages, exports and report history: the same answer before and after archiving, for the roles that read
    everything (coordinator, leadership) and for an office's staff and head."""
    people = {"coordinator": cast.coordinator, "leader": cast.leader, "staff_a": cast.staff_a, "head_b": cast.head_b}
    clients = {who: login(user) for who, user in people.items()}
    routes = world_routes(world)
    before = {(who, name): c.get(url).status_code for who, c in clients.items() for name, url in routes}
    archive(cast.coordinator)
    read_views = []
    for who, client in clients.items():
        _looking_at(client, campaign)
        for name, url in routes:
            after = client.get(url).status_code
            if after != before[(who, name)]:
                # only a form for a change may be refused now: a page that also takes the change (its POST is
                # refused too), or one of the few GET-only forms
                assert after == 403, (who, name, url, before[(who, name)], after)
                assert name in CHANGE_FORMS or client.post(url, {}).status_code == 403, (who, name)
                continue
            if after == 200:
                read_views.append(name)
    # what was promised stays readable, by those who could read it
    assert {
        "campaign:plan",
        "campaign:criteria",
        "campaign:criterion",
        "campaign:veto",
        "campaign:criteria_export_xlsx",
        "tasks:list",
        "tasks:detail",
        "tasks:excel_export",
        "evidence:browse",
        "evidence:detail",
        "evidence:download",
        "evidence:activity",
        "reports:dashboard",
        "reports:bulletins",
        "reports:bulletin",
    } <= set(read_views)


def test_the_archived_campaigns_pages_show_its_own_data_and_offer_no_change(cast, campaign, login, world, archive):
    from tasks.models import Task

    archive(cast.coordinator)
    client = login(cast.coordinator)
    _looking_at(client, campaign)
    task = Task.objects.get(pk=world["task"])
    page = client.get("/tasks/").content.decode()
    assert task.title in page
    assert 'data-testid="campaign-banner"' in page  # the page says which campaign it shows, and that it is archived
    detail = client.get(f"/tasks/{task.pk}/").content.decode()
    assert f"/tasks/{task.pk}/start/" not in detail  # no action offered
    evidence = client.get(f"/evidence/{world['evidence']}/").content.decode()
    assert f"/evidence/versions/{world['evidence']}/edit/" not in evidence


def test_reopening_is_the_one_change_an_archived_campaign_takes(cast, campaign, login, world, archive):
    from campaign.models import CampaignEvent

    archive(cast.coordinator)
    response = login(cast.coordinator).post(f"/campaign/campaigns/{campaign.pk}/reopen/")
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert not campaign.is_archived
    assert CampaignEvent.objects.filter(campaign=campaign, action=CampaignEvent.Action.REOPENED).exists()
    # and the changes are accepted again
    assert login(cast.coordinator).post(f"/campaign/campaigns/{campaign.pk}/archive/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.is_archived
