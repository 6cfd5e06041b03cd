"""Group robots: reminders posted where the offices talk, in 企业微信, 钉钉 (政务钉钉 too) and 飞书 work groups.

The core machinery (models, encryption, the allow-list, each robot's API, delivery with retries and rate limits,
the pages and `manage.py robots`). What is said comes from the apps through `register_digest()`,
`register_summary()` and `post()` (scheduling.py), in the words of `Message`, `Section` and `Item` (content.py).
"""

from .content import Item, Message, Section, mobile, short_date
from .models import RobotGroup, RobotKind, RobotMessageKind
from .scheduling import post, register_digest, register_summary, send_scheduled

__all__ = [
    "Item",
    "Message",
    "RobotGroup",
    "RobotKind",
    "RobotMessageKind",
    "Section",
    "mobile",
    "post",
    "register_digest",
    "register_summary",
    "send_scheduled",
    "short_date",
]
