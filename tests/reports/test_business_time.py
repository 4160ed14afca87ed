"""Reports in business time: the seconds from opening to the first staff answer and to the last closing, in the
calendar of the workgroup handling the case, stored on the case by the services when it happens (and by
`caseport sla backfill` for cases stored before), then averaged in SQL. The team works Monday to Friday,
09:00-17:00 in Berlin (UTC+1 in winter)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from portal.cases.service import conversation, lifecycle
from portal.models.cases import Case
from portal.service_levels.backfill import backfill
from tests import factories
from tests.service_levels.test_case_targets import HOUR, open_at, world  # noqa: F401 (fixture)

FRIDAY = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 15:00 in Berlin: two working hours left that day
MONDAY_10 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Berlin: one working hour into the week
QUERY = "first_day=2026-11-23&last_day=2026-11-30"


def times_csv(client, query: str = QUERY) -> dict[str, list[str]]:
    response = client.get(f"/reports/times.csv?{query}")
    assert response.status_code == 200
    return {row[0]: row[1:] for row in csv.reader(io.StringIO(response.get_data(as_text=True)))}


def test_the_first_answer_and_the_closing_store_business_seconds_and_the_report_averages_them(
        client, login, monkeypatch, people, world):  # noqa: F811
    case = open_at(monkeypatch, people, world["template"], FRIDAY)
    conversation.add_comment(people.agent, Case.get_by_id(case.id), "We are on it.", now=MONDAY_10)
    row = Case.get_by_id(case.id)
    assert row.first_response_business_s == 3 * 3600  # Friday 15-17, Monday 9-10 (not the 67 calendar hours)
    assert row.first_response_s == 67 * 3600  # the calendar hours, stored beside them
    conversation.add_comment(people.agent, row, "Still on it.", now=MONDAY_10 + HOUR)
    assert Case.get_by_id(case.id).first_response_business_s == 3 * 3600  # the first answer's, kept
    assert Case.get_by_id(case.id).first_response_s == 67 * 3600

    lifecycle.close_case(people.agent, Case.get_by_id(case.id), "Fixed.", now=MONDAY_10 + 2 * HOUR)
    assert Case.get_by_id(case.id).resolution_business_s == 5 * 3600
    assert Case.get_by_id(case.id).resolution_s == 69 * 3600

    login(people.admin)
    times = times_csv(client)
    assert times["First response"] == ["1", "67.00", "67.00"]
    assert times["First response, business time"] == ["1", "3.00", "3.00"]
    assert times["Close, business time"] == ["1", "5.00", "5.00"]
    assert times["Close"] == ["1", "69.00", "69.00"]

    # Reopened, it has no closing figure until it closes again (then the new closing's).
    lifecycle.reopen_case(people.agent, Case.get_by_id(case.id), "Again.", now=MONDAY_10 + 3 * HOUR)
    assert Case.get_by_id(case.id).resolution_business_s is None
    assert Case.get_by_id(case.id).resolution_s is None
    assert times_csv(client)["Close"] == ["0", "", ""]  # reopened: not closed now, so not counted
    lifecycle.close_case(people.agent, Case.get_by_id(case.id), "Fixed.", now=MONDAY_10 + 4 * HOUR)
    assert Case.get_by_id(case.id).resolution_business_s == 7 * 3600
    assert Case.get_by_id(case.id).resolution_s == 71 * 3600
    assert times_csv(client)["Close"] == ["1", "71.00", "71.00"]


def test_a_case_closed_because_its_resolution_went_unanswered_stores_its_business_time(
        monkeypatch, people, world):  # noqa: F811
    from portal.settings import setting

    case = open_at(monkeypatch, people, world["template"], FRIDAY)
    lifecycle.propose_resolution(people.agent, Case.get_by_id(case.id), "Restart it.", now=MONDAY_10)
    later = MONDAY_10 + timedelta(days=setting("RESOLUTION_AUTOCLOSE_DAYS"), hours=1)
    assert lifecycle.close_unanswered_resolutions(now=later) == 1
    row = Case.get_by_id(case.id)
    assert row.status.category == "closed"
    # Friday 2 h, then business days until `later` (which is a working hour): worked out from the calendar here.
    hours, moment = 2, datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
    while moment + HOUR <= later:
        if moment.weekday() < 5 and 8 <= moment.hour < 16:
            hours += 1
        moment += HOUR
    assert row.resolution_business_s == hours * 3600
    assert row.resolution_s == round((later - FRIDAY).total_seconds())


def test_backfill_fills_figures_and_targets_of_cases_stored_before_and_changes_nothing_the_second_time(
        app, people, world):  # noqa: F811
    desk = world["desk"]
    answered = factories.case(people.customer, workgroup=desk, opened_at=FRIDAY, first_response_at=MONDAY_10)
    closed = factories.case(people.customer, workgroup=desk, status="closed", opened_at=FRIDAY,
                            first_response_at=MONDAY_10, last_closed_at=MONDAY_10 + 2 * HOUR)
    no_group = factories.case(people.customer, status="closed", opened_at=FRIDAY, last_closed_at=MONDAY_10)
    untargeted = factories.case(people.customer, template=world["template"], workgroup=desk, opened_at=MONDAY_10)
    assert Case.get_by_id(untargeted.id).sla_due is None

    done = backfill(now=MONDAY_10 + HOUR)
    assert done == {"first_response": 2, "resolution": 2, "targets": 1}
    assert Case.get_by_id(answered.id).first_response_business_s == 3 * 3600
    assert Case.get_by_id(answered.id).resolution_business_s is None
    assert Case.get_by_id(closed.id).resolution_business_s == 5 * 3600
    assert Case.get_by_id(no_group.id).resolution_business_s == 67 * 3600  # no workgroup: around the clock
    # ... and the calendar seconds beside them.
    assert (Case.get_by_id(answered.id).first_response_s, Case.get_by_id(answered.id).resolution_s) == (67 * 3600,
                                                                                                        None)
    assert (Case.get_by_id(closed.id).first_response_s, Case.get_by_id(closed.id).resolution_s) == (67 * 3600,
                                                                                                      69 * 3600)
    assert Case.get_by_id(no_group.id).first_response_s is None  # never answered
    assert Case.get_by_id(no_group.id).resolution_s == 67 * 3600
    assert Case.get_by_id(untargeted.id).first_response_due == MONDAY_10 + 4 * HOUR

    assert backfill(now=MONDAY_10 + HOUR) == {"first_response": 0, "resolution": 0, "targets": 0}


def test_backfill_stores_calendar_seconds_of_cases_that_have_business_ones_only(app, people, world):  # noqa: F811
    """Cases backfilled before the calendar seconds existed (migration 0031) get them on the next run; their
    business figures stay as stored."""
    desk = world["desk"]
    closed = factories.case(people.customer, workgroup=desk, status="closed", opened_at=FRIDAY,
                            first_response_at=MONDAY_10, last_closed_at=MONDAY_10 + 2 * HOUR,
                            first_response_business_s=111, resolution_business_s=222)
    done = backfill(now=MONDAY_10 + 3 * HOUR)
    assert done == {"first_response": 1, "resolution": 1, "targets": 0}
    row = Case.get_by_id(closed.id)
    assert (row.first_response_s, row.resolution_s) == (67 * 3600, 69 * 3600)
    assert (row.first_response_business_s, row.resolution_business_s) == (111, 222)


def test_the_backfill_command_reports_what_it_did(cli_env):
    from portal.cli import main

    runner = cli_env
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["sla", "backfill"])
    assert result.exit_code == 0, result.output
    assert ("Response and resolution times stored for 0 first responses and 0 closed cases; targets stored for 0 "
            "open cases.") in result.output
