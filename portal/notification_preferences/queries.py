"""Each user's notification preferences as they stand: what a user may switch, what they chose, and
the delivery-time check the notifier runs just before sending.

Security mail (password reset, address verification...) is always sent. No preference row means both
channels are on.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.models.notifications import NotificationPreference, NotificationRule
from portal.models.people import User
from portal.notify.catalogue import event_title, is_security_event
from portal.notify.rules import CHANNELS, DEFAULT_RULES

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


