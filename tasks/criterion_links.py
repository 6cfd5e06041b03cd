"""The tasks section of a standard's page (registered with campaign.links in TasksConfig.ready)."""

from tasks.selectors import tasks_for_standard


def tasks_of_standard(request, criterion) -> dict | None:
    if not criterion.is_leaf:
        return None
    tasks = list(tasks_for_standard(user=request.user, criterion=criterion))
    return {"template": "tasks/_criterion_section.html", "tasks": tasks}
