"""The main navigation, by role. An entry whose URL does not exist (yet) is left out, so apps add their pages
by naming them here."""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civunit import access
from civunit.accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    visible: Callable = access.can_read_plan


NAV_ITEMS = [
    NavItem("home", _("Home"), "reports:home"),
    NavItem("plan", _("Plan"), "campaign:plan"),
    NavItem("criteria", _("Criteria"), "campaign:criteria"),
    NavItem("my_tasks", _("My tasks"), "tasks:mine", lambda u: access.is_active_user(u) and not access.is_read_only(u)),
    NavItem("tasks", _("Task breakdown"), "tasks:list"),
    NavItem("evidence", _("Evidence"), "evidence:browse"),
    NavItem("bulletins", _("Bulletins"), "reports:bulletins"),
    NavItem(
        "readiness",
        _("Readiness check"),
        "reports:readiness",
        # by role (already read for the navigation): which offices a head heads is the page's question
        lambda u: access.sees_everything(u) or (access.is_active_user(u) and u.has_role(Role.OFFICE_HEAD)),
    ),
    NavItem("report", _("Campaign report"), "reports:report", access.sees_everything),
    NavItem(
        "upload",
        _("Upload"),
        "evidence:upload",
        lambda u: access.is_active_user(u) and not access.is_read_only(u),
    ),
    NavItem("manage", _("Imports and exports"), "campaign:manage", access.can_manage_campaign),
    NavItem("robots", _("Group robots"), "robots:list", access.is_coordinator),
    NavItem("archive", _("Binder"), "evidence:archive", access.is_coordinator),
    NavItem("audit", _("Audit trail"), "reports:audit", access.is_coordinator),
    NavItem("people", _("People and offices"), "accounts:people", access.is_admin),
    NavItem("admin", _("Administration"), "admin:index", access.can_use_admin),
]


# Bootstrap Icons (static/vendor/bootstrap-icons) beside each entry, by key.
ICONS = {
    "home": "house-door",
    "plan": "journal-text",
    "criteria": "list-check",
    "my_tasks": "person-check",
    "tasks": "diagram-3",
    "evidence": "folder2-open",
    "bulletins": "megaphone",
    "readiness": "clipboard2-check",
    "upload": "cloud-arrow-up",
    "manage": "arrow-left-right",
    "robots": "robot",
    "archive": "archive",
    "people": "people",
    "report": "file-earmark-richtext",
    "audit": "journal-text",
    "admin": "gear",
}


@functools.cache
def _url(url_name: str, prefix: str, urlconf: str | None) -> str | None:
    """An entry's address (None: the page does not exist), reversed once per process for each URL configuration
    and script prefix: every page draws the navigation."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def items_for(user) -> list[dict]:
    items = []
    prefix, urlconf = get_script_prefix(), get_urlconf()
    for item in NAV_ITEMS:
        if not item.visible(user):
            continue
        url = _url(item.url_name, prefix, urlconf)
        if url is None:
            continue
        items.append({"key": item.key, "label": item.label, "url": url, "icon": ICONS.get(item.key, "dot")})
    return items
