"""Staff actions on the outbox."""

from __future__ import annotations

from notifier import outbox
from portal.db import database
from portal.errors import InvalidTransition, NotFound
from portal.notifications.queries import STATUS_LABELS
from portal.policy import require_role


def requeue_message(actor, message_uuid: str):
    """Put a dead or failed message back in the queue. Staff only (others: NotFound).

    Raises NotFound for an unknown message, InvalidTransition when it is queued, sending or sent.
    """
    require_role(actor, "agent", "supervisor", "admin", hide=True)
    try:
        message = outbox.message_by_uuid(message_uuid)
        with database.atomic():
            return outbox.requeue(message.uuid)
    except outbox.MessageNotFound:
        raise NotFound() from None
    except outbox.NotRequeueable:
        state = STATUS_LABELS.get(message.status, message.status).lower()
        raise InvalidTransition(f"Only failed or stopped messages can be sent again; this one is {state}.") from None
