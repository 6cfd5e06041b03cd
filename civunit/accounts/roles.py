"""Roles are Django groups; one person may hold several. The group names are the Chinese role names."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    OFFICE_HEAD = "office_head", _("Office head")
    COORDINATOR = "coordinator", _("Campaign coordinator")
    LEADERSHIP = "leadership", _("Leadership group")
    ADMIN = "admin", _("Administrator")

    @property
    def group_name(self) -> str:
        return GROUP_NAMES[self]


GROUP_NAMES = {
    Role.STAFF: "干部职工",
    Role.OFFICE_HEAD: "委室负责人",
    Role.COORDINATOR: "领导小组办公室",
    Role.LEADERSHIP: "领导小组",
    Role.ADMIN: "系统管理员",
}

# Model permissions each role's group carries (app_label.codename). The object-level rules that decide what a
# person may actually do live in civunit.access and each app's access.py; these permissions describe the role in
# the admin and let the administrator see at a glance what each group is for.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.STAFF: ["campaign.view_campaign", "campaign.view_criterion"],
    Role.OFFICE_HEAD: ["campaign.view_campaign", "campaign.view_criterion"],
    Role.COORDINATOR: [
        "campaign.view_campaign",
        "campaign.change_campaign",
        "campaign.view_criterion",
        "campaign.add_criterion",
        "campaign.change_criterion",
    ],
    Role.LEADERSHIP: ["campaign.view_campaign", "campaign.view_criterion"],
    Role.ADMIN: [],
}


def ensure_role_groups(**kwargs) -> None:
    """Create the role groups and give them their permissions; safe to run after every migrate."""
    from django.contrib.auth.models import Group, Permission

    for role, group_name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted: list[Permission] = []
        for perm in ROLE_PERMISSIONS.get(role, []):
            app_label, codename = perm.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*wanted)
