"""What each robot's API documents beyond the body: how a request is signed, what a successful answer looks like,
and how many messages a robot takes per minute.

- 钉钉 custom robot, 加签: `timestamp` (milliseconds) and `sign` in the query string, where sign is the URL-encoded
  base64 of HMAC-SHA256(key = secret, message = "timestamp\\nsecret"). The timestamp must be within an hour of
  钉钉's clock. Success: {"errcode": 0, "errmsg": "ok"}; e.g. 310000 is a wrong signature (or keyword, or IP),
  130101 "send too fast". At most 20 messages a minute per robot.
- 企业微信 group robot: no signature (the key in the address is the credential). Success: {"errcode": 0,
  "errmsg": "ok"}; 45009 is the rate limit. At most 20 messages a minute per robot.
- 飞书 custom bot, 签名校验: `timestamp` (seconds, a string) and `sign` in the body, where sign is the base64 of
  HMAC-SHA256 with key = "timestamp\\nsecret" over an empty message. Success: {"code": 0, "msg": "success"} (older
  answers: {"StatusCode": 0}); 19021 is a wrong signature, 11232 the rate limit. At most 100 a minute and 5 a
  second per bot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from .models import RobotKind

# (messages, seconds): a robot takes at most that many messages within any window of that many seconds.
RATE_LIMITS: dict[str, tuple[tuple[int, int], ...]] = {
    RobotKind.DINGTALK: ((20, 60),),
    RobotKind.WECOM: ((20, 60),),
    RobotKind.FEISHU: ((100, 60), (5, 1)),
}


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def feishu_sign(secret: str, timestamp_s: str) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed(kind: str, url: str, body: dict[str, Any], secret: str, *, now: float | None = None) -> tuple[str, bytes]:
    """The address and the encoded body of one attempt, signed now when the robot has a secret."""
    now = time.time() if now is None else now
    if secret and kind == RobotKind.DINGTALK:
        timestamp = str(round(now * 1000))
        url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"
    elif secret and kind == RobotKind.FEISHU:
        timestamp = str(int(now))
        body = {"timestamp": timestamp, "sign": feishu_sign(secret, timestamp), **body}
    return url, json.dumps(body, ensure_ascii=False).encode()


@dataclass(frozen=True)
class Answer:
    ok: bool
    # The robot's answer in a few words ("errcode 310000: sign not match"), or why there was none.
    summary: str
    http_status: int | None = None


def interpret(kind: str, http_status: int, raw: bytes) -> Answer:
    text = raw.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return Answer(ok=False, summary=f"HTTP {http_status}: {text[:300]}", http_status=http_status)
    if kind == RobotKind.FEISHU:
        code = data.get("code", data.get("StatusCode"))
        message = data.get("msg", data.get("StatusMessage", ""))
        label = "code"
    else:
        code, message, label = data.get("errcode"), data.get("errmsg", ""), "errcode"
    ok = http_status == 200 and code == 0
    summary = f"{label} {code}: {message}" if code is not None else f"HTTP {http_status}: {text[:300]}"
    return Answer(ok=ok, summary=summary[:500], http_status=http_status)
