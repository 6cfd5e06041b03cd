"""Creating notifications. Every app sends through notify(); it checks that the recipient may read the object.

The notifications helper owns this module; the signature below is the contract the other apps call.
"""

from __future__ import annotations

import datetime

from django.db import models


def notify(
    *,
    recipient,
    kind: str,
    obj: models.Model,
    text: str,
    actor=None,
    url: str = "",
    day: datetime.date | None = None,
):
    """Notify `recipient` of `kind` about `obj` (in-app, and by e-mail after commit where they opted in).

    Returns the notification, or None when the recipient may not read `obj` or was already told (same
    object, kind and day). Call it inside the transaction that made the change.
    """
    return None
