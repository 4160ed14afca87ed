"""The case page's Notifications tab: who was told what about a case, staff only."""

import pytest
from flask import render_template

import notifier
from portal.db import database
from portal.errors import NotFound
from portal.notifications.queries import notifications_for_case


def enqueue_about(reference, address, key):
    with database.atomic():
        notifier.enqueue("case_replied", [notifier.Recipient("email", address, "Cora")],
                         {"comment": "hi"}, key=key, topic=reference)


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_staff_see_the_messages_about_a_case(app, people, role):
    enqueue_about("12345678", "cora@example.com", "a")
    enqueue_about("87654321", "otto@example.com", "b")
    rows = notifications_for_case(people.by_role(role), "12345678")
    shown = [(r.address, r.event_title, r.status_label) for r in rows]
    assert shown == [("cora@example.com", "Staff replied", "Queued")]


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_customers_and_proxies_cannot_read_case_notifications(app, people, role):
    with pytest.raises(NotFound):
        notifications_for_case(people.by_role(role), "12345678")


def test_the_tab_partial_lists_each_message(app, people):
    enqueue_about("12345678", "cora@example.com", "a")
    with app.test_request_context():
        html = render_template("notifications_admin/_case_notifications.html",
                               case_notifications=notifications_for_case(people.agent, "12345678"))
    assert "cora@example.com" in html and "Staff replied" in html and "<h2" in html
