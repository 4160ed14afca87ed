"""Reports from outside: a supervisor's and an admin's figures checked against counts worked out here
from the cases the test made, the charts and their tables, CSV downloads, filters and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from statistics import mean, median

import pytest

from portal.models.cases import CaseEvent, CaseFeedback
from portal.models.configuration import CaseTemplate
from portal.service_levels.backfill import backfill
from tests import factories

DAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.fixture
def world(app, people, monkeypatch):
    monkeypatch.setattr("portal.reports.service.utcnow", lambda: NOW)
    printers = factories.workgroup(people.agent, people.supervisor, name="Printers")
    billing = factories.workgroup(people.agent, name="Billing")
    repair = CaseTemplate.create(name="Repair", description="", state="published")
    refund = CaseTemplate.create(name="Refund", description="", state="published")

    def make(template, group, opened, *, closed=None, status="open", assignee=None, escalated=False):
        case = factories.case(people.customer, template=template, workgroup=group, status=status,
                              opened_at=opened, assignee=assignee, escalated=escalated,
                              last_closed_at=closed)
        return case

    made = {
        # Printers: three opened in the period, one closed after 2 days by the agent, one still open.
        "p1": make(repair, printers, DAY + timedelta(hours=9), closed=DAY + timedelta(days=2, hours=9),
                   status="closed", assignee=people.agent),
        "p2": make(repair, printers, DAY + timedelta(days=1, hours=10), escalated=True),
        "p3": make(refund, printers, DAY + timedelta(days=3, hours=8), closed=DAY + timedelta(days=3, hours=14),
                   status="closed", assignee=people.supervisor),
        # Before the period, still open: part of the backlog from the first day.
        "p0": make(repair, printers, DAY - timedelta(days=10)),
        # Billing: the supervisor is not in it.
        "b1": make(refund, billing, DAY + timedelta(days=1), closed=DAY + timedelta(days=4), status="closed",
                   assignee=people.agent),
        "b2": make(refund, billing, DAY + timedelta(days=2), escalated=True),
    }
    # Staff answered p1 after 3 hours and p2 after 1 hour (a customer comment does not count).
    CaseEvent.create(case=made["p1"], kind="comment", actor=people.customer, public=True,
                     created_at=DAY + timedelta(hours=9, minutes=30))
    CaseEvent.create(case=made["p1"], kind="comment", actor=people.agent, public=True,
                     created_at=DAY + timedelta(hours=12))
    _answered(made["p1"], DAY + timedelta(hours=12))
    CaseEvent.create(case=made["p2"], kind="comment", actor=people.agent, public=True,
                     created_at=DAY + timedelta(days=1, hours=11))
    _answered(made["p2"], DAY + timedelta(days=1, hours=11))
    CaseEvent.create(case=made["p2"], kind="internal_note", actor=people.agent, public=False,
                     created_at=DAY + timedelta(days=1, hours=10, minutes=5))
    CaseEvent.create(case=made["p2"], kind="escalated", actor=people.agent, public=False,
                     created_at=DAY + timedelta(days=1, hours=12))
    CaseFeedback.create(case=made["p1"], rating=4, comment="=HYPERLINK(\"x\") quick", given_by=people.customer,
                        created_at=DAY + timedelta(days=2, hours=9))
    CaseFeedback.create(case=made["b1"], rating=2, comment="slow", given_by=people.customer,
                        created_at=DAY + timedelta(days=4))
    CaseEvent.create(case=made["p1"], kind="resolution_accepted", actor=people.customer,
                     created_at=DAY + timedelta(days=2, hours=9))
    CaseEvent.create(case=made["p3"], kind="resolution_rejected", actor=people.customer,
                     created_at=DAY + timedelta(days=3, hours=12))
    # The cases went straight into the database (not through the services, which store each case's seconds to
    # its first answer and to its closing as they happen): the backfill stores them, as for cases stored before
    # reports had them.
    backfill(now=NOW)
    return made


def _answered(case, when):
    from portal.models.cases import Case

    Case.update(first_response_at=when).where(Case.id == case.id).execute()


QUERY = "first_day=2026-11-02&last_day=2026-11-08"


def _csv(client, name: str, query: str = QUERY) -> list[list[str]]:
    response = client.get(f"/reports/{name}.csv?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_a_supervisor_sees_the_figures_of_their_workgroups_only(client, login, people, world):
    login(people.supervisor)
    page = client.get(f"/reports/?{QUERY}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<svg class="chart"' in html and 'role="img"' in html and "<title id=" in html

    daily = _csv(client, "daily")
    assert daily[0][0] == "Day" and len(daily) == 1 + 7
    created = {row[0]: int(row[1]) for row in daily[1:]}
    closed = {row[0]: int(row[2]) for row in daily[1:]}
    backlog = {row[0]: int(row[3]) for row in daily[1:]}
    # Printers only: p1 (2nd), p2 (3rd), p3 (5th) opened; p1 closed on the 4th, p3 on the 5th.
    assert created == {"2026-11-02": 1, "2026-11-03": 1, "2026-11-04": 0, "2026-11-05": 1, "2026-11-06": 0,
                       "2026-11-07": 0, "2026-11-08": 0}
    assert closed["2026-11-04"] == 1 and closed["2026-11-05"] == 1 and sum(closed.values()) == 2
    # p0 was open before: 2, 3, 2 (p1 closed), 2 (p3 opened and closed), ...
    assert [backlog[d] for d in sorted(backlog)] == [2, 3, 2, 2, 2, 2, 2]

    agents = dict((row[0], int(row[1])) for row in _csv(client, "closed-per-agent")[1:])
    assert agents == {"Aga Agent": 1, "Sue Supervisor": 1}  # b1 (Billing) is not counted

    escalated = _csv(client, "escalated")[1:]
    assert escalated == [["Printers", "1"]]

    times = {row[0]: row for row in _csv(client, "times")[1:]}
    first = [3.0, 1.0]  # hours: p1 answered by staff after 3 h, p2 after 1 h
    assert times["First response"][1:] == ["2", f"{mean(first):.2f}", f"{median(first):.2f}"]
    close = [48.0, 6.0]  # p1 after 2 days, p3 after 6 hours
    assert times["Close"][1:] == ["2", f"{mean(close):.2f}", f"{median(close):.2f}"]

    satisfaction = {row[0]: row[1] for row in _csv(client, "satisfaction")[1:]}
    assert satisfaction["4"] == "1" and satisfaction["2"] == "0"  # b1's rating is Billing's
    assert satisfaction["Accepted resolutions"] == "1" and satisfaction["Rejected resolutions"] == "1"


def test_an_admin_sees_every_workgroup_and_can_narrow_to_one_form(client, login, people, world):
    login(people.admin)
    agents = dict((row[0], int(row[1])) for row in _csv(client, "closed-per-agent")[1:])
    assert agents == {"Aga Agent": 2, "Sue Supervisor": 1}
    open_cases = _csv(client, "open-cases")[1:]
    assert sorted((row[0], int(row[3])) for row in open_cases) == [("Refund", 1), ("Repair", 2)]

    refund = CaseTemplate.get(CaseTemplate.name == "Refund")
    rows = _csv(client, "closed-per-agent", QUERY + f"&template={refund.uuid}")[1:]
    assert dict((row[0], int(row[1])) for row in rows) == {"Aga Agent": 1, "Sue Supervisor": 1}


def test_a_median_of_an_odd_count_is_the_middle_value(client, login, people, world):
    login(people.admin)
    times = {row[0]: row for row in _csv(client, "times")[1:]}
    close = [48.0, 6.0, 72.0]  # p1, p3 and b1 (3 days)
    assert times["Close"][1:] == ["3", f"{mean(close):.2f}", f"{median(close):.2f}"]


def test_feedback_comments_cannot_become_spreadsheet_formulas(client, login, people, world):
    login(people.admin)
    page = client.get(f"/reports/?{QUERY}").get_data(as_text=True)
    assert "HYPERLINK" in page  # shown as text on the page, escaped
    for row in _csv(client, "daily") + _csv(client, "satisfaction"):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


@pytest.mark.parametrize("role", ["customer", "proxy", "agent"])
def test_people_without_reports_get_not_found(client, login, people, world, role):
    login(people.by_role(role))
    assert client.get("/reports/").status_code == 404
    assert client.get("/reports/daily.csv").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    assert client.get("/reports/").status_code == 302


def test_a_supervisor_cannot_report_on_another_workgroup(client, login, people, world):
    from portal.models.teams import Workgroup

    billing = Workgroup.get(Workgroup.name == "Billing")
    login(people.supervisor)
    response = client.get(f"/reports/?{QUERY}&workgroup={billing.uuid}")
    assert response.status_code == 400
    assert "Choose one of your workgroups" in response.get_data(as_text=True)
    assert client.get(f"/reports/daily.csv?{QUERY}&workgroup={billing.uuid}").status_code == 400


@pytest.mark.parametrize("query", ["first_day=2026-11-09&last_day=2026-11-01",
                                   "first_day=2020-01-01&last_day=2026-01-01", "first_day=not-a-day",
                                   "template=nope", "first_day=2026-02-30",
                                   "first_day=9999-12-31&last_day=9999-12-31"])
def test_bad_filters_are_form_errors_not_server_errors(client, login, people, world, query):
    login(people.admin)
    response = client.get(f"/reports/?{query}")
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_the_reports_speak_german(client, login, people, world):
    from portal.models.people import User

    User.update(language="de").where(User.id == people.admin.id).execute()
    login(people.admin)
    html = client.get(f"/reports/?{QUERY}").get_data(as_text=True)
    assert "Berichte" in html and "Pro Tag erstellt und geschlossen" in html


def test_days_are_the_viewers_days(client, login, people, world):
    """p3 opened at 08:00 UTC on the 5th: in Honolulu (UTC-10) that is the 4th."""
    from portal.models.people import User

    User.update(time_zone="Pacific/Honolulu").where(User.id == people.supervisor.id).execute()
    login(people.supervisor)
    created = {row[0]: int(row[1]) for row in _csv(client, "daily")[1:]}
    assert created["2026-11-04"] == 1 and created["2026-11-05"] == 0


def test_the_first_staff_answer_is_kept_once(app, people):
    from portal.cases.service.conversation import add_comment
    from portal.models.cases import Case

    group = factories.workgroup(people.agent)
    case = factories.case(people.customer, workgroup=group)
    add_comment(people.customer, case, "Any news?", now=DAY)
    assert Case.get_by_id(case.id).first_response_at is None
    add_comment(people.agent, Case.get_by_id(case.id), "Internal only", public=False, now=DAY + timedelta(hours=1))
    assert Case.get_by_id(case.id).first_response_at is None
    add_comment(people.agent, Case.get_by_id(case.id), "We are on it.", now=DAY + timedelta(hours=2))
    add_comment(people.agent, Case.get_by_id(case.id), "Still on it.", now=DAY + timedelta(hours=3))
    assert Case.get_by_id(case.id).first_response_at == DAY + timedelta(hours=2)


def test_the_page_takes_the_same_statements_for_a_week_and_a_year_and_for_more_cases(client, login, people, world,
                                                                                    sql_log):
    """Every figure is an aggregate: the days of the period and the cases in it change no statement count
    (the per-day counts are one statement each, whatever the number of days)."""
    login(people.supervisor)

    def render(query: str) -> list[str]:
        with sql_log() as statements:
            assert client.get(f"/reports/?{query}").status_code == 200
        return statements

    week = render(QUERY)
    year = render("first_day=2025-11-09&last_day=2026-11-09")
    printers = world["p1"].workgroup
    for n in range(20):
        factories.case(people.customer, template=world["p1"].template, workgroup=printers, status="closed",
                       opened_at=DAY + timedelta(hours=n), last_closed_at=DAY + timedelta(days=1, hours=n))
    backfill(now=NOW)
    more = render(QUERY)
    assert len(week) == len(year) == len(more), more
    assert len(more) <= 26, more
