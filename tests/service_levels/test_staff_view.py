"""Staff see how a case stands against its targets in the workspace lists and on the case page, and
supervisors find the cases at risk (past a warning or overdue) in their supervisor view."""

from datetime import UTC, datetime

from portal.models.teams import WorkgroupMember
from portal.service_levels import routes as service_level_routes
from portal.staff import queries as staff_queries
from tests.fixtures import sign_in
from tests.service_levels.test_case_targets import HOUR, MONDAY, open_at, world  # noqa: F401 (fixture)


def frozen(monkeypatch, moment):
    monkeypatch.setattr(service_level_routes, "utcnow", lambda: moment)
    monkeypatch.setattr(staff_queries, "utcnow", lambda: moment)


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def test_the_supervisor_sees_only_the_cases_at_risk_the_most_overdue_first(monkeypatch, client, people,
                                                                          world):  # noqa: F811
    WorkgroupMember.create(workgroup=world["desk"], user=people.supervisor)
    late = open_at(monkeypatch, people, world["template"], MONDAY)
    warned = open_at(monkeypatch, people, world["template"], MONDAY + HOUR)
    fresh = open_at(monkeypatch, people, world["template"], MONDAY + 3 * HOUR)
    frozen(monkeypatch, MONDAY + 4 * HOUR + HOUR / 2)  # late is overdue, warned past 75 %, fresh on track
    sign_in(client, people.supervisor)
    html = text(client.get("/staff/supervisor?at_risk=1"))
    assert "Cases at risk" in html
    assert late.reference in html and warned.reference in html and fresh.reference not in html
    assert html.index(late.reference) < html.index(warned.reference)
    assert "Overdue" in html and "At risk" in html


def test_the_staff_case_page_and_list_show_the_state_in_german(monkeypatch, client, people, world):  # noqa: F811
    from portal.models.people import User

    User.update(language="de").where(User.id == people.agent.id).execute()
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    frozen(monkeypatch, MONDAY + 5 * HOUR)
    sign_in(client, people.agent)
    html = text(client.get(f"/cases/{case.reference}"))
    assert 'id="service-level"' in html and "Überfällig" in html
    assert "Überfällig" in text(client.get("/staff/"))


def test_no_target_no_state(monkeypatch, client, people):
    from tests.case_config import factories as config_factories

    case = open_at(monkeypatch, people, config_factories.template(people.admin, name="Plain"),
                   datetime(2026, 11, 30, tzinfo=UTC))
    sign_in(client, people.admin)
    assert 'id="service-level"' not in text(client.get(f"/cases/{case.reference}"))
