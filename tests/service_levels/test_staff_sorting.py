"""Staff lists sort by the stored next service-level moment (case.sla_due): the "Due" column's heading links to
that order (the most overdue first), a second click reverses it, cases without a running target come last either
way; the workspace's own lists and the supervisor's drill-down alike, without script."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.models.cases import Case
from tests import factories
from tests.fixtures import sign_in

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.fixture
def cases(app, people):
    desk = factories.workgroup(people.agent, people.supervisor, name="Desk")
    made = {}
    # Priorities against the due moments, so the work order (most urgent first) differs from the due order.
    for name, priority, due in (("none", "urgent", None), ("later", "high", NOW + timedelta(hours=5)),
                                ("overdue", "low", NOW - timedelta(hours=2)),
                                ("soon", "normal", NOW + timedelta(hours=1))):
        made[name] = factories.case(people.customer, workgroup=desk, priority=priority, sla_due=due,
                                    resolution_due=due)
    return made


def order_in(html: str, cases: dict) -> list[str]:
    names = {case.reference: name for name, case in cases.items()}
    return [names[ref] for ref in re.findall(r">(\d{8})</a>", html) if ref in names]


def heading(html: str) -> str:
    return re.search(r'<th scope="col"[^>]*>\s*<a class="sort-link" href="([^"]+)">Due', html).group(0)


def test_the_queue_sorts_by_due_and_reverses(client, people, cases):
    sign_in(client, people.agent)
    html = client.get("/staff/").get_data(as_text=True)
    assert order_in(html, cases) == ["none", "later", "soon", "overdue"]  # urgent first
    assert "aria-sort" not in heading(html)
    link = re.search(r'<a class="sort-link" href="([^"]+)">Due', html).group(1).replace("&amp;", "&")

    html = client.get(link).get_data(as_text=True)
    assert order_in(html, cases) == ["overdue", "soon", "later", "none"]
    assert 'aria-sort="ascending"' in heading(html)
    link = re.search(r'<a class="sort-link" href="([^"]+)">Due', html).group(1).replace("&amp;", "&")

    html = client.get(link).get_data(as_text=True)
    assert order_in(html, cases) == ["later", "soon", "overdue", "none"]
    assert 'aria-sort="descending"' in heading(html)


def test_my_cases_sort_by_due_too(client, people, cases):
    Case.update(assignee=people.agent).where(Case.id.in_([c.id for c in cases.values()])).execute()
    sign_in(client, people.agent)
    html = client.get("/staff/?sort=due").get_data(as_text=True)
    mine = html[html.index('id="my-cases"'):html.index('id="my-tasks"')]
    assert order_in(mine, cases) == ["overdue", "soon", "later", "none"]


def test_the_supervisors_drill_down_sorts_by_due_and_keeps_it_across_pages(client, people, cases):
    from portal.models.teams import Workgroup

    desk = Workgroup.get(Workgroup.name == "Desk")
    sign_in(client, people.supervisor)
    html = client.get(f"/staff/supervisor?workgroup={desk.uuid}").get_data(as_text=True)
    assert order_in(html, cases) == ["none", "later", "soon", "overdue"]
    html = client.get(f"/staff/supervisor?workgroup={desk.uuid}&sort=due&order=desc").get_data(as_text=True)
    assert order_in(html, cases) == ["later", "soon", "overdue", "none"]


@pytest.mark.parametrize("query", ["sort=priority", "sort=due&order=sideways", "sort=DUE", "order=desc"])
def test_unknown_sorts_fall_back_to_the_work_order(client, people, cases, query):
    sign_in(client, people.agent)
    response = client.get(f"/staff/?{query}")
    assert response.status_code == 200
    expected = ["overdue", "soon", "later", "none"] if query.startswith("sort=due") else \
        ["none", "later", "soon", "overdue"]
    assert order_in(response.get_data(as_text=True), cases) == expected
