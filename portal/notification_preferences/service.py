"""Changing notification preferences: a user's own choices per kind of event, and the signed
one-click unsubscribe link (RFC 8058) that switches one off without signing in.

Security mail (password reset, address verification...) is always sent and never offers an
unsubscribe link.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee
from itsdangerous import BadSignature, URLSafeSerializer

from portal.db import database
from portal.errors import NotFound, ValidationFailed
from portal.i18n import _l
from portal.links import absolute
from portal.models.base import utcnow
from portal.models.notifications import NotificationPreference
from portal.models.people import User
from portal.notification_preferences.queries import events_for
from portal.notify.catalogue import event_title, is_security_event
from portal.notify.rules import CHANNELS
from portal.settings import setting


def _upsert(user: User, event: str, **channels: bool) -> None:
    values = {"user": user.id, "event": event, "email": True, "sms": True, "updated_at": utcnow(), **channels}
    update = {getattr(NotificationPreference, name): value for name, value in channels.items()}
    update[NotificationPreference.updated_at] = values["updated_at"]
    (
        NotificationPreference.insert(**values)
        .on_conflict(
            conflict_target=[NotificationPreference.user, NotificationPreference.event],
            update=update,
        )
        .execute()
    )


def save_preferences(user: User, choices: dict[str, set[str]]) -> None:
    """Store the signed-in user's channels for each event shown to them (missing events: both off).
    Any signed-in user, for themselves only. Raises ValidationFailed for events not offered."""
    offered = events_for(user)
    unknown = set(choices) - set(offered)
    if unknown or any(not set(channels) <= set(CHANNELS) for channels in choices.values()):
        raise ValidationFailed(_l("Those notification choices are not offered to you."))
    with database.atomic():
        for event in offered:
            chosen = choices.get(event, set())
            _upsert(user, event, email="email" in chosen, sms="sms" in chosen)


# --- one-click unsubscribe (RFC 8058) -----------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(setting("SECRET_KEY"), salt="unsubscribe")


def unsubscribe_token(user_uuid: str, event: str) -> str:
    return _serializer().dumps({"u": str(user_uuid), "e": event})


def unsubscribe_headers(user_uuid: str, event: str) -> dict[str, str]:
    """Headers to pass to notifier.enqueue for an email of `event` to this user: List-Unsubscribe
    with a signed one-click link, and List-Unsubscribe-Post. Empty for security events."""
    if is_security_event(event) or not user_uuid:
        return {}
    url = absolute("notification_preferences.unsubscribe", token=unsubscribe_token(user_uuid, event))
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


@dataclass(frozen=True)
class Unsubscription:
    user: User
    event: str
    title: str


def read_unsubscribe_token(token: str) -> Unsubscription:
    """What a signed unsubscribe link switches off. Raises NotFound for a bad token or unknown user."""
    try:
        data = _serializer().loads(token)
        user_uuid, event = str(data["u"]), str(data["e"])
    except (BadSignature, KeyError, TypeError):
        raise NotFound() from None
    user = User.get_or_none(User.uuid == user_uuid)
    if user is None or is_security_event(event):
        raise NotFound()
    return Unsubscription(user, event, event_title(event))


def unsubscribe(token: str) -> Unsubscription:
    """Switch off exactly the (user, event) email preference a signed link names. Anyone holding the
    link may call it (the signature is the authority). Raises NotFound for a bad token."""
    target = read_unsubscribe_token(token)
    try:
        with database.atomic():
            _upsert(target.user, target.event, email=False)
    except peewee.IntegrityError:  # pragma: no cover - the upsert cannot conflict
        raise NotFound() from None
    return target
