"""portal.fixed_writes: an insert whose SQL is built once writes exactly the row peewee's own insert writes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import peewee
import pytest

from portal.db import database
from portal.fixed_writes import insert_row
from portal.models.base import JSONField
from portal.models.cases import Case, CaseEvent
from portal.models.configuration import CaseReason
from tests import factories

MOMENT = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)


def filled(model: type[peewee.Model], base: dict) -> dict:
    """base's values with every other column given one (so each column's conversion is exercised); a foreign
    key takes any row of its table there is."""
    values = dict(base)
    for field in model._meta.sorted_fields:
        if field is model._meta.primary_key or values.get(field.name) is not None:
            continue
        if isinstance(field, peewee.ForeignKeyField):
            row = field.rel_model.select(field.rel_field).first()
            value = getattr(row, field.rel_field.name) if row is not None else None
        elif isinstance(field, JSONField):
            value = {"filled": [1, "two"]}
        elif isinstance(field, peewee.BooleanField):
            value = True
        elif isinstance(field, peewee.DateTimeField):
            value = MOMENT
        elif isinstance(field, (peewee.IntegerField, peewee.BigIntegerField)):
            value = 7
        elif isinstance(field, peewee.DecimalField):
            value = Decimal("1.5")
        elif isinstance(field, peewee.FloatField):
            value = 1.5
        else:
            value = "filled"
        values[field.name] = value
    return values


def stored_row(model: type[peewee.Model], row_id: int) -> dict:
    cursor = database.execute_sql(f'SELECT * FROM "{model._meta.table_name}" WHERE id = {int(row_id)}')  # noqa: S608
    return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))


@pytest.fixture
def original(app, people):
    return factories.case(people.customer)


def test_a_case_inserted_with_sql_built_once_is_the_row_peewee_writes(original, people):
    CaseReason.create(name="Filled in")
    factories.case(people.customer, assignee=people.agent, workgroup=factories.workgroup(people.agent))  # rows to name
    base = {name: value for name, value in Case.get_by_id(original.id).__data__.items() if name != "id"}
    values = filled(Case, base)
    by_peewee = Case(**{**values, "uuid": str(uuid.uuid4()), "reference": "51000001"})
    by_peewee.save(force_insert=True)
    by_fixed = insert_row(Case(**{**values, "uuid": str(uuid.uuid4()), "reference": "51000002"}))
    assert by_fixed.id is not None and by_fixed.id != by_peewee.id and not by_fixed.is_dirty()
    expected, got = stored_row(Case, by_peewee.id), stored_row(Case, by_fixed.id)
    for column in ("id", "uuid", "reference"):
        expected.pop(column), got.pop(column)
    assert got == expected
    empty = sorted(column for column, value in got.items() if value is None)
    assert empty == ["asset_id"]  # every other column holds a value: none is left out or converted wrongly
    assert Case.get_by_id(by_fixed.id).first_response_due == MOMENT


def test_an_event_with_json_data_is_the_row_peewee_writes(original, people):
    data = {"template": "Général", "values": {"serial": "A-1"}, "n": 3}
    by_peewee = CaseEvent.create(case=original, kind="created", actor=people.customer, public=True,
                                 created_at=MOMENT, data=data)
    by_fixed = insert_row(CaseEvent(case=original, kind="created", actor=people.customer, public=True,
                                    created_at=MOMENT, data=data))
    expected, got = stored_row(CaseEvent, by_peewee.id), stored_row(CaseEvent, by_fixed.id)
    for column in ("id", "uuid"):
        expected.pop(column), got.pop(column)
    assert got == expected
    assert CaseEvent.get_by_id(by_fixed.id).data == data


def test_a_clash_raises_peewees_integrity_error(original):
    twin = {name: value for name, value in Case.get_by_id(original.id).__data__.items() if name not in ("id", "uuid")}
    with pytest.raises(peewee.IntegrityError), database.atomic():
        insert_row(Case(**twin))  # the same reference
