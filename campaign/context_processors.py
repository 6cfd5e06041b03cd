"""The navigation's campaign switcher: the campaigns the person may read and the one their pages show. Lazy, and
reusing the campaigns the page already loaded (campaign.selection), so a page that chose a campaign pays nothing
more and a page that renders no navigation pays nothing at all."""

from django.utils.functional import SimpleLazyObject

from . import selection
from .access import can_manage_campaigns


def _switcher(request) -> dict:
    rows = selection.any_campaigns(request)
    shown = selection.pick(rows, selection.chosen_id(request))
    return {
        "choices": rows,
        "shown": shown,
        # the switcher shows for people who may read more than one campaign
        "many": len(rows) > 1,
        # a campaign other than the current one is shown: the page says so
        "elsewhere": shown is not None and not shown.is_current,
        "current": next((c for c in rows if c.is_current), None),
        "may_manage": can_manage_campaigns(request.user),
    }


def campaign_switcher(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"campaign_switcher": SimpleLazyObject(lambda: _switcher(request))}
