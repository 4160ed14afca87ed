"""Many people filing at once: every submission gets its case, on SQLite too (where a transaction that
reads before it writes must take the write lock up front, or a concurrent commit makes it fail at once)."""

import threading

from portal.cases.service import opening
from portal.db import database
from portal.models.cases import Case
from portal.models.people import Customer
from tests.cases.filing_setup import (
    GOOD,
    world_fixture,  # noqa: F401 - the world fixture
)

THREADS = 8
CASES_EACH = 5


def test_concurrent_submissions_all_succeed(app, people, world):
    customer = Customer.get(Customer.user == people.customer)
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def file_cases():
        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                try:
                    start.wait()
                    for _ in range(CASES_EACH):
                        opening.open_case(people.customer, world.template, GOOD, customer=customer)
                finally:
                    database.close()
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            failures.append(exc)

    threads = [threading.Thread(target=file_cases) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert Case.select().count() == THREADS * CASES_EACH
