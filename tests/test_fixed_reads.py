"""portal.fixed_reads: a read's SQL is built once, and every later call gives what the peewee query
itself would have given for its own arguments (joined objects attached, constants kept)."""

from __future__ import annotations

import peewee
import pytest

from portal.fixed_reads import FixedRead
from portal.models.cases import Case, CaseEvent
from portal.models.configuration import CaseStatus
from portal.models.people import User
from tests import factories


def _events_of(case_id: int):
    return (
        CaseEvent.select(CaseEvent, User)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(CaseEvent.actor == User.id))
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.id)
    )


def test_each_call_reads_its_own_arguments_rows_with_the_sql_built_once(app, people, sql_log):
    first, second = factories.case(people.customer), factories.case(people.customer)
    CaseEvent.create(case=second, kind="comment", actor=people.agent, public=True, body="Hello")
    built = []

    def build(case_id):
        built.append(case_id)
        return _events_of(case_id)

    events = FixedRead(build, "int")
    for case in (first, second, first):
        with sql_log() as statements:
            rows = events.list(case.id)
        assert [(e.id, e.kind, e.body) for e in rows] == [(e.id, e.kind, e.body) for e in _events_of(case.id)]
        assert len(statements) == 1
    assert len(built) == 1, "the query object is built (and its SQL written) once"
    comment = events.list(second.id)[-1]
    assert comment.actor.display_name == people.agent.display_name  # the joined row comes attached


def test_constants_stay_and_first_gives_none_when_nothing_matches(app, people):
    case = factories.case(people.customer)
    by_reference = FixedRead(lambda reference: Case.select().where(Case.reference == reference).limit(1), "str")
    assert by_reference.first(case.reference).id == case.id
    assert by_reference.first("00000000") is None
    statuses = FixedRead(lambda: CaseStatus.select().where(CaseStatus.active == True).order_by(CaseStatus.id))  # noqa: E712
    assert [s.id for s in statuses.list()] == [s.id for s in CaseStatus.select().where(CaseStatus.active == True)  # noqa: E712
                                              .order_by(CaseStatus.id)]


def test_an_argument_that_does_not_reach_the_sql_as_it_is_is_refused(app):
    ignores_it = FixedRead(lambda case_id: Case.select().where(Case.id == 1), "int")
    with pytest.raises(ValueError, match="every argument"):
        ignores_it.list(5)
    with pytest.raises(ValueError):
        FixedRead(lambda when: Case.select(), "date")
    with pytest.raises(TypeError):
        FixedRead(lambda case_id: Case.select().where(Case.id == case_id), "int").list()


def test_the_columns_are_worked_out_once_and_every_call_builds_the_same_objects(app, people, monkeypatch):
    """peewee's cursor wrapper works out each column's model, field and converter (and the join graph)
    from the first execution; later calls reuse that and still attach the joined rows, an outer join's
    missing row as None, and convert values (times, booleans) as the query itself does."""
    case = factories.case(people.customer)
    CaseEvent.create(case=case, kind="comment", actor=people.agent, public=False, body="Hello")
    CaseEvent.create(case=case, kind="status_changed", actor=None, public=True, data={"to": "Open"})
    events = FixedRead(_events_of, "int")
    initialized = []
    original = peewee.ModelCursorWrapper.initialize

    def counted(wrapper):
        initialized.append(wrapper)
        original(wrapper)

    monkeypatch.setattr(peewee.ModelCursorWrapper, "initialize", counted)

    def shown(rows):
        return [(e.id, e.kind, e.public, e.data, e.created_at, e.actor_id,
                 e.actor.display_name if e.actor is not None else None, e.__rel__.keys() == {"actor"})
                for e in rows]

    expected = shown(_events_of(case.id))
    initialized.clear()
    for _ in range(3):
        assert shown(events.list(case.id)) == expected
    assert len(initialized) == 1
    assert expected[-1][6] is None and expected[-2][6] == people.agent.display_name
    assert events.first(-1) is None  # no rows: nothing to build
