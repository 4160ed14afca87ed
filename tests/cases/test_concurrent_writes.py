"""Many people acting at once: every write lands, none fails with "database is locked".

The services here read before they write inside one transaction (they look a status up first);
on SQLite that used to fail at once whenever another connection committed in between.
"""

import threading

from portal.cases.service import conversation, lifecycle
from portal.models.cases import Case, CaseEvent
from tests import factories

THREADS = 6
ROUNDS = 8


def run_in_threads(app, work):
    errors = []

    def runner(n):
        with app.app_context():
            db = app.extensions["caseport_db"]
            try:
                work(n)
            except Exception as exc:  # reported by the assertion below
                errors.append(repr(exc))
            finally:
                db.close()

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_resolutions_and_answers_all_land(app, people):
    team = factories.workgroup(people.agent)
    cases = [factories.case(people.customer, workgroup=team) for _ in range(THREADS)]

    def work(n):
        for i in range(ROUNDS):
            case = Case.get_by_id(cases[n].id)
            lifecycle.propose_resolution(people.agent, case, f"fixed {n}-{i}")
            lifecycle.reject_resolution(people.customer, Case.get_by_id(case.id), f"not yet {n}-{i}")

    assert run_in_threads(app, work) == []
    assert CaseEvent.select().where(CaseEvent.kind == "resolution_rejected").count() == THREADS * ROUNDS


def test_concurrent_comments_all_land(app, people):
    case = factories.case(people.customer, workgroup=factories.workgroup(people.agent))

    def work(n):
        for i in range(ROUNDS):
            conversation.add_comment(people.customer, case, f"comment {n}-{i}")

    assert run_in_threads(app, work) == []
    assert CaseEvent.select().where(CaseEvent.kind == "comment").count() == THREADS * ROUNDS
