"""Delivering due messages: claim a batch, render once, send, record each attempt."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notifier.budget import TemplateLimits
from notifier.channels.devsink import DevSinkChannel
from notifier.channels.errors import PermanentDeliveryError, TransientDeliveryError
from notifier.channels.outgoing import OutgoingEmail, OutgoingSms
from notifier.channels.sms import HttpSmsChannel
from notifier.channels.smtp import SmtpChannel
from notifier.clock import aware
from notifier.leases import (
    claim_batch,
    full_jitter_backoff,
    mark_dead,
    mark_failed,
    mark_sent,
    mark_suppressed,
    release,
    store_rendered,
)
from notifier.models import EMAIL, SMS, Message, write_transaction
from notifier.rendering import RenderError, render_parts
from notifier.settings import Settings
from notifier.sms_segments import sms_shape
from notifier.templates import active_template

log = logging.getLogger("notifier.dispatcher")

# Stop starting new sends when less than this share of the lease is left: a send that finishes
# after the lease expired may race a second worker that has reclaimed the row.
LEASE_SAFETY_FRACTION = 0.2


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    released: int = 0
    lost: int = 0
    suppressed: int = 0
    errors: list[str] = field(default_factory=list)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def channel_for(channel: str, settings: Settings):
    """The sender configured for a channel, or None when that channel is switched off."""
    if channel == EMAIL:
        return SmtpChannel(settings) if settings.MAIL_BACKEND == "smtp" else DevSinkChannel(settings)
    if settings.SMS_BACKEND == "http":
        return HttpSmsChannel(settings)
    if settings.SMS_BACKEND == "devsink":
        return DevSinkChannel(settings)
    return None


def deliver_due(
    settings: Settings,
    *,
    now: datetime | None = None,
    worker_id: str | None = None,
    channels=None,
    suppress=None,
) -> DeliveryReport:
    """Claim one batch of due messages and try to deliver each. Safe to run in several processes.

    `channels` limits the batch to some channels (e.g. ["email"]). `suppress(message)` is the
    host's last word just before each send: it returns a reason not to send (the message ends
    `suppressed`, the reason kept as an attempt) or None. Returns counts of what happened.
    """
    started = time.monotonic()
    claimed_at = aware(now)
    worker_id = worker_id or default_worker_id()
    if channels is None and settings.SMS_BACKEND == "none":
        channels = [EMAIL]
    claim = claim_batch(
        claimed_at, worker_id, settings.NOTIFIER_BATCH_SIZE, settings.NOTIFIER_LEASE_SECONDS, channels
    )
    report = DeliveryReport(claimed=len(claim.messages))
    if not claim.messages:
        return report

    def current_time() -> datetime:
        # `now` may be a test's fixed instant; real elapsed time still counts against the lease.
        return claimed_at + timedelta(seconds=time.monotonic() - started)

    safety_margin = timedelta(seconds=settings.NOTIFIER_LEASE_SECONDS * LEASE_SAFETY_FRACTION)
    stop_at = claim.lease_expires_at - safety_margin
    senders: dict[str, object] = {}
    templates: dict[tuple, object] = {}
    ready = _render_batch(claim, current_time, report, templates, settings.template_limits)
    with ExitStack() as stack:
        for index, message in enumerate(ready):
            if current_time() >= stop_at:
                report.released += release(ready[index:], claim.token)
                log.warning("lease running out: released %d messages", report.released)
                break
            if message.channel not in senders:
                sender = channel_for(message.channel, settings)
                senders[message.channel] = stack.enter_context(sender) if sender else None
            sender = senders[message.channel]
            _deliver_one(message, claim, sender, settings, current_time, report, suppress)
    return report


def _mark_dead(message, claim, started_at, finished_at, reason, outcome, report) -> None:
    if mark_dead(message, claim.token, claim.worker_id, started_at, finished_at, reason, outcome):
        report.dead += 1
    else:
        report.lost += 1
    report.errors.append(f"{message.uuid}: {reason}")


def _render_batch(claim, current_time, report, templates, limits: TemplateLimits) -> list[Message]:
    """Render every message of the batch not rendered yet and keep the results on the rows, all in
    one transaction (one commit per batch, not per message). Returns the messages ready to send;
    a render error (including a template over its budget) makes only that message dead."""
    # Render before taking the write lock: on SQLite the transaction below blocks every other
    # writer, and a template may use its whole time budget.
    outcomes = []
    for message in claim.messages:
        if message.rendered is not None:
            outcomes.append((message, None, None, None, None))
            continue
        started_at = current_time()
        try:
            rendered, error = _render(message, templates, limits), None
        except RenderError as failure:
            rendered, error = None, str(failure)
        outcomes.append((message, rendered, error, started_at, current_time()))
    ready = []
    with write_transaction():
        for message, rendered, error, started_at, finished_at in outcomes:
            if message.rendered is not None:
                ready.append(message)
                continue
            if error is not None:
                _mark_dead(message, claim, started_at, finished_at, error, "render_error", report)
                continue
            sms_info = None
            if message.channel == SMS:
                shape = sms_shape(rendered["text"])
                sms_info = (shape.encoding, shape.segments)
            if store_rendered(message, claim.token, rendered, sms_info):
                message.rendered = rendered
                ready.append(message)
            else:
                report.lost += 1
    return ready


def _suppression_reason(message: Message, suppress) -> str | None:
    if suppress is None:
        return None
    reason = suppress(message)
    return str(reason)[:1000] if reason else None


def _deliver_one(message: Message, claim, sender, settings: Settings, current_time, report, suppress=None) -> None:
    started_at = current_time()

    def dead(reason: str, outcome: str = "permanent") -> None:
        _mark_dead(message, claim, started_at, current_time(), reason, outcome, report)

    try:
        reason = _suppression_reason(message, suppress)
    except Exception as error:  # a failing check must neither send nor lose the message
        log.exception("suppress check failed for %s", message.uuid)
        _retry_later(message, claim, settings, started_at, current_time(),
                     TransientDeliveryError(f"delivery check failed: {type(error).__name__}: {error}"), report)
        return
    if reason is not None:
        if mark_suppressed(message, claim.token, claim.worker_id, started_at, current_time(), reason):
            report.suppressed += 1
        else:
            report.lost += 1
        return

    if sender is None:
        dead(f"the {message.channel} channel is switched off")
        return
    if message.attempts > settings.NOTIFIER_MAX_ATTEMPTS:
        # Claims count as attempts, so a message that keeps crashing its worker ends up here.
        dead(f"gave up after {message.attempts - 1} attempts (worker lost during earlier attempts)")
        return
    try:
        provider_id = sender.send(_outgoing(message))
    except PermanentDeliveryError as error:
        dead(str(error))
        return
    except TransientDeliveryError as error:
        _retry_later(message, claim, settings, started_at, current_time(), error, report)
        return
    if mark_sent(message, claim.token, claim.worker_id, started_at, current_time(), provider_id):
        report.sent += 1
    else:
        report.lost += 1


def _retry_later(message, claim, settings: Settings, started_at, finished_at, error, report) -> None:
    if message.attempts >= settings.NOTIFIER_MAX_ATTEMPTS:
        _mark_dead(message, claim, started_at, finished_at,
                   f"{error} (gave up after {message.attempts} attempts)", "transient", report)
        return
    delay = full_jitter_backoff(
        message.attempts, settings.NOTIFIER_BACKOFF_BASE_SECONDS, settings.NOTIFIER_BACKOFF_CAP_SECONDS
    )
    if getattr(error, "retry_after", None):
        delay = max(delay, error.retry_after)
    next_attempt_at = finished_at + timedelta(seconds=delay)
    held = mark_failed(message, claim.token, claim.worker_id, started_at, finished_at, str(error), next_attempt_at)
    if held:
        report.failed += 1
    else:
        report.lost += 1
    report.errors.append(f"{message.uuid}: {error}")


def _render(message: Message, templates: dict, limits: TemplateLimits) -> dict:
    # One lookup per template slot and batch: a batch is usually many messages of few events.
    slot = (message.event, message.channel, message.language, message.variant)
    if slot not in templates:
        templates[slot] = active_template(*slot)
    template = templates[slot]
    if template is None:
        raise RenderError(f"no {message.channel} template for event {message.event!r}")
    return render_parts(message.channel, template.parts, message.context, limits)


def _outgoing(message: Message):
    rendered = message.rendered
    if message.channel == EMAIL:
        return OutgoingEmail(
            message_uuid=str(message.uuid),
            to_address=message.address,
            to_name=message.recipient_name,
            subject=rendered["subject"],
            text=rendered["text"],
            html=rendered.get("html"),
            thread=message.thread,
            headers=tuple((message.extra_headers or {}).items()),
        )
    return OutgoingSms(message_uuid=str(message.uuid), to_number=message.address, text=rendered["text"])
