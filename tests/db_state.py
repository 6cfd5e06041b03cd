"""A snapshot of every row of the project's own tables, to show that a refused request changed nothing."""

from django.apps import apps

APP_LABELS = ("accounts", "campaign", "tasks", "evidence", "notifications")


def database_state() -> dict:
    """Every row of the project's tables (test worlds are small), with many-to-many links."""
    state = {}
    for label in APP_LABELS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            state[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return state
