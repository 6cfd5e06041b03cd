"""What a robot message says, and how each kind of robot wants it.

The apps describe a message once (a Message of Sections of Items, in words and app URLs); `render()` turns it into
the body each robot's API documents:

- 钉钉: `markdown` (title, text) with `at.atMobiles`: each person to mention is written as @mobile in the text,
  which 钉钉 shows as an @ of that member.
- 企业微信: `markdown` (content, at most 4096 bytes); its markdown cannot mention anyone, so a message that
  mentions people is sent as `text` (at most 2048 bytes) with `mentioned_mobile_list` instead: a reminder whose
  people are not alerted is the thing robots are for.
- 飞书: an `interactive` card with a header and a `lark_md` block. Its custom bots mention by open_id only (not by
  mobile), so people are named, not mentioned.

Links are absolute when SITE_URL is set and left out when it is not (a relative link means nothing in a chat).
Text from the apps (task titles, review notes) is neutralised where markdown or the robots' tags could read it as
markup, so a title such as "<at id=all></at>" mentions nobody. A message too long for the robot loses items from
its longest sections, with "N more" in their place.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from .models import RobotKind

# Bytes (UTF-8) of the main text each robot accepts, with a margin under the documented limits.
LIMITS: dict[tuple[str, str], int] = {
    (RobotKind.WECOM, "markdown"): 4000,
    (RobotKind.WECOM, "text"): 2000,
    (RobotKind.DINGTALK, "markdown"): 15000,
    (RobotKind.FEISHU, "markdown"): 15000,
}

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def mobile(phone: str) -> str | None:
    """The mainland mobile number written in `phone` ("138 0000 1111", "+86-13800001111"), else None (a
    landline cannot be mentioned)."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    digits = digits.removeprefix("+")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _MOBILE.match(digits) else None


@dataclass(frozen=True)
class Item:
    """One line: `text` (linked to `url`, an app path, when SITE_URL is set), then `detail`; `mobiles` are the
    people to mention."""

    text: str
    url: str = ""
    detail: str = ""
    mobiles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[Item, ...] = ()
    # How many there are in all, when the app listed only some of them.
    total: int | None = None

    @property
    def count(self) -> int:
        return max(self.total or 0, len(self.items))


@dataclass(frozen=True)
class Message:
    title: str
    lines: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    url: str = ""
    link_text: str = ""

    @property
    def mobiles(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for section in self.sections:
            for item in section.items:
                for number in item.mobiles:
                    seen.setdefault(number, None)
        return tuple(seen)


def short_date(day: datetime.date) -> str:
    """A day as messages write it: 6月15日."""
    return formats.date_format(day, _("n/j"))


def absolute(url: str) -> str:
    """An app path made absolute with SITE_URL; "" without SITE_URL (or for an address of another site)."""
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    base = str(getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else ""


_MARKUP = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "*": "＊", "`": "＇", "\r": " ", "\n": " "})


def _plain(text: str) -> str:
    return str(text).translate(_MARKUP).strip()


def full_title(message: Message) -> str:
    return _("[Civilized unit campaign] %(title)s") % {"title": message.title}


def _more(section: Section) -> str:
    left = section.count - len(section.items)
    return _("… and %(count)d more") % {"count": left} if left > 0 else ""


def _markdown(message: Message, *, mention: bool, heading: bool) -> str:
    out: list[str] = []
    if heading:
        out.append(f"#### {_plain(full_title(message))}")
    out += [_plain(line) for line in message.lines if line]
    for section in message.sections:
        block = [f"**{_plain(section.heading)}**"] if section.heading else []
        rows = []
        for number, item in enumerate(section.items, 1):
            link = absolute(item.url)
            text = f"[{_plain(item.text)}]({link})" if link else _plain(item.text)
            if item.detail:
                text += f"：{_plain(item.detail)}"
            if mention and item.mobiles:
                text += " " + " ".join(f"@{m}" for m in item.mobiles)
            rows.append(f"{number}. {text}")
        if more := _more(section):
            rows.append(more)
        out.append("\n".join(block + rows))
    if link := absolute(message.url):
        out.append(f"[{_plain(message.link_text or _('Open'))}]({link})")
    return "\n\n".join(out)


def _text(message: Message) -> str:
    out = [_plain(full_title(message)), *(_plain(line) for line in message.lines if line)]
    for section in message.sections:
        block = [_plain(section.heading)] if section.heading else []
        for number, item in enumerate(section.items, 1):
            text = f"{number}. {_plain(item.text)}"
            if item.detail:
                text += f"：{_plain(item.detail)}"
            if link := absolute(item.url):
                text += f" {link}"
            block.append(text)
        if more := _more(section):
            block.append(more)
        out.append("\n".join(block))
    if link := absolute(message.url):
        out.append(_("%(text)s: %(link)s") % {"text": _plain(message.link_text or _("Open")), "link": link})
    return "\n\n".join(out)


def _body(kind: str, message: Message) -> tuple[dict[str, Any], str, str]:
    """The body, its main text and the format the limit applies to."""
    title = full_title(message)
    if kind == RobotKind.DINGTALK:
        text = _markdown(message, mention=True, heading=True)
        body: dict[str, Any] = {"msgtype": "markdown", "markdown": {"title": _plain(title), "text": text}}
        body["at"] = {"atMobiles": list(message.mobiles), "isAtAll": False}
        return body, text, "markdown"
    if kind == RobotKind.WECOM:
        if message.mobiles:
            text = _text(message)
            body = {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": list(message.mobiles)}}
            return body, text, "text"
        text = _markdown(message, mention=False, heading=True)
        return {"msgtype": "markdown", "markdown": {"content": text}}, text, "markdown"
    text = _markdown(message, mention=False, heading=False)
    card = {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": _plain(title)}, "template": "blue"},
        "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": text}}],
    }
    return {"msg_type": "interactive", "card": card}, text, "markdown"


def _shorter(message: Message) -> Message | None:
    """The message with one item less from its longest section; None when no section has an item to spare."""
    longest = max(message.sections, key=lambda s: len(s.items), default=None)
    if longest is None or len(longest.items) <= 1:
        return None
    sections = tuple(replace(s, items=s.items[:-1], total=s.count) if s is longest else s for s in message.sections)
    return replace(message, sections=sections)


def render(kind: str, message: Message) -> dict[str, Any]:
    """The body to post to a robot of `kind` (without the signature, which delivery adds at each attempt)."""
    current: Message | None = message
    while current is not None:
        body, text, fmt = _body(kind, current)
        if len(text.encode()) <= LIMITS[(kind, fmt)]:
            return body
        current = _shorter(current)
    # Still too long with one item a section (very long lines): cut the text itself.
    one_each = tuple(replace(s, items=s.items[:1], total=s.count) for s in message.sections)
    body, text, fmt = _body(kind, replace(message, sections=one_each))
    limit = LIMITS[(kind, fmt)]
    cut = text.encode()[: limit - 3].decode(errors="ignore") + "…"
    if kind == RobotKind.DINGTALK:
        body["markdown"]["text"] = cut
    elif kind == RobotKind.WECOM:
        body[body["msgtype"]]["content"] = cut
    else:
        body["card"]["elements"][0]["text"]["content"] = cut
    return body
