"""A local HTTPS server on 127.0.0.1 and a free port that plays the three robots' webhook APIs as their documentation
describes them, for the group robot tests (civunit/notifications/robots).

- 企业微信: POST /cgi-bin/webhook/send?key=KEY, JSON {"msgtype": "text"|"markdown", …}; text content at most 2048
  bytes, markdown content at most 4096; answers {"errcode": 0, "errmsg": "ok"}.
- 钉钉: POST /robot/send?access_token=TOKEN[&timestamp=…&sign=…]; with 加签 the timestamp (ms) must be within an hour
  and sign the URL-encoded base64 HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret, else errcode 310000.
- 飞书: POST /open-apis/bot/v2/hook/TOKEN, JSON {"msg_type": …, "content"|"card": …[, "timestamp", "sign"]}; with a
  secret, sign is the base64 HMAC-SHA256 keyed with "timestamp\\nsecret" over an empty message, else code 19021.

The signatures are checked here with the documents' algorithm written out again (not the app's code), so a wrong
implementation in the app fails. Each token can be given a script of behaviours for its next requests ("error":
the robot's rate-limit error code, "http500", "slow": an answer after `slow_seconds`, "redirect": a 302 to another
path of this server), then it answers as documented. The certificate is self-signed for 127.0.0.1 and given to the
app through ROBOT_CA_BUNDLE.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import hmac
import json
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

WECOM_PATH = "/cgi-bin/webhook/send"
DINGTALK_PATH = "/robot/send"
FEISHU_PATH = "/open-apis/bot/v2/hook/"
PUBLIC_PREFIXES = [
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    "https://oapi.dingtalk.com/robot/send",
    "https://open.feishu.cn/open-apis/bot/v2/hook/",
]


@dataclass
class Received:
    kind: str
    token: str
    path: str
    query: dict[str, str]
    body: dict
    answer: dict | None
    status: int


@dataclass
class FakeRobots:
    base_url: str = ""
    secrets: dict[str, str] = field(default_factory=dict)
    scripts: dict[str, list[str]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    slow_seconds: float = 3.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def prefixes(self) -> list[str]:
        return [self.base_url + WECOM_PATH, self.base_url + DINGTALK_PATH, self.base_url + FEISHU_PATH]

    def url(self, kind: str, token: str) -> str:
        if kind == "wecom":
            return f"{self.base_url}{WECOM_PATH}?key={token}"
        if kind == "dingtalk":
            return f"{self.base_url}{DINGTALK_PATH}?access_token={token}"
        return f"{self.base_url}{FEISHU_PATH}{token}"

    def of(self, token: str) -> list[Received]:
        return [r for r in self.received if r.token == token]

    def delivered(self, token: str) -> list[Received]:
        """The requests of `token` the robot accepted."""
        return [
            r
            for r in self.of(token)
            if r.status == 200 and r.answer and not (r.answer.get("errcode") or r.answer.get("code"))
        ]

    def next_behaviour(self, token: str) -> str:
        with self.lock:
            script = self.scripts.get(token) or []
            return script.pop(0) if script else "ok"


# --- The documents' signatures, written out again -------------------------------------------------------------


def expected_dingtalk_sign(secret: str, timestamp: str) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256).digest()
    return base64.b64encode(mac).decode()  # the query string arrives URL-decoded


def expected_feishu_sign(secret: str, timestamp: str) -> str:
    mac = hmac.new(f"{timestamp}\n{secret}".encode(), b"", digestmod=hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def _valid_body(kind: str, body: dict) -> bool:
    if kind == "wecom":
        if body.get("msgtype") == "text":
            return 0 < len(body["text"]["content"].encode()) <= 2048
        if body.get("msgtype") == "markdown":
            return 0 < len(body["markdown"]["content"].encode()) <= 4096
        return False
    if kind == "dingtalk":
        if body.get("msgtype") == "markdown":
            return bool(body["markdown"].get("title")) and bool(body["markdown"].get("text"))
        return body.get("msgtype") == "text" and bool(body["text"].get("content"))
    if body.get("msg_type") == "interactive":
        return bool(body.get("card", {}).get("elements"))
    return body.get("msg_type") == "text" and bool(body.get("content", {}).get("text"))


def _handler(robots: FakeRobots) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # quiet
            pass

        def _answer(self, status: int, payload: dict | None, *, location: str = "") -> None:
            data = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            split = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(split.query))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = {}
            if split.path == WECOM_PATH:
                kind, token = "wecom", query.get("key", "")
            elif split.path == DINGTALK_PATH:
                kind, token = "dingtalk", query.get("access_token", "")
            elif split.path.startswith(FEISHU_PATH):
                kind, token = "feishu", split.path[len(FEISHU_PATH) :]
            else:
                kind, token = "other", split.path
            status, answer, location = self._decide(kind, token, query, body)
            robots.received.append(Received(kind, token, split.path, query, body, answer, status))
            with contextlib.suppress(OSError):  # the client gave up (the timeout test)
                self._answer(status, answer, location=location)

        def _decide(self, kind, token, query, body):
            if kind == "other":
                return 200, {"errcode": 0, "errmsg": "ok"}, ""
            behaviour = robots.next_behaviour(token)
            if behaviour == "slow":
                time.sleep(robots.slow_seconds)
            elif behaviour == "http500":
                return 500, {"error": "internal"}, ""
            elif behaviour == "redirect":
                return 302, None, f"{robots.base_url}/elsewhere"
            elif behaviour == "error":
                if kind == "feishu":
                    return 200, {"code": 11232, "msg": "frequency limited psm[lark.oapi.app_platform_runtime]"}, ""
                if kind == "wecom":
                    return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}, ""
                return 200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}, ""
            secret = robots.secrets.get(token)
            if kind == "dingtalk":
                if secret is not None:
                    timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
                    fresh = timestamp.isdigit() and abs(time.time() * 1000 - int(timestamp)) < 3600 * 1000
                    if not fresh or not hmac.compare_digest(sign, expected_dingtalk_sign(secret, timestamp)):
                        return (
                            200,
                            {
                                "errcode": 310000,
                                "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]",
                            },
                            "",
                        )
                if not _valid_body(kind, body):
                    return 200, {"errcode": 40035, "errmsg": "缺少参数 json"}, ""
                return 200, {"errcode": 0, "errmsg": "ok"}, ""
            if kind == "feishu":
                if secret is not None:
                    timestamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
                    fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 3600
                    if not fresh or not hmac.compare_digest(sign, expected_feishu_sign(secret, timestamp)):
                        return (
                            200,
                            {
                                "code": 19021,
                                "msg": "sign match fail or timestamp is not within one hour from current time",
                                "data": {},
                            },
                            "",
                        )
                if not _valid_body(kind, body):
                    return 200, {"code": 9499, "msg": "Bad Request", "data": {}}, ""
                return 200, {"code": 0, "msg": "success", "data": {}}, ""
            if not _valid_body(kind, body):
                return 200, {"errcode": 40008, "errmsg": "invalid message type"}, ""
            return 200, {"errcode": 0, "errmsg": "ok"}, ""

    return Handler


# --- The certificate and the fixture ------------------------------------------------------------------------------


def _self_signed(directory: Path) -> tuple[Path, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "robots-cert.pem", directory / "robots-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture(scope="session")
def robot_certificate(tmp_path_factory) -> tuple[Path, Path]:
    return _self_signed(tmp_path_factory.mktemp("robot-tls"))


@pytest.fixture
def robot_server(settings, robot_certificate):
    """FakeRobots served over HTTPS on 127.0.0.1 and a free port; the app trusts its certificate and allows its
    three prefixes besides the public ones; retries do not wait and a robot has 2 seconds to answer."""
    cert_path, key_path = robot_certificate
    robots = FakeRobots()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(robots))
    server.daemon_threads = True
    server.block_on_close = False
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    robots.base_url = f"https://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.ROBOT_ALLOWED_URL_PREFIXES = [*PUBLIC_PREFIXES, *robots.prefixes]
    settings.ROBOT_CA_BUNDLE = str(cert_path)
    settings.ROBOT_RETRY_BACKOFF = 0
    settings.ROBOT_TIMEOUT = 2.0
    try:
        yield robots
    finally:
        server.shutdown()
        server.server_close()
