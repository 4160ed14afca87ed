"""The channel registry: every channel the notifier can deliver on, by name (see
notifier.channels.spec.Channel for what a channel declares). Email and SMS are built in; a host adds
its own (e.g. webhooks) with `register` at start-up, before enqueueing or delivering on it."""

from __future__ import annotations

import threading

from notifier.channels.builtin import EMAIL_CHANNEL, SMS_CHANNEL
from notifier.channels.spec import Channel

_channels: dict[str, Channel] = {EMAIL_CHANNEL.name: EMAIL_CHANNEL, SMS_CHANNEL.name: SMS_CHANNEL}
_lock = threading.Lock()


def register(channel: Channel) -> None:
    """Add a channel, or replace the one of the same name (registering again is harmless)."""
    if not channel.name or len(channel.name) > 10:
        raise ValueError(f"a channel name has 1 to 10 characters, not {channel.name!r}")
    with _lock:
        _channels[channel.name] = channel


def unregister(name: str) -> None:
    """Remove a channel a host added (the built-in ones stay)."""
    if name in (EMAIL_CHANNEL.name, SMS_CHANNEL.name):
        raise ValueError(f"the {name} channel is built in")
    with _lock:
        _channels.pop(name, None)


def find(name: str) -> Channel | None:
    return _channels.get(name)


def channel(name: str) -> Channel:
    """The channel called name; ValueError for an unknown one."""
    found = _channels.get(name)
    if found is None:
        raise ValueError(f"unknown channel {name!r}: use one of {', '.join(names())}")
    return found


def names() -> tuple[str, ...]:
    return tuple(_channels)


def template_channels() -> tuple[Channel, ...]:
    """The channels whose messages render from staff-editable templates."""
    return tuple(c for c in _channels.values() if c.parts)


def ordered_channels() -> tuple[str, ...]:
    return tuple(name for name, c in _channels.items() if c.ordered)
