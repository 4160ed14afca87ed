"""Staff see how a case stands against its targets in the workspace lists and on the case page, and
supervisors find the cases at risk (past a warning or overdue) in their supervisor view."""

from datetime import UTC, datetime

import pytest

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


STATE_WORDS = {"paused": "Paused", "overdue": "Overdue", "at_risk": "At risk", "on_track": "On track"}


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_the_case_page_names_each_state_and_the_priority_in_the_readers_language(monkeypatch, client, people,
                                                                               language):
    """The facts staff see: each service-level state's badge and the priority, in the reader's language
    (the words the staff lists use), an unknown stored priority as it is."""
    from portal.i18n import _l
    from portal.models.people import User
    from portal.notify.wording import words_for
    from tests import factories

    User.update(language=language).where(User.id == people.agent.id).execute()
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    frozen(monkeypatch, now)
    group = factories.workgroup(people.agent)
    sign_in(client, people.agent)
    targets = {"paused": {"sla_due": now + HOUR, "sla_paused": True}, "overdue": {"sla_due": now - HOUR},
               "at_risk": {"sla_due": now + 2 * HOUR, "resolution_warn_at": now - HOUR},
               "on_track": {"sla_due": now + 2 * HOUR, "resolution_warn_at": now + HOUR}}
    for (state, values), priority in zip(targets.items(), ["low", "normal", "high", "urgent"], strict=True):
        case = factories.case(people.customer, workgroup=group, priority=priority, **values)
        html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
        word = words_for(language, _l(STATE_WORDS[state]))
        danger = " badge-danger" if state == "overdue" else ""
        assert f'<span class="badge sla-{state}{danger}">{word}</span>' in html, (state, language)
        label = words_for(language, _l(priority.capitalize()))
        assert f"</dt><dd>{label}</dd>" in html and (language == "en" or label != priority.capitalize()
                                                     or priority == "normal"), (priority, language)
    odd = factories.case(people.customer, workgroup=group, priority="someday")
    assert "</dt><dd>someday</dd>" in client.get(f"/cases/{odd.reference}").get_data(as_text=True)
