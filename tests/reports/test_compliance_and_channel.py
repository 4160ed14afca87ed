"""The SLA compliance report (per workgroup and per form: targets due in the period, met, missed, share met) and
the channel filter on every report, checked against counts worked out here from the cases the test made."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from portal.models.configuration import CaseTemplate
from tests import factories

DAY = datetime(2026, 11, 2, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
QUERY = "first_day=2026-11-02&last_day=2026-11-08"


@pytest.fixture
def made(app, people, monkeypatch):
    monkeypatch.setattr("portal.reports.service.utcnow", lambda: NOW)
    printers = factories.workgroup(people.agent, people.supervisor, name="Printers")
    billing = factories.workgroup(people.agent, name="Billing")
    repair = CaseTemplate.create(name="Repair", description="", state="published")
    refund = CaseTemplate.create(name="Refund", description="", state="published")
    specs = [
        # (workgroup, form, channel, first response due (days after DAY) and missed, resolution due and missed)
        (printers, repair, "web", (1, False), (3, True)),
        (printers, repair, "api", (2, True), (4, True)),
        (printers, refund, "email", (2, False), (9, True)),  # resolution due after the period
        (printers, refund, "web", (-1, True), (5, False)),  # first response due before the period
        (billing, refund, "api", (3, True), (6, False)),
        (None, repair, "web", (4, False), None),
    ]
    cases = []
    for group, template, channel, first, resolution in specs:
        values = {}
        for name, target in (("first_response", first), ("resolution", resolution)):
            if target is not None:
                due = DAY + timedelta(days=target[0], hours=10)
                values[f"{name}_due"] = due
                values[f"{name}_breached_at"] = due if target[1] else None
        cases.append(factories.case(people.customer, template=template, workgroup=group, channel=channel,
                                    opened_at=DAY - timedelta(days=2), **values))
    return {"specs": specs, "cases": cases}


def rows_of(client, name: str, query: str) -> list[list[str]]:
    response = client.get(f"/reports/{name}.csv?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def expected(specs, by: str, channel: str | None = None, workgroups=None) -> dict[tuple[str, str], list[str]]:
    """(name, target) -> [due, met, missed, met %], counted from the specs."""
    counts: dict[tuple[str, str], list[int]] = {}
    for group, template, case_channel, first, resolution in specs:
        if channel and case_channel != channel or workgroups is not None and group not in workgroups:
            continue
        for target, spec in (("First response", first), ("Resolution", resolution)):
            if spec is None or not 0 <= spec[0] <= 6:
                continue
            name = (group.name if group else "No workgroup") if by == "Workgroup" else template.name
            due_missed = counts.setdefault((name, target), [0, 0])
            due_missed[0] += 1
            due_missed[1] += spec[1]
    return {key: [str(due), str(due - missed), str(missed), f"{100 * (due - missed) / due:.1f}"]
            for key, (due, missed) in counts.items()}


def compliance(client, query: str, by: str) -> dict[tuple[str, str], list[str]]:
    header, *rows = rows_of(client, "compliance", query)
    assert header == ["By", "Name", "Target", "Due", "Met", "Missed", "Share met"]
    return {(row[1], row[2]): row[3:] for row in rows if row[0] == by}


def test_an_admin_sees_compliance_per_workgroup_and_per_form(client, login, people, made):
    login(people.admin)
    for by in ("Workgroup", "Form"):
        assert compliance(client, QUERY, by) == expected(made["specs"], by)
    html = client.get(f"/reports/?{QUERY}").get_data(as_text=True)
    assert "Service-level compliance" in html and "Targets met per workgroup" in html
    assert "First response: Printers" in html  # the chart's bar label


def test_a_supervisor_sees_the_compliance_of_their_workgroups_only(client, login, people, made):
    from portal.models.teams import Workgroup

    login(people.supervisor)
    printers = Workgroup.get(Workgroup.name == "Printers")
    assert compliance(client, QUERY, "Workgroup") == expected(made["specs"], "Workgroup", workgroups={printers})
    assert compliance(client, QUERY, "Form") == expected(made["specs"], "Form", workgroups={printers})


def test_targets_not_due_yet_are_not_counted(client, login, people, made, monkeypatch):
    # Now is the 4th, 12:00: targets due later in the period are still open.
    monkeypatch.setattr("portal.reports.service.utcnow", lambda: DAY + timedelta(days=2, hours=12))
    login(people.admin)
    counted = compliance(client, QUERY, "Workgroup")
    assert counted[("Printers", "First response")] == ["3", "2", "1", "66.7"]  # due on the 3rd and the 4th
    assert ("Printers", "Resolution") not in counted


@pytest.mark.parametrize("channel", ["web", "api", "email"])
def test_every_report_filters_on_the_channel(client, login, people, made, channel):
    login(people.admin)
    query = f"{QUERY}&channel={channel}"
    assert compliance(client, query, "Form") == expected(made["specs"], "Form", channel=channel)
    open_cases = rows_of(client, "open-cases", query)[1:]
    assert sum(int(row[3]) for row in open_cases) == sum(1 for spec in made["specs"] if spec[2] == channel)
    daily = rows_of(client, "daily", "first_day=2026-10-31&last_day=2026-11-01&" + f"channel={channel}")[1:]
    assert sum(int(row[1]) for row in daily) == sum(1 for spec in made["specs"] if spec[2] == channel)


def test_an_unknown_channel_is_a_form_error(client, login, people, made):
    login(people.admin)
    response = client.get(f"/reports/?{QUERY}&channel=fax")
    assert response.status_code == 400
    assert "Choose a channel from the list." in response.get_data(as_text=True)
    assert client.get(f"/reports/compliance.csv?{QUERY}&channel=fax").status_code == 400
