"""The claim's statements compiled once per shape (notifier.compiled): later claims of the same shape
use their own time, worker, tokens and ids, and the rows come back exactly as peewee builds them."""

from __future__ import annotations

from datetime import timedelta

from notifier import compiled
from notifier.leases import claim_batch
from notifier.models import SENDING, Message
from tests.notifier.factories import T0, email_to, enqueue_test_message


def test_claimed_messages_are_the_objects_peewee_builds(seeded):
    enqueue_test_message([email_to("ada@example.com", name="Ada")], key="a", thread="case:1",
                         headers={"X-Case": "00012345"})
    Message.update(rendered={"subject": "S", "text": "T"}, sms_segments=2, sms_encoding="GSM-7",
                   last_error="before", attempts=1).execute()
    [claimed] = claim_batch(T0, "w1", 10, 60).messages
    fresh = Message.get_by_id(claimed.id)
    assert claimed.__data__ == fresh.__data__
    assert {name: type(value) for name, value in claimed.__data__.items()} == {
        name: type(value) for name, value in fresh.__data__.items()}
    assert claimed.status == SENDING and claimed.worker_id == "w1" and claimed.lease_expires_at == T0 + timedelta(
        seconds=60)
    assert claimed._dirty == set()
    claimed.save()  # an object built directly saves like one peewee built
    assert Message.get_by_id(claimed.id).__data__ == fresh.__data__


def test_a_compiled_claim_takes_each_runs_own_time_worker_and_limit(seeded):
    enqueue_test_message(key="now", now=T0)
    enqueue_test_message(key="later", now=T0 + timedelta(hours=1))
    enqueue_test_message(key="latest", now=T0 + timedelta(hours=2))
    hours = 10 * 3600  # leases that outlast the test: nothing claimed comes back
    first = claim_batch(T0, "w1", 5, hours)
    assert [m.key for m in first.messages] == ["now"]
    # Same shape (a worker id, no active claims, same limit): the SQL text is reused, not the values.
    second = claim_batch(T0 + timedelta(hours=1, minutes=1), "w2", 5, hours)
    assert [(m.key, m.worker_id, m.claim_token) for m in second.messages] == [("later", "w2", second.token)]
    assert second.token != first.token
    third = claim_batch(T0 + timedelta(hours=3), "w3", 1, hours)
    assert [m.key for m in third.messages] == ["latest"]


def test_a_marker_changed_on_its_way_into_the_sql_is_refused(seeded):
    import pytest

    with pytest.raises(AssertionError, match="marker"):
        compiled.statement("test-changed", (), lambda: Message.select().where(
            Message.worker_id == compiled.WORKER.upper()), {"worker": compiled.WORKER}, {"worker": "w"})
