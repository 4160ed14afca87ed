"""What a delivery channel declares to the notifier (see notifier.registry): how its addresses are
checked, how a message is rendered (from a staff-edited template, or straight from its context), what
the sender receives, and which sender the settings choose. The outbox, leases, retries with backoff,
the dead letter, the circuit breaker and the attempts log are the same for every channel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from notifier.words import Words


def _always(settings) -> bool:
    return True


@dataclass(frozen=True)
class Channel:
    # Stored in Message.channel (at most 10 characters).
    name: str
    # The address as it will be sent to; ValueError for anything undeliverable by shape.
    normalise: Callable[[str], str]
    # The sender the settings choose (a context manager with send(outgoing), probe(), and an
    # `endpoint` naming its circuit breaker, or None for none), or None when the channel is off.
    sender: Callable[[Any], Any]
    # What the sender's send() receives, built from a claimed, rendered Message.
    outgoing: Callable[[Any], Any]
    # Whether a delivery run that names no channels includes this one.
    enabled: Callable[[Any], bool] = _always
    # Template parts (a channel without parts renders with `render` instead).
    parts: tuple[str, ...] = ()
    required_parts: tuple[str, ...] = ()
    required_reason: Words | None = None
    # Default template files in templates/notifications/<event>/: part -> file name.
    default_files: Mapping[str, str] = field(default_factory=dict)
    # Checks and tidies what the template rendered (raises RenderError).
    finish: Callable[[dict], dict] | None = None
    # For channels without templates: the rendering, from the message (its context) alone.
    render: Callable[[Any], dict] | None = None
    # Extra Message columns to store with the rendering (e.g. SMS encoding and segments).
    measure: Callable[[dict], dict] | None = None
    # Whether the message carries the host's extra (email) headers.
    takes_headers: bool = False
    # Messages to one address with the same `thread` are sent one after the other, in the order
    # they were queued: a later one is not claimed while an earlier one is queued, sending or failed.
    ordered: bool = False
