"""The feed converts its events' times itself (portal.cases.queries.case_page._moment): every value
a driver can hand back must come out as CaseEvent.created_at's own conversion gives it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from portal.cases.queries.case_page import _moment
from portal.models.cases import CaseEvent


@pytest.mark.parametrize("value", [
    "2026-12-01 15:27:26.719854",  # SQLite's stored text
    "2026-12-01 15:27:26",
    "2026-12-01T15:27:26",
    "2026-12-01 15:27:26+02:00",
    "2026-12-01T15:27:26Z",
    "2026-12-01",
    "not a time",
    datetime(2026, 12, 1, 15, 27, 26, 719854),  # psycopg: a naive timestamp
    datetime(2026, 12, 1, 15, 27, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 12, 1, 15, 27, tzinfo=UTC),
    None,
])
def test_a_feed_moment_is_what_the_field_converts(value):
    expected = CaseEvent.created_at.python_value(value)
    converted = _moment(value)
    assert converted == expected
    assert type(converted) is type(expected)
    assert getattr(converted, "tzinfo", None) == getattr(expected, "tzinfo", None)
