"""Staff actions on the outbox."""

from __future__ import annotations

from notifier import outbox
from portal import policy
from portal.db import database
from portal.errors import InvalidTransition, NotFound
from portal.i18n import _l
from portal.outbox_views.queries import STATUS_LABELS

NOT_REQUEUEABLE = {
    "queued": _l("Only failed, stopped or held messages can be sent again; this one is queued."),
    "sending": _l("Only failed, stopped or held messages can be sent again; this one is sending."),
    "sent": _l("Only failed, stopped or held messages can be sent again; this one is sent."),
}


def requeue_message(actor, message_uuid: str):
    """Put a dead, failed or held (outcome unknown) message back in the queue. Staff who may read the message
    (policy.can_requeue_message); everyone else gets NotFound, as for an unknown message.

    Raises NotFound, or InvalidTransition when the message is queued, sending or sent.
    """
    try:
        message = outbox.message_by_uuid(message_uuid)
    except outbox.MessageNotFound:
        raise NotFound() from None
    if not policy.can_requeue_message(actor, message):
        raise NotFound()
    try:
        with database.atomic():
            return outbox.requeue(message.uuid)
    except outbox.NotRequeueable:
        raise InvalidTransition(NOT_REQUEUEABLE.get(message.status) or _l(
            "Only failed, stopped or held messages can be sent again; this one is in the state “%(state)s”.",
            state=STATUS_LABELS.get(message.status, message.status))) from None
