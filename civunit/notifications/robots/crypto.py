"""Encryption of the robots' webhook addresses and secrets (Fernet: AES-128-CBC with an HMAC, from cryptography).

The key comes from the environment (ROBOT_SECRET_KEY), never from the database, so a dump of the database alone
reveals no robot's address or secret. Several keys may be given (comma-separated): the first encrypts, every one
decrypts, so a key can be rotated by putting the new one first and saving each robot again.

With DEBUG on and no key set, a development key is derived from SECRET_KEY (a development database is then
readable by whoever has the settings, which is fine for a laptop). With DEBUG off and no key, a robot cannot be
saved or used: MissingKey says so in words.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _


class MissingKey(Exception):
    """No ROBOT_SECRET_KEY with DEBUG off."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "ROBOT_SECRET_KEY is not set, so robot addresses and secrets cannot be stored safely. The operator "
                "sets it in the environment (see .env.example)."
            )
        )


class Undecryptable(Exception):
    """A stored value that none of the keys decrypts (the key was changed without keeping the old one)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "The stored address or secret of this robot cannot be decrypted with ROBOT_SECRET_KEY (was the key "
                "changed?). Enter the address and secret again."
            )
        )


def _development_key() -> bytes:
    digest = hashlib.sha256(b"civunit.notifications.robots\x00" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _keys() -> list[bytes]:
    configured: list[str] = list(getattr(settings, "ROBOT_SECRET_KEY", []) or [])
    if configured:
        return [key.encode() for key in configured]
    if settings.DEBUG:
        return [_development_key()]
    raise MissingKey()


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def key_available() -> bool:
    try:
        _keys()
    except MissingKey:
        return False
    return True


def encrypt(value: str) -> str:
    """A Fernet token of `value` ("" stays "": nothing to hide)."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise Undecryptable() from error
