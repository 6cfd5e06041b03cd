"""One campaign is current; switching it, archiving and reopening are explicit, the coordinator's, and recorded; the
navigation's switcher chooses which campaign a person's pages show (their session only), and the lists, search and
exports follow that choice."""

import datetime
import io

import openpyxl
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from campaign import selection, services
from campaign.models import Campaign, CampaignEvent
from tests.db_state import database_state
from tests.evidence.factories import make_evidence
from tests.factories import CampaignFactory, CriterionFactory
from tests.tasks.factories import TaskFactory

D = datetime.date


@pytest.fixture
def next_year(db):
    return CampaignFactory(
        title="2028年复查",
        start_date=D(2028, 1, 1),
        end_date=D(2028, 12, 31),
        is_current=False,
        status=Campaign.Status.PLANNING,
    )


# --- Switching, archiving, reopening -------------------------------------------------------------------------------


def test_switching_is_recorded_with_the_campaign_it_replaces(cast, campaign, next_year, login):
    response = login(cast.coordinator).post(reverse("campaign:make_current", args=[next_year.pk]))
    assert response.status_code == 302
    assert Campaign.objects.current() == next_year
    next_year.refresh_from_db()
    assert next_year.status == Campaign.Status.ACTIVE  # it starts
    event = CampaignEvent.objects.get(campaign=next_year)
    assert (event.action, event.actor, event.source) == (CampaignEvent.Action.MADE_CURRENT, cast.coordinator, "web")
    assert event.details == {"previous": campaign.pk, "previous_title": campaign.title}
    assert Campaign.objects.filter(is_current=True).count() == 1


def test_the_database_allows_one_current_campaign(campaign, next_year):
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=next_year.pk).update(is_current=True)


def test_archiving_is_recorded_and_refused_for_the_current_campaign(cast, campaign, next_year, login):
    client = login(cast.coordinator)
    client.post(reverse("campaign:archive", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert not campaign.is_archived  # the current campaign stays open ...
    assert not CampaignEvent.objects.exists()  # ... and nothing is recorded
    client.post(reverse("campaign:make_current", args=[next_year.pk]))
    client.post(reverse("campaign:archive", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.is_archived
    archived = CampaignEvent.objects.get(campaign=campaign)
    assert archived.action == CampaignEvent.Action.ARCHIVED and archived.actor == cast.coordinator
    # an archived campaign cannot become current again without being reopened
    assert client.post(reverse("campaign:make_current", args=[campaign.pk])).status_code == 403
    assert Campaign.objects.current() == next_year
    client.post(reverse("campaign:reopen", args=[campaign.pk]))
    client.post(reverse("campaign:make_current", args=[campaign.pk]))
    assert Campaign.objects.current() == campaign
    assert list(CampaignEvent.objects.order_by("pk").values_list("campaign", "action")) == [
        (next_year.pk, "made_current"),
        (campaign.pk, "archived"),
        (campaign.pk, "reopened"),
        (campaign.pk, "made_current"),
    ]


def test_only_the_coordinator_switches_archives_and_reopens(cast, campaign, next_year, login):
    for who in ("leader", "head_a", "staff_a"):
        client = login(getattr(cast, who))
        before = database_state()
        for name in ("make_current", "archive", "reopen"):
            assert client.post(reverse(f"campaign:{name}", args=[next_year.pk])).status_code == 403, (who, name)
        assert database_state() == before


def test_the_settings_form_cannot_archive_behind_the_audit(cast, campaign, login):
    from campaign.forms import CampaignSettingsForm

    page = CampaignSettingsForm(instance=campaign, prefix="campaign")["status"].as_widget()
    assert f'value="{Campaign.Status.CLOSED}"' not in page and f'value="{Campaign.Status.ACTIVE}"' in page


# --- Which campaign the pages show ----------------------------------------------------------------------------------


@pytest.fixture
def two_years(cast, campaign, next_year, django_capture_on_commit_callbacks):
    """Last year's campaign (the fixture's, archived) and this year's (current), each with a task, a standard and
    an evidence item of its own."""
    services.campaign_make_current(campaign=next_year, user=cast.coordinator)
    campaign.refresh_from_db()
    services.campaign_archive(campaign=campaign, user=cast.coordinator)
    campaign.refresh_from_db()
    next_year.refresh_from_db()
    rows = {}
    for label, c in (("old", campaign), ("new", next_year)):
        standard = CriterionFactory(campaign=c, code="6.1", title=f"{label}标准")
        TaskFactory(campaign=c, code="1", title=f"{label}任务", lead_office=cast.office_a)
        with django_capture_on_commit_callbacks(execute=True):
            rows[label] = make_evidence(user=cast.staff_a, campaign=c, standards=[standard], title=f"{label}照片")
    return campaign, next_year


def test_pages_show_the_current_campaign_until_another_is_chosen(cast, login, two_years):
    old, new = two_years
    client = login(cast.staff_a)
    assert "new任务" in client.get(reverse("tasks:list")).content.decode()
    response = client.post(reverse("campaign:select"), {"campaign": old.pk, "next": reverse("tasks:list")})
    assert response.status_code == 302 and response["Location"] == reverse("tasks:list")
    assert client.session[selection.SESSION_KEY] == old.pk
    for url, wanted, unwanted in (
        (reverse("tasks:list"), "old任务", "new任务"),
        (reverse("evidence:browse") + "?q=照片", "old照片", "new照片"),  # search
        (reverse("evidence:mine"), "old照片", "new照片"),
        (reverse("campaign:criteria"), "old标准", "new标准"),
    ):
        page = client.get(url).content.decode()
        assert wanted in page and unwanted not in page, url
    # choosing the current campaign again follows whichever is current from then on
    client.post(reverse("campaign:select"), {"campaign": new.pk})
    assert selection.SESSION_KEY not in client.session
    assert "new任务" in client.get(reverse("tasks:list")).content.decode()


def test_exports_follow_the_chosen_campaign(cast, login, two_years):
    old, _new = two_years
    client = login(cast.coordinator)
    client.post(reverse("campaign:select"), {"campaign": old.pk})
    response = client.get(reverse("tasks:excel_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    assert "old任务" in cells and "new任务" not in cells
    exported = client.get(reverse("campaign:criteria_export_json")).content.decode()
    assert "old标准" in exported and "new标准" not in exported


def test_choosing_is_the_persons_own_and_changes_nothing_else(cast, login, two_years):
    old, new = two_years
    chooser, other = login(cast.staff_a), login(cast.staff_b)
    before = database_state()
    chooser.post(reverse("campaign:select"), {"campaign": old.pk})
    assert database_state() == before
    assert Campaign.objects.current() == new
    assert "new任务" in other.get(reverse("tasks:list")).content.decode()


@pytest.mark.parametrize("value", ["987654", str(2**64), "abc", ""])
def test_choosing_a_campaign_that_is_not_there_is_refused_with_a_message(cast, login, two_years, value):
    client = login(cast.staff_a)
    response = client.post(reverse("campaign:select"), {"campaign": value}, follow=True)
    assert response.status_code == 200
    assert selection.SESSION_KEY not in client.session
    assert "new任务" in client.get(reverse("tasks:list")).content.decode()


def test_a_chosen_campaign_that_was_deleted_falls_back_to_the_current_one(cast, login, two_years, next_year):
    spare = CampaignFactory(title="删除的", is_current=False)
    client = login(cast.staff_a)
    client.post(reverse("campaign:select"), {"campaign": spare.pk})
    spare.delete()
    assert "new任务" in client.get(reverse("tasks:list")).content.decode()


def test_the_switcher_shows_for_whoever_reads_more_than_one_campaign(cast, login, campaign, next_year):
    page = login(cast.staff_a).get(reverse("tasks:list")).content.decode()
    assert 'data-testid="campaign-switcher"' in page
    assert f'value="{next_year.pk}"' in page and f'value="{campaign.pk}"' in page
    next_year.delete()
    page = login(cast.staff_a).get(reverse("tasks:list")).content.decode()
    assert 'data-testid="campaign-switcher"' not in page  # one campaign: nothing to choose


def test_the_switcher_costs_no_query_on_a_page_that_chose_a_campaign(cast, login, campaign, next_year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.staff_a)
    client.get(reverse("tasks:list"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("tasks:list"))
    campaign_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "campaign_campaign"' in q["sql"]]
    assert len(campaign_queries) == 1, campaign_queries  # the page's choice, which the switcher reuses
