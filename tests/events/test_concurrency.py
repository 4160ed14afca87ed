"""Changes to different cases at the same moment, each in its own thread and connection: positions
are distinct and consecutive, and given out in commit order, so a reader that polls "after the last
position I saw" never skips an event that commits later with a lower position. On PostgreSQL the
counter row's lock orders the writers; on SQLite the write lock every transaction takes when it
begins does."""

from __future__ import annotations

import threading
import time

import pytest

from portal.db import database
from portal.events import case_events
from portal.events.queries import events_for
from portal.models.cases import Case
from portal.people.service import changes as people_changes
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


def test_giving_back_a_deactivated_assignees_cases_waits_for_a_writer_instead_of_deadlocking(
        app, people, world, on_postgres, monkeypatch):
    """The release writes every case first and records the events after: were it to hold the event
    counter while waiting for a case row whose writer waits for the counter, PostgreSQL would abort one
    of them. (SQLite runs writers one after the other from their first statement: nothing to test.)"""
    if not on_postgres:
        pytest.skip("SQLite serialises writers when their transaction begins")
    first, second = (factories.case(people.customer, template=world.template, workgroup=world.desk,
                                    assignee=people.agent) for _ in range(2))
    wrote, go_on = threading.Event(), threading.Event()
    real = case_events.priority_changed

    def paused(*args, **kwargs):  # the writer has written the case row and now wants the counter
        wrote.set()
        assert go_on.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(case_events, "priority_changed", paused)
    since = last_position()
    outcome: dict = {}
    release = None
    writer = in_thread(app, lambda: handling.set_priority(people.supervisor, Case.get_by_id(second.id), "high"),
                       outcome, "writer")
    try:
        assert wrote.wait(timeout=30)
        release = in_thread(app, lambda: people_changes.deactivate_user(people.admin, people.agent.uuid),
                            outcome, "release")
        time.sleep(1.5)  # the release has written the first case and waits for the second one's row
        assert "release" not in outcome, outcome
    finally:
        go_on.set()
        writer.join(timeout=60)
        if release is not None:
            release.join(timeout=60)
    assert not isinstance(outcome["writer"], BaseException), outcome
    assert outcome["release"] == 2, outcome
    page = events_for(people.admin, after=since, limit=10)
    assert [(e.position, e.type, e.case_id) for e in page] == [
        (since + 1, "case.priority_changed", second.id), (since + 2, "case.assigned", first.id),
        (since + 3, "case.assigned", second.id)]
