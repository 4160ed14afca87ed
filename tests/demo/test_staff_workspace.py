"""The demo gives a newcomer's workspace something to work on, and loading twice keeps one copy."""

from portal.demo import load_demo_data
from portal.models.cases import Case
from portal.models.people import User
from portal.models.staff import CaseTask


def test_the_demo_workspace_has_assigned_queued_and_escalated_cases_once(app):
    load_demo_data()
    load_demo_data()
    ada = User.get(User.email == "ada.agent@caseport.example.com")
    assert Case.select().where(Case.assignee == ada).count() == 1
    assert Case.select().where(Case.escalated == True).count() == 1  # noqa: E712
    assert Case.select().where(Case.assignee.is_null() & (Case.priority == "urgent")).count() == 1
    assert CaseTask.select().count() == 2


def test_ada_sees_her_demo_work_on_the_workspace(app, client):
    load_demo_data()
    from portal.demo import DEMO_PASSWORD
    from tests.fixtures import sign_in

    sign_in(client, User.get(User.email == "ada.agent@caseport.example.com"), DEMO_PASSWORD)
    page = client.get("/staff/").get_data(as_text=True)
    assert "Dashboard times out every morning" in page
    assert "Mobile app crashes at sign-in" in page
    assert "Call Maria back" in page
