"""The case page's Notifications tab: who was told what about a case, for staff who may view it."""

import pytest
from flask import render_template

from portal.errors import NotFound
from portal.outbox_views.queries import notifications_for_case
from tests.outbox_views.conftest import send


@pytest.mark.parametrize("role", ["agent in the team", "supervisor", "admin"])
def test_staff_who_may_view_the_case_see_its_messages(world, role):
    send(world, "case in the team")
    send(world, "case elsewhere")
    rows = notifications_for_case(world.viewer(role), world.case_in_team.reference)
    shown = sorted((r.address, r.event_title, r.status_label) for r in rows)
    assert shown == [("cora@example.com", "Staff replied", "Queued"), ("pia@example.com", "Staff replied", "Queued")]


@pytest.mark.parametrize("role", ["agent in the team", "agent elsewhere", "supervisor"])
def test_staff_who_may_not_view_a_case_cannot_read_its_messages(world, role):
    send(world, "case elsewhere")
    with pytest.raises(NotFound):
        notifications_for_case(world.viewer(role), world.case_elsewhere.reference)


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_customers_and_proxies_cannot_read_case_notifications(world, role):
    send(world, "case in the team")
    with pytest.raises(NotFound):
        notifications_for_case(world.viewer(role), world.case_in_team.reference)


@pytest.mark.parametrize("reference", ["", "00000000", "x" * 500])
def test_an_unknown_case_answers_not_found(world, reference):
    with pytest.raises(NotFound):
        notifications_for_case(world.people.admin, reference)


def test_the_tab_partial_lists_each_message(app, world):
    send(world, "case in the team")
    with app.test_request_context():
        html = render_template("outbox_views/_case_notifications.html",
                               case_notifications=notifications_for_case(world.people.agent,
                                                                         world.case_in_team.reference))
    assert "cora@example.com" in html and "Staff replied" in html and "<h2" in html
