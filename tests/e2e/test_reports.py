"""A supervisor opens the reports in the browser, narrows the period, reads a table and downloads its CSV; the
figures are checked against counts worked out here from the cases the test made."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from portal.models.configuration import CaseTemplate
from tests import factories

FIRST = date(2026, 11, 2)


def read_csv(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))


def test_a_supervisor_reads_a_report_and_downloads_its_csv(page, live_server, people, login_as, monkeypatch):
    monkeypatch.setattr("portal.reports.service.utcnow", lambda: datetime(2026, 11, 30, 12, tzinfo=UTC))
    printers = factories.workgroup(people.agent, people.supervisor, name="Printers")
    billing = factories.workgroup(people.agent, name="Billing")  # not the supervisor's
    repair = CaseTemplate.create(name="Repair", description="", state="published")
    start = datetime(2026, 11, 2, tzinfo=UTC)
    made = []
    for day, hours, group, closer in ((0, 9, printers, people.agent), (1, 10, printers, None),
                                      (1, 15, printers, people.supervisor), (3, 8, billing, people.agent),
                                      (4, 11, printers, people.agent), (9, 9, printers, people.agent)):
        opened = start + timedelta(days=day, hours=hours)
        closed = opened + timedelta(days=1) if closer else None
        made.append((group, opened, closed, closer))
        factories.case(people.customer, template=repair, workgroup=group, opened_at=opened, assignee=closer,
                       status="closed" if closer else "open", last_closed_at=closed)

    login_as(people.supervisor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_label("From").fill("2026-11-02")
    page.get_by_label("To (inclusive)").fill("2026-11-08")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Cases closed per agent")).to_be_visible()

    # Worked out here: the supervisor's workgroup only, closed within the 7 days, per agent.
    end = datetime(2026, 11, 9, tzinfo=UTC)
    expected: dict[str, int] = {}
    for group, _opened, closed, closer in made:
        if group == printers and closed is not None and start <= closed < end:
            expected[closer.display_name] = expected.get(closer.display_name, 0) + 1
    section = page.get_by_role("region", name="Cases closed per agent")
    for name, number in expected.items():
        expect(section.get_by_role("row", name=f"{name} {number}")).to_be_visible()
    expect(section.get_by_role("img", name="Cases closed per agent")).to_be_visible()  # the SVG chart

    with page.expect_download() as download_info:
        section.get_by_role("link", name="Download as CSV").click()
    download = download_info.value
    assert download.suggested_filename == "caseport-closed-per-agent-2026-11-02-2026-11-08.csv"
    rows = read_csv(download.path())
    assert rows[0] == ["Agent", "Cases closed"]
    assert {name: int(number) for name, number in rows[1:]} == expected

    with page.expect_download() as download_info:
        daily_section = page.get_by_role("region", name="Created and closed per day")
        daily_section.get_by_role("link", name="Download as CSV").click()
    daily = read_csv(download_info.value.path())[1:]
    created = {FIRST + timedelta(days=n): 0 for n in range(7)}
    for group, opened, _closed, _closer in made:
        if group == printers and opened.date() in created:
            created[opened.date()] += 1
    assert {date.fromisoformat(row[0]): int(row[1]) for row in daily} == created
