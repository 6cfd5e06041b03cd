"""Receivers of signals sent by the layers below tasks (connected in TasksConfig.ready()). They only call
services: the logic stays in tasks/services."""

from .services import link_pending_people


def link_pending_people_of_changed_person(sender, *, user, **kwargs) -> None:
    """An account was created or renamed in the admin: tasks that name the person now name the account."""
    link_pending_people(user=user)
