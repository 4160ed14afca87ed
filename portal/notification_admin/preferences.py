"""Recipient preferences: which channels each user wants per kind of event, one-click unsubscribe,
and the delivery-time check the notifier runs just before sending.

Security mail (password reset, address verification...) is always sent and never offers an
unsubscribe link. No preference row means both channels are on.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee
from itsdangerous import BadSignature, URLSafeSerializer

from portal.db import database
from portal.errors import NotFound, ValidationFailed
from portal.links import absolute
from portal.models.base import utcnow
from portal.models.notifications import NotificationPreference, NotificationRule
from portal.models.people import User
from portal.notification_admin.catalogue import event_title, is_security_event
from portal.notification_rules import DEFAULT_RULES
from portal.settings import setting

CHANNELS = ("email", "sms")
# Which audiences of the rules table each role belongs to: what "concerns" a user.
ROLE_AUDIENCES = {
    "customer": {"customer", "linked_customers"},
    "proxy": {"internal_contact"},
    "agent": {"assignee", "workgroup"},
    "supervisor": {"assignee", "workgroup", "supervisors"},
    "admin": {"assignee", "workgroup", "supervisors"},
}


def preference_allows(user_uuid: str, event: str, channel: str) -> bool:
    """May `event` reach this user on `channel`? Security events always may; otherwise the user's
    stored choice, defaulting to yes. Anyone may call it (it reads, it never raises for unknown users)."""
    if is_security_event(event):
        return True
    if channel not in CHANNELS:
        return True
    row = (
        NotificationPreference.select(NotificationPreference.email, NotificationPreference.sms)
        .join(User)
        .where(
            (User.uuid == str(user_uuid))
            & (NotificationPreference.event == event)
        )
        .first()
    )
    return True if row is None else bool(getattr(row, channel))


def delivery_suppression(message) -> str | None:
    """The notifier's `suppress` hook: a reason not to send `message` now, or None.

    Messages carry the recipient user's UUID in `ref` when the recipient has an account.
    """
    if not message.ref or preference_allows(message.ref, message.event, message.channel):
        return None
    channel = "text messages" if message.channel == "sms" else "email"
    return f"the recipient switched off {channel} for “{event_title(message.event)}”"


@dataclass(frozen=True)
class PreferenceRow:
    event: str
    title: str
    email: bool
    sms: bool
    security: bool


def events_for(user: User) -> list[str]:
    """The kinds of event that can reach this user by role, in the rules table's order: those the
    built-in rules or any stored rule send to one of the role's audiences."""
    audiences = ROLE_AUDIENCES.get(user.role, set())
    events = [event for event, rules in DEFAULT_RULES.items() if audiences & set(rules)]
    stored = (
        NotificationRule.select(NotificationRule.event)
        .where(
            NotificationRule.audience.in_(sorted(audiences))
            & (NotificationRule.email | NotificationRule.sms)
        )
        .distinct()
    )
    extra = sorted({rule.event for rule in stored} - set(events))
    return [*events, *extra]


def preferences_of(user: User) -> list[PreferenceRow]:
    """The user's choices for every event that concerns them (own user only: callers pass current_user)."""
    stored = {
        row.event: row
        for row in NotificationPreference.select().where(NotificationPreference.user == user)
    }
    rows = []
    for event in events_for(user):
        row = stored.get(event)
        rows.append(PreferenceRow(event, event_title(event), row.email if row else True,
                                  row.sms if row else True, is_security_event(event)))
    return rows


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
        raise ValidationFailed("Those notification choices are not offered to you.")
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
