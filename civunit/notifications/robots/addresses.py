"""Which webhook addresses a robot may have: https only, and only under a prefix the operator allowed.

`ROBOT_ALLOWED_URL_PREFIXES` (settings, from the environment) defaults to the public endpoints of the three
robots. Addresses are compared part by part (scheme, host, port, then the path under the prefix's path), never as
strings, so "https://oapi.dingtalk.com.evil.example/", "https://oapi.dingtalk.com@10.0.0.1/" or a path that climbs
out of the prefix with "/../" do not pass. The robot's own address is checked again at every send (the list may
have shrunk since it was saved), and redirects are never followed (delivery.py), so the server cannot be pointed at
loopback, a private address or another host unless the operator listed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

from django.conf import settings

from .models import RobotKind

# The public endpoints: an address under one of them belongs to that kind of robot.
PUBLIC_ENDPOINTS: dict[str, str] = {
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send": RobotKind.WECOM,
    "https://oapi.dingtalk.com/robot/send": RobotKind.DINGTALK,
    "https://open.feishu.cn/open-apis/bot/v2/hook/": RobotKind.FEISHU,
}

# Whitespace, control characters and backslashes have no business in a webhook address (and some clients read
# "\" as "/").
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\\]")
MAX_LENGTH = 1000


@dataclass(frozen=True)
class _Parts:
    host: str
    port: int
    path: str


def _parts(split: SplitResult) -> _Parts | None:
    try:
        port = split.port or 443
    except ValueError:
        return None
    host = (split.hostname or "").rstrip(".")
    if not host:
        return None
    return _Parts(host=host.lower(), port=port, path=split.path or "/")


def _climbs(path: str) -> bool:
    """Whether a path has "." or ".." segments, plain or percent-encoded."""
    segments = unquote(unquote(path)).split("/")
    return any(segment in (".", "..") for segment in segments)


def allowed_prefixes() -> list[str]:
    return [str(p) for p in getattr(settings, "ROBOT_ALLOWED_URL_PREFIXES", [])]


def matching_prefix(url: str) -> str | None:
    """The allowed prefix `url` lies under, or None when the address is refused."""
    if not url or len(url) > MAX_LENGTH or _FORBIDDEN.search(url):
        return None
    try:
        split = urlsplit(url)
    except ValueError:
        return None
    if split.scheme != "https" or split.username is not None or split.password is not None or split.fragment:
        return None
    if "@" in split.netloc:
        return None
    parts = _parts(split)
    if parts is None or _climbs(split.path):
        return None
    for prefix in allowed_prefixes():
        allowed = urlsplit(prefix)
        allowed_parts = _parts(allowed)
        if allowed.scheme != "https" or allowed_parts is None:
            continue
        if (parts.host, parts.port) != (allowed_parts.host, allowed_parts.port):
            continue
        base = allowed.path or "/"
        if parts.path == base or parts.path.startswith(base if base.endswith("/") else base + "/"):
            # The path must go on after a prefix that ends with "/" (feishu's hook/<token>).
            if base.endswith("/") and parts.path == base:
                continue
            return prefix
    return None


def is_allowed(url: str) -> bool:
    return matching_prefix(url) is not None


def public_kind(url: str) -> str | None:
    """The kind of robot a public endpoint's address belongs to (None for another host, e.g. 政务钉钉)."""
    prefix = matching_prefix(url)
    if prefix is None:
        return None
    for endpoint, kind in PUBLIC_ENDPOINTS.items():
        if prefix.rstrip("/") == endpoint.rstrip("/"):
            return kind
    return None


def masked(url: str) -> str:
    """The address with what follows the allowed prefix masked but for its last four characters, e.g.
    https://oapi.dingtalk.com/robot/send••••3f9a: enough to tell two robots apart, not enough to post."""
    prefix = matching_prefix(url)
    if prefix is None:
        return "••••"
    split = urlsplit(url)
    base = urlsplit(prefix).path or "/"
    rest = split.path[len(base) :] + (f"?{split.query}" if split.query else "")
    tail = rest[-4:] if len(rest) > 8 else ""
    return f"{prefix}••••{tail}"
