"""Changes to different cases at the same moment, each in its own thread and connection: positions
are distinct and consecutive, and given out in commit order, so a reader that polls "after the last
position I saw" never skips an event that commits later with a lower position. On PostgreSQL the
counter row's lock orders the writers; on SQLite the write lock every transaction takes when it
begins does."""

from __future__ import annotations

import threading
import time

from portal.db import database
from portal.events.queries import events_for
from portal.models.cases import Case
from portal.staff.service import handling
from tests import factories
from tests.events.conftest import last_position

WRITERS = 6


def in_thread(app, work, outcome: dict, name: str) -> threading.Thread:
    def run():
        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                try:
                    outcome[name] = work()
                finally:
                    database.close()
        except BaseException as exc:  # read by the assertions
            outcome[name] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_writer_waits_for_the_one_holding_a_position_and_takes_the_next(app, people, world):
    first_case, second_case = (factories.case(people.customer, template=world.template, workgroup=world.desk)
                               for _ in range(2))
    since = last_position()
    first_recorded, release_first, second_done = threading.Event(), threading.Event(), threading.Event()
    outcome: dict = {}
    commits: dict = {}

    def first():
        with database.atomic():  # the request's transaction stays open after the change
            event = handling.set_priority(people.agent, Case.get_by_id(first_case.id), "high")
            first_recorded.set()
            assert release_first.wait(timeout=30)
        commits["first"] = time.monotonic()
        return event

    def second():
        assert first_recorded.wait(timeout=30)
        event = handling.set_priority(people.agent, Case.get_by_id(second_case.id), "urgent")
        commits["second"] = time.monotonic()
        second_done.set()
        return event

    threads = [in_thread(app, first, outcome, "first"), in_thread(app, second, outcome, "second")]
    try:
        assert first_recorded.wait(timeout=30)
        # The second writer cannot take a position while the first holds one uncommitted ...
        assert not second_done.wait(timeout=1.0), outcome
        # ... and a reader sees neither: nothing to skip later.
        assert events_for(people.admin, after=since, limit=10) == []
    finally:
        release_first.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not isinstance(outcome.get("first"), BaseException), outcome
    assert not isinstance(outcome.get("second"), BaseException), outcome
    assert commits["first"] <= commits["second"]
    page = events_for(people.admin, after=since, limit=10)
    assert [(e.position, e.case_id) for e in page] == [(since + 1, first_case.id), (since + 2, second_case.id)]


def test_a_poller_sees_every_event_of_simultaneous_writers_once_in_order(app, people, world):
    cases = [factories.case(people.customer, template=world.template, workgroup=world.desk)
             for _ in range(WRITERS)]
    since = last_position()
    start = threading.Barrier(WRITERS)
    writers_done = threading.Event()
    outcome: dict = {}

    def writer(case_id: int):
        def work():
            start.wait(timeout=30)
            for priority in ("high", "urgent", "low"):
                handling.set_priority(people.agent, Case.get_by_id(case_id), priority)
            return True
        return work

    def poll():
        cursor, seen = since, []
        while True:
            finished = writers_done.is_set()
            page = events_for(people.admin, after=cursor, limit=1000)
            seen += [e.position for e in page]
            cursor = seen[-1] if seen else cursor
            if finished:
                return seen

    poller = in_thread(app, poll, outcome, "poller")
    writers = [in_thread(app, writer(case.id), outcome, f"writer {case.id}") for case in cases]
    for thread in writers:
        thread.join(timeout=120)
    writers_done.set()
    poller.join(timeout=60)
    assert all(outcome[f"writer {case.id}"] is True for case in cases), outcome
    total = WRITERS * 3
    assert outcome["poller"] == list(range(since + 1, since + total + 1))
    assert last_position() == since + total
