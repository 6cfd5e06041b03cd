"""The core's read registry: each app registers the read rule of its models in its AppConfig.ready(); an object of
a kind no app registered is readable by nobody, not even an administrator."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

from campaign.models import Campaign, ImportRecord
from civunit import access
from tasks.models import TaskEvent


@pytest.mark.parametrize("obj", [ImportRecord(), TaskEvent(), Group(name="领导小组")], ids=lambda o: type(o).__name__)
def test_an_object_of_a_kind_no_app_registered_is_readable_by_nobody(cast, obj):
    assert obj._meta.label_lower not in access.READ_RULES
    for user in cast.everyone.values():
        assert not access.can_read(user, obj)


def test_the_apps_register_exactly_the_models_a_generic_path_may_show():
    assert set(access.READ_RULES) == {
        "notifications.notification",
        "campaign.campaign",
        "campaign.criterion",
        "campaign.workarea",
        "campaign.plan",
        "campaign.stage",
        "campaign.leadershipmember",
        "campaign.vetocondition",
        "campaign.assessment",
        "campaign.explanation",
        "campaign.criterionrequirement",
        "tasks.task",
        "tasks.taskoccurrence",
        "tasks.progressreport",
        "evidence.evidenceitem",
        "evidence.activity",
        "evidence.archivecheck",
        "reports.bulletin",
        "backup.backuprun",  # a failed backup's notification links to its record (coordinators, administrators)
    }


def test_a_registered_rule_decides_and_inactive_people_read_nothing(cast, campaign):
    assert access.can_read(cast.staff_a, campaign)
    cast.staff_a.is_active = False
    assert not access.can_read(cast.staff_a, campaign)


def test_a_second_rule_for_a_registered_model_is_refused():
    assert access.register_read_rule(Campaign, access.plan_level) is access.plan_level  # the same rule again: fine
    with pytest.raises(ImproperlyConfigured, match=r"campaign\.campaign already has a read rule"):
        access.register_read_rule(Campaign, lambda user, obj: True)
    assert access.READ_RULES["campaign.campaign"] is access.plan_level
