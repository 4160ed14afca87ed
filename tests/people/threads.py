"""Running service calls at the same moment in real threads, each with its own database connection."""

from __future__ import annotations

import threading

from portal.db import database
from portal.errors import DomainError


def at_once(*calls):
    """Run calls in threads released together; returns what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except DomainError as exc:
            results[index] = exc
        finally:
            database.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
