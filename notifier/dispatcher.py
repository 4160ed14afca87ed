"""Delivering due messages: claim a batch, render once, send, record each attempt.

An attempt is counted when it is made (`start_attempt`, just before the send), never at claim, so
a worker that keeps crashing spends no attempts of messages it never tried. If a run fails, what it
had not tried is released at once; if the process died, a new run with the same worker id takes it
back at once, and any other worker after the lease. A message whose outcome is unknown (handed
over, no answer; or its worker died mid-send) is held for review, never resent blindly. When a
channel as a whole is down, its circuit breaker stops the worker from trying it until a probe
connects again; the messages are given back with their attempts unspent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notifier import registry
from notifier.breaker import BREAKERS, Breakers
from notifier.budget import TemplateLimits
from notifier.channels.errors import (
    AttemptNotStarted,
    ChannelDownError,
    OutcomeUnknownError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifier.clock import aware
from notifier.leases import (
    claim_batch,
    extend_lease,
    full_jitter_backoff,
    give_back,
    mark_dead,
    mark_failed,
    mark_sent,
    mark_suppressed,
    mark_unknown,
    release,
)
from notifier.marks import SentMarks, start_attempt, store_renderings
from notifier.models import Message, database, write_transaction
from notifier.rendering import RenderError, render_parts
from notifier.settings import Settings
from notifier.templates import active_template

log = logging.getLogger("notifier.dispatcher")

# Renew the claim's lease once less than this share of it is left.
LEASE_RENEW_FRACTION = 0.5


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    released: int = 0
    lost: int = 0
    suppressed: int = 0
    # Handed over without an answer: held for review.
    unknown: int = 0
    # Given back untried because their channel went down.
    deferred: int = 0
    # Channels not tried in this run because their breaker is open.
    channels_down: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def default_worker_id(settings: Settings | None = None) -> str:
    if settings is not None and settings.NOTIFIER_WORKER_ID:
        return settings.NOTIFIER_WORKER_ID
    return f"{socket.gethostname()}:{os.getpid()}"


# The claims each worker id is working on in this process: its other rows in `sending` are
# leftovers of a run that failed, taken back by its next run. Claims of one worker id in one process
# are made one at a time, so a run never mistakes another running claim for a leftover.
_running: dict[str, set[str]] = {}
_claiming = threading.Lock()


def _claim(claimed_at, worker_id: str, settings: Settings, channels):
    with _claiming:
        running = _running.setdefault(worker_id, set())
        claim = claim_batch(claimed_at, worker_id, settings.NOTIFIER_BATCH_SIZE,
                            settings.NOTIFIER_LEASE_SECONDS, channels, active_tokens=frozenset(running))
        if claim.messages:
            running.add(claim.token)
        elif not running:
            _running.pop(worker_id, None)
    return claim


def _finished(worker_id: str, token: str) -> None:
    with _claiming:
        running = _running.get(worker_id, set())
        running.discard(token)
        if not running:
            _running.pop(worker_id, None)


def channel_for(channel: str, settings: Settings):
    """The sender configured for a channel, or None when that channel is switched off or unknown."""
    spec = registry.find(channel)
    return spec.sender(settings) if spec is not None else None


class KeptSenders:
    """Senders kept open from one `deliver_due` to the next (the scheduler's delivery job keeps them
    for its run of batches, so a backlog reuses one SMTP connection instead of one per batch).
    Close it when done (a context manager); a batch that fails closes them."""

    def __init__(self):
        self.stack = ExitStack()
        self.senders: dict[str, object] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        senders, self.senders = self.senders, {}
        stack, self.stack = self.stack, ExitStack()
        if senders:
            stack.close()

    def settle(self) -> None:
        """Between batches: nothing of a batch may stay pending on a kept sender (SMTP: an
        envelope sent ahead is abandoned, which hands nothing over)."""
        for sender in self.senders.values():
            settle = getattr(sender, "settle", None)
            if settle is not None:
                settle()


class _Channels:
    """The senders of one run, opened on first use, with their breakers."""

    def __init__(self, settings: Settings, stack: ExitStack, breakers: Breakers, senders: dict | None = None):
        self.settings, self.stack, self.breakers = settings, stack, breakers
        self.senders: dict[str, object] = {} if senders is None else senders

    def sender(self, channel: str):
        if channel not in self.senders:
            sender = channel_for(channel, self.settings)
            self.senders[channel] = self.stack.enter_context(sender) if sender else None
        return self.senders[channel]

    def breaker(self, channel: str):
        sender = self.sender(channel)
        if sender is None or not getattr(sender, "endpoint", None):
            return None
        s = self.settings
        return self.breakers.get(
            sender.endpoint, s.NOTIFIER_CHANNEL_BACKOFF_BASE_SECONDS, s.NOTIFIER_CHANNEL_BACKOFF_CAP_SECONDS
        )

    def usable(self, channel: str) -> bool:
        """False while the channel's breaker is open; when a probe is due, probe it first."""
        breaker = self.breaker(channel)
        if breaker is None or not breaker.is_open:
            return True
        if not breaker.probe_due():
            return False
        try:
            self.sender(channel).probe()
        except ChannelDownError as error:
            breaker.trip(str(error))
            return False
        breaker.close()
        return True

    def is_down(self, channel: str) -> bool:
        breaker = self.breaker(channel)
        return breaker is not None and breaker.is_open


def deliver_due(
    settings: Settings,
    *,
    now: datetime | None = None,
    worker_id: str | None = None,
    channels=None,
    suppress=None,
    breakers: Breakers | None = None,
    kept: KeptSenders | None = None,
) -> DeliveryReport:
    """Claim one batch of due messages and try to deliver each. Safe to run in several processes.

    `channels` limits the batch to some channels (e.g. ["email"]). `suppress(message)` is the
    host's last word just before each send: it returns a reason not to send (the message ends
    `suppressed`, the reason kept as an attempt) or None. `kept`, when given, holds the senders
    (and their connections) for the next call instead of closing them. Returns counts of what happened.
    """
    if kept is None:
        with ExitStack() as stack:
            return _deliver_due(settings, now, worker_id, channels, suppress, breakers, stack, None)
    try:
        report = _deliver_due(settings, now, worker_id, channels, suppress, breakers, kept.stack, kept.senders)
    except BaseException:
        kept.close()
        raise
    kept.settle()
    return report


def _deliver_due(settings, now, worker_id, channels, suppress, breakers, stack: ExitStack, senders) -> DeliveryReport:
    started = time.monotonic()
    claimed_at = aware(now)
    worker_id = worker_id or default_worker_id(settings)
    if channels is None:
        channels = [name for name in registry.names() if registry.channel(name).enabled(settings)]
    report = DeliveryReport()

    def current_time() -> datetime:
        # `now` may be a test's fixed instant; real elapsed time still counts against the lease.
        return claimed_at + timedelta(seconds=time.monotonic() - started)

    senders = _Channels(settings, stack, breakers or BREAKERS, senders)
    usable = []
    for channel in channels:
        (usable if senders.usable(channel) else report.channels_down).append(channel)
    if not usable:
        return report
    claim = _claim(claimed_at, worker_id, settings, usable)
    report.claimed = len(claim.messages)
    if not claim.messages:
        return report
    try:
        _deliver_claim(claim, senders, settings, current_time, report, suppress)
    except BaseException:
        # A failed run (database outage, a bug, shutdown) gives back what it has not tried.
        with contextlib.suppress(Exception):
            report.released += release(claim.messages, claim.token)
        raise
    finally:
        _finished(worker_id, claim.token)
    return report


def _deliver_claim(claim, senders: _Channels, settings: Settings, current_time, report, suppress) -> None:
    ready = _render_batch(claim, current_time, report, {}, settings.template_limits)
    lanes = [ready[n::settings.NOTIFIER_LANES] for n in range(min(settings.NOTIFIER_LANES, len(ready)))]
    if len(lanes) <= 1:
        _deliver_lane(lanes[0] if lanes else [], claim, senders, settings, current_time, report, suppress)
        return
    # Each further lane is a thread with its own database connection and its own senders (one
    # connection to the relay each), sharing the breakers; each keeps its own counts, added up
    # after all have finished. The first lane runs here, on this run's connection and senders.
    reports = [DeliveryReport() for _ in lanes[1:]]
    failures: list[BaseException] = []

    def lane(messages: list[Message], lane_report: DeliveryReport) -> None:
        try:
            with database.connection_context(), ExitStack() as stack:
                own = _Channels(settings, stack, senders.breakers)
                _deliver_lane(messages, claim, own, settings, current_time, lane_report, suppress)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=lane, args=(messages, lane_report), name=f"notifier-lane-{n + 1}")
               for n, (messages, lane_report) in enumerate(zip(lanes[1:], reports, strict=True))]
    for thread in threads:
        thread.start()
    try:
        _deliver_lane(lanes[0], claim, senders, settings, current_time, report, suppress)
    finally:
        for thread in threads:
            thread.join()
        for lane_report in reports:
            _add(report, lane_report)
    if failures:
        raise failures[0]


def _add(report: DeliveryReport, other: DeliveryReport) -> None:
    for name in ("sent", "failed", "dead", "released", "lost", "suppressed", "unknown", "deferred"):
        setattr(report, name, getattr(report, name) + getattr(other, name))
    report.errors += other.errors


def _deliver_lane(messages, claim, senders: _Channels, settings: Settings, current_time, report, suppress) -> None:
    """Deliver these messages of the claim one after another (one lane)."""
    lease = timedelta(seconds=settings.NOTIFIER_LEASE_SECONDS)
    lease_until = claim.lease_expires_at
    sent = SentMarks(claim, report)
    # The next message's suppress check and outgoing email, made while its envelope is sent ahead.
    checks: dict[int, _Check] = {}
    try:
        for n, message in enumerate(messages):
            if senders.is_down(message.channel):
                # Its channel went down during this batch: leave it untried, attempts unspent.
                report.released += release([message], claim.token)
                continue
            if current_time() >= lease_until - lease * LEASE_RENEW_FRACTION:
                lease_until = current_time() + lease
                extend_lease(messages, claim.token, lease_until)
            following = messages[n + 1] if n + 1 < len(messages) else None
            _deliver_one(message, claim, senders, settings, current_time, report, suppress, sent,
                         following=following, checks=checks)
    finally:
        # Even when the run fails: these were delivered. If this write fails too, they are held.
        if sent:
            sent.flush()


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
    ready, to_store = [], []
    with write_transaction():
        for message, rendered, error, started_at, finished_at in outcomes:
            if message.rendered is not None:
                ready.append(message)
                continue
            if error is not None:
                _mark_dead(message, claim, started_at, finished_at, error, "render_error", report)
                continue
            spec = registry.find(message.channel)
            columns = spec.measure(rendered) if spec is not None and spec.measure else None
            to_store.append((message, rendered, columns))
        held = store_renderings(to_store, claim.token) if to_store else set()
    for message, rendered, _ in to_store:
        if message.id in held:
            message.rendered = rendered
            ready.append(message)
        else:
            report.lost += 1
    # In the claim's order (messages rendered earlier and new ones alike).
    order = {message.id: n for n, message in enumerate(claim.messages)}
    ready.sort(key=lambda message: order[message.id])
    return ready


def _suppression_reason(message: Message, suppress) -> str | None:
    if suppress is None:
        return None
    reason = suppress(message)
    return str(reason)[:1000] if reason else None


@dataclass
class _Check:
    """A message's suppress check (its reason or the check's error) and its outgoing form, made
    while the message before it was sent."""

    reason: str | None
    error: Exception | None
    outgoing: object = None


def _check(message: Message, suppress) -> _Check:
    try:
        return _Check(_suppression_reason(message, suppress), None)
    except Exception as error:  # raised again at its own turn, where it is handled
        return _Check(None, error)


def _following(message: Message, following, sender, suppress, checks: dict) -> object | None:
    """The outgoing form of the message to be sent right after `message` on the same sender, when
    its envelope may go ahead (the host's suppress check let it through); else None."""
    if following is None or following.channel != message.channel or not getattr(sender, "takes_following", False):
        return None
    check = checks[following.id] = _check(following, suppress)
    if check.reason is not None or check.error is not None:
        return None
    try:
        check.outgoing = _outgoing(following)
    except Exception:  # raised again at its own turn
        return None
    return check.outgoing


def _deliver_one(message: Message, claim, senders: _Channels, settings: Settings, current_time, report,
                 suppress=None, sent=None, following=None, checks=None) -> None:
    started_at = current_time()
    check = checks.pop(message.id, None) if checks is not None else None

    def dead(reason: str, outcome: str = "permanent") -> None:
        _mark_dead(message, claim, started_at, current_time(), reason, outcome, report)

    try:
        if check is None:
            check = _check(message, suppress)
        if check.error is not None:
            raise check.error
        reason = check.reason
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

    sender = senders.sender(message.channel)
    if sender is None:
        dead(f"the {message.channel} channel is switched off")
        return
    send_seconds = getattr(sender, "max_send_seconds", settings.NOTIFIER_LEASE_SECONDS)

    def start() -> bool:
        if sent is not None:
            return sent.start(message, started_at, send_seconds)
        return start_attempt(message, claim.token, started_at, send_seconds)[0]

    try:
        outgoing = check.outgoing if check.outgoing is not None else _outgoing(message)
        if getattr(sender, "starts_attempts", False):
            # The channel calls start() once it has done what hands nothing over (SMTP: the envelope
            # is on its way), so the start mark's round trip overlaps the relay's; it hands the
            # message over only after the mark is written. The next message's envelope may go with
            # this one's content (it hands nothing of the next one over).
            ahead = _following(message, following, sender, suppress, checks) if checks is not None else None
            if ahead is not None:
                provider_id = sender.send(outgoing, start=start, following=ahead)
            else:
                provider_id = sender.send(outgoing, start=start)
        else:
            if not start():
                raise AttemptNotStarted("the claim was lost before the attempt")
            provider_id = sender.send(outgoing)
    except AttemptNotStarted:
        report.lost += 1
        return
    except ChannelDownError as error:
        if message.attempt_started_at is None:
            release([message], claim.token)  # down before the attempt began: nothing to undo
        else:
            give_back(message, claim.token)
        senders.breaker(message.channel).trip(str(error), error.retry_after)
        report.deferred += 1
        report.errors.append(f"{message.uuid}: {error}")
        return
    except OutcomeUnknownError as error:
        if mark_unknown(message, claim.token, claim.worker_id, started_at, current_time(), str(error)):
            report.unknown += 1
        else:
            report.lost += 1
        report.errors.append(f"{message.uuid}: {error}")
        return
    except PermanentDeliveryError as error:
        dead(str(error))
        return
    except TransientDeliveryError as error:
        _retry_later(message, claim, settings, started_at, current_time(), error, report)
        return
    if sent is not None:
        sent.add((message, started_at, current_time(), provider_id))
    elif mark_sent(message, claim.token, claim.worker_id, started_at, current_time(), provider_id):
        report.sent += 1
    else:
        report.lost += 1


def _retry_later(message, claim, settings: Settings, started_at, finished_at, error, report) -> None:
    # The attempt that failed is counted by now (start_attempt, or by the write below).
    attempts = message.attempts + (0 if message.attempt_started_at is not None else 1)
    if attempts >= settings.NOTIFIER_MAX_ATTEMPTS:
        _mark_dead(message, claim, started_at, finished_at,
                   f"{error} (gave up after {attempts} attempts)", "transient", report)
        return
    delay = full_jitter_backoff(
        attempts, settings.NOTIFIER_BACKOFF_BASE_SECONDS, settings.NOTIFIER_BACKOFF_CAP_SECONDS
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
    spec = registry.find(message.channel)
    if spec is None:
        raise RenderError(f"unknown channel {message.channel!r}")
    if spec.render is not None:
        return spec.render(message)
    # One lookup per template slot and batch: a batch is usually many messages of few events.
    slot = (message.event, message.channel, message.language, message.variant)
    if slot not in templates:
        templates[slot] = active_template(*slot)
    template = templates[slot]
    if template is None:
        raise RenderError(f"no {message.channel} template for event {message.event!r}")
    return render_parts(message.channel, template.parts, message.context, limits)


def _outgoing(message: Message):
    return registry.channel(message.channel).outgoing(message)
