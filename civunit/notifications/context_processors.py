from functools import cached_property

from .services import UNREAD_COUNT_CAP, unread_count


class Bell:
    """The navbar bell's figures, computed only when a template reads them (pages without the navbar pay
    nothing) and once per render."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self._user)

    @cached_property
    def label(self) -> str:
        return f"{UNREAD_COUNT_CAP - 1}+" if self.count >= UNREAD_COUNT_CAP else str(self.count)


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_bell": Bell(user)}
