"""The APScheduler 3 scheduler that runs delivery (and any jobs the host adds) in UTC.

Run it in one process (the notifier process, or the single demo process), never inside each web
worker. Running two is still safe: the claim hands every message to exactly one of them.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from datetime import UTC

from apscheduler.events import EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.schedulers.blocking import BlockingScheduler

from notifier.clock import utcnow
from notifier.dispatcher import KeptSenders, deliver_due
from notifier.models import database
from notifier.settings import Settings

log = logging.getLogger("notifier.scheduler")

JOB_DEFAULTS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 120}


DELIVERY_JOB = "notifier.deliver"


class Drained(int):
    """What a delivery run returns: the number it marked sent (an int, as before), and whether it
    stopped with work left (`more`), so the scheduler starts the next run at once."""

    more: bool = False


def run_delivery(settings: Settings, suppress=None, stopping: threading.Event | None = None) -> int:
    """The delivery job: drain due messages batch after batch while there is work, then look again
    every NOTIFIER_IDLE_POLL_SECONDS until the next tick (NOTIFIER_INTERVAL_SECONDS) is near, so a
    new message waits about the poll interval. When `stopping` is set (the scheduler is shutting
    down) the run ends after the batch it is sending, or at once when it is waiting for work.

    A run stops just before the next tick is due (a run still going at the tick would make
    APScheduler skip that tick and log a warning); when it stops with work left it says so, and
    the scheduler runs it again at once (see build_scheduler), so a backlog never waits for a tick.

    Opens and closes its own database connection, as it runs in a scheduler thread, and keeps its
    senders (one SMTP connection) from batch to batch until the run ends.
    """
    deadline = time.monotonic() + settings.NOTIFIER_INTERVAL_SECONDS * 0.9
    stopping = stopping or threading.Event()
    sent = 0
    with database.connection_context(), KeptSenders() as kept:
        while True:
            if stopping.is_set():
                return Drained(sent)
            report = deliver_due(settings, suppress=suppress, kept=kept)
            sent += report.sent
            if report.channels_down:
                return Drained(sent)
            if report.claimed < settings.NOTIFIER_BATCH_SIZE:
                # Drained: look again every NOTIFIER_IDLE_POLL_SECONDS until the run's end, so a new
                # message waits about that long rather than up to a whole interval (one claim query
                # per poll: cheap).
                pause = min(settings.NOTIFIER_IDLE_POLL_SECONDS, deadline - time.monotonic())
                if pause <= 0 or stopping.wait(pause):
                    return Drained(sent)
                continue
            if time.monotonic() >= deadline:
                drained = Drained(sent)
                drained.more = True
                return drained


def _run_again_when_more(scheduler):
    def reschedule() -> None:
        # Due now: the scheduler's thread wakes and starts the next run without waiting for the tick.
        # A scheduler that stopped meanwhile has nothing to run; ignore it.
        with contextlib.suppress(Exception):
            if scheduler.state == STATE_RUNNING:
                scheduler.modify_job(DELIVERY_JOB, next_run_time=utcnow())

    def listener(event) -> None:
        if event.job_id == DELIVERY_JOB and getattr(event.retval, "more", False):
            # From a thread of its own: this listener runs in the executor's worker thread, and
            # modify_job waits for the job stores' lock, which shutdown() holds while it joins that
            # very thread (a deadlock, seen when a benchmark stopped its scheduler mid-backlog).
            threading.Thread(target=reschedule, name="notifier-rerun", daemon=True).start()

    return listener


def _with_connection(func):
    @functools.wraps(func)
    def job(*args, **kwargs):
        with database.connection_context():
            return func(*args, **kwargs)

    return job


class _StopsDelivery:
    """shutdown() first tells a delivery run in progress to end (see run_delivery): waiting for it
    would otherwise last until its polling for new work ends, most of NOTIFIER_INTERVAL_SECONDS."""

    def __init__(self, *args, **kwargs):
        self.stopping = threading.Event()
        super().__init__(*args, **kwargs)

    def shutdown(self, wait: bool = True) -> None:
        self.stopping.set()
        super().shutdown(wait)


class _BackgroundScheduler(_StopsDelivery, BackgroundScheduler):
    pass


class _BlockingScheduler(_StopsDelivery, BlockingScheduler):
    pass


def build_scheduler(settings: Settings, *, blocking: bool, extra_jobs=(), suppress=None):
    """A Blocking or Background scheduler in UTC with the delivery job every NOTIFIER_INTERVAL_SECONDS.

    `extra_jobs` is a list of (func, trigger kwargs), e.g. (send_reminders, {"trigger": "interval",
    "minutes": 10}); each runs inside its own database connection with the same safe defaults.
    `suppress` is handed to every delivery run (see `deliver_due`).
    """
    scheduler_class = _BlockingScheduler if blocking else _BackgroundScheduler
    scheduler = scheduler_class(timezone=UTC, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(
        run_delivery,
        trigger="interval",
        seconds=settings.NOTIFIER_INTERVAL_SECONDS,
        args=[settings, suppress, scheduler.stopping],
        id=DELIVERY_JOB,
        name="deliver due notifications",
        next_run_time=utcnow(),
        **JOB_DEFAULTS,
    )
    scheduler.add_listener(_run_again_when_more(scheduler), EVENT_JOB_EXECUTED)
    for func, trigger_kwargs in extra_jobs:
        options = {**JOB_DEFAULTS, **trigger_kwargs}
        options.setdefault("id", f"{func.__module__}.{func.__qualname__}")
        scheduler.add_job(_with_connection(func), **options)
    return scheduler
