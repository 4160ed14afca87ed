"""Running the same (or conflicting) changes at once, as overlapping requests would: one thread per
request, each with its own database connection, each loading the case first (as a request does) and
then acting when a barrier releases them all together."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from notifier.models import Message
from portal.db import database
from portal.errors import Conflict, InvalidTransition

THREADS = 8


def race(app, requests: list[Callable[[], Callable[[], object]]]) -> list[object]:
    """Run each request in its own thread: request() loads what it needs and returns the action,
    which runs once every thread is ready. Returns each action's result or the exception it raised."""
    start = threading.Barrier(len(requests))
    outcomes: list[object] = [None] * len(requests)

    def run(index: int, request) -> None:
        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                try:
                    action = request()
                    start.wait(timeout=60)
                    outcomes[index] = action()
                finally:
                    database.close()
        except BaseException as exc:  # the outcome under test; the assertions read it
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i, request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return outcomes


def winners_and_losers(outcomes: list[object]) -> tuple[list[object], list[Exception]]:
    """The successful results and the refusals; anything but a clear refusal fails the test."""
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    unexpected = [o for o in lost if not isinstance(o, (Conflict, InvalidTransition))]
    assert unexpected == [], unexpected
    return won, lost


def assert_one_winner(outcomes: list[object], says: str) -> None:
    """Exactly one request did it; every other one was refused with a message containing `says`."""
    won, lost = winners_and_losers(outcomes)
    assert len(won) == 1, outcomes
    assert lost and all(says in exc.message for exc in lost), [exc.message for exc in lost]


def assert_each_told_once(event: str) -> None:
    """The outbox has at most one message per recipient and channel for event, and at least one."""
    sent = Counter((m.channel, m.address) for m in Message.select().where(Message.event == event))
    assert sent and set(sent.values()) == {1}, sent
