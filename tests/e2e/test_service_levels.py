"""The customer reads in the browser when the team aims to answer, in their own time zone."""

from playwright.sync_api import expect

from portal.models.people import User
from portal.service_levels import routes as service_level_routes
from tests.service_levels.test_case_targets import MONDAY, open_at, world  # noqa: F401 (fixture)


def test_the_customer_sees_when_the_team_aims_to_answer_in_their_time_zone(monkeypatch, page, live_server, people,
                                                                           login_as, world):  # noqa: F811
    User.update(time_zone="America/New_York", language="en").where(User.id == people.customer.id).execute()
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    monkeypatch.setattr(service_level_routes, "utcnow", lambda: MONDAY)

    login_as(people.customer)
    page.goto(f"{live_server}/cases/{case.reference}")
    # Due 14:00 in Berlin (the team's calendar) is 08:00 in New York.
    expect(page.get_by_text("We aim to answer by Mon, Nov 30, 08:00 EST.")).to_be_visible()
    expect(page.get_by_text("not at work")).to_have_count(0)
