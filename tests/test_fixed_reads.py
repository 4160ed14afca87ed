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
