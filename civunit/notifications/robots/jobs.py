"""The background job that delivers a robot message (queued after the transaction that created it commits)."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils import timezone

from . import delivery


@task()
def deliver_robot_message(message_id: int) -> str:
    """Deliver one message (see delivery.deliver); safe to run twice: the message is claimed before it is sent."""
    backend = deliver_robot_message.get_backend()

    def requeue(seconds: float) -> None:
        run_after = timezone.now() + datetime.timedelta(seconds=seconds)
        deliver_robot_message.using(run_after=run_after).enqueue(message_id)

    return delivery.deliver(message_id, can_defer=backend.supports_defer, requeue=requeue)
