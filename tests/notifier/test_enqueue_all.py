"""enqueue_all: many people, each with their own context, in one INSERT whatever their number."""

import pytest

import notifier
from notifier import outbox
from notifier.models import Message
from tests.notifier.factories import T0, email_to, sms_to


def person(n: int, **context) -> notifier.Outgoing:
    return notifier.Outgoing([email_to(f"p{n}@example.com", name=f"P{n}")], {"recipient_name": f"P{n}", **context},
                             headers={"List-Unsubscribe": f"<https://portal.test/u/{n}>"})


def test_each_person_gets_their_own_context_and_headers(notifier_db):
    created = notifier.enqueue_all("case_replied", "case_replied:e1", [person(1), person(2)], topic="00000001",
                                   now=T0)
    assert created == 2
    rows = {m.address: m for m in Message.select()}
    assert rows["p1@example.com"].context == {"recipient_name": "P1"}
    assert rows["p2@example.com"].extra_headers == {"List-Unsubscribe": "<https://portal.test/u/2>"}
    assert {m.topic for m in rows.values()} == {"00000001"}


@pytest.mark.parametrize("people", [8, 40])
def test_one_insert_however_many_people(notifier_db, sql_log, people):
    with sql_log() as statements:
        created = notifier.enqueue_all("case_replied", "k", [person(n) for n in range(people)], now=T0)
    assert created == people
    assert len(statements) == 1 and statements[0].startswith('INSERT INTO "notifier_message"')


def test_more_rows_than_one_insert_takes_are_all_written(notifier_db, monkeypatch):
    monkeypatch.setattr(outbox, "_ROWS_PER_INSERT", 3)
    assert notifier.enqueue_all("case_replied", "k", [person(n) for n in range(7)], now=T0) == 7
    assert Message.select().count() == 7


def test_a_repeated_key_adds_only_the_new_people_and_the_transaction_goes_on(notifier_db):
    with notifier_db.atomic():
        assert notifier.enqueue_all("e", "k", [person(1), person(2)], now=T0) == 2
        assert notifier.enqueue_all("e", "k", [person(2), person(3)], now=T0) == 1
        assert notifier.enqueue_all("e", "other", [person(1)], now=T0) == 1
    assert Message.select().count() == 4


def test_the_same_address_twice_in_one_call_is_one_message(notifier_db):
    twice = [notifier.Outgoing([email_to("ada@example.com")], {}), notifier.Outgoing([email_to("ADA@example.com")], {})]
    assert notifier.enqueue_all("e", "k", twice, now=T0) == 1


def test_one_invalid_person_writes_nobody(notifier_db):
    bad = notifier.Outgoing([sms_to("07911123456")], {})
    with pytest.raises(ValueError):
        notifier.enqueue_all("e", "k", [person(1), bad], now=T0)
    assert Message.select().count() == 0


def test_the_insert_built_once_writes_the_rows_peewees_insert_many_writes(notifier_db):
    notifier.enqueue_all("case_replied", "fixed", [person(1, comment="Grüße")], topic="00000001", thread="t",
                         variant="v", now=T0)
    written = Message.get(Message.key == "fixed")
    twin = {name: value for name, value in written.__data__.items() if name not in ("id", "uuid", "key")}
    Message.insert_many([{**twin, "key": "by peewee"}]).execute()  # peewee builds the SQL and fills the defaults

    def stored(key):
        cursor = notifier_db.execute_sql('SELECT * FROM "notifier_message" WHERE "key" = ' + notifier_db.param, (key,))
        row = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
        return {column: value for column, value in row.items() if column not in ("id", "uuid", "key")}

    assert stored("fixed") == stored("by peewee")
    assert stored("fixed")["attempts"] == 0 and stored("fixed")["status"] == "queued"  # the defaults, filled in
