"""The customer's case page says when the team aims to answer, in the customer's language and time zone, and
when the team is not at work, when it is back."""

from datetime import UTC, datetime

from notifier.models import Message
from portal.models.people import User
from portal.service_levels import routes as service_level_routes
from tests.fixtures import sign_in
from tests.service_levels.test_case_targets import MONDAY, open_at, world  # noqa: F401 (fixture)

SUNDAY = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def page_at(monkeypatch, client, case, moment) -> str:
    monkeypatch.setattr(service_level_routes, "utcnow", lambda: moment)
    response = client.get(f"/cases/{case.reference}")
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def test_the_customer_reads_when_the_team_aims_to_answer_in_english_in_new_york(
        monkeypatch, client, people, world):  # noqa: F811
    User.update(time_zone="America/New_York", language="en").where(User.id == people.customer.id).execute()
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    sign_in(client, people.customer)
    html = page_at(monkeypatch, client, case, MONDAY)
    assert "We aim to answer by Mon, Nov 30, 08:00 EST." in html  # 14:00 in Berlin
    assert "not at work" not in html


def test_the_line_speaks_german_in_the_customers_zone(monkeypatch, client, people, world):  # noqa: F811
    User.update(time_zone="Europe/Berlin", language="de").where(User.id == people.customer.id).execute()
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    sign_in(client, people.customer)
    html = page_at(monkeypatch, client, case, MONDAY)
    assert "Wir möchten Ihnen bis Mo., 30. Nov., 14:00 MEZ antworten." in html


def test_on_a_sunday_the_customer_learns_when_the_team_is_back(monkeypatch, client, people, world):  # noqa: F811
    User.update(time_zone="Europe/Berlin", language="en").where(User.id == people.customer.id).execute()
    case = open_at(monkeypatch, people, world["template"], SUNDAY)
    sign_in(client, people.customer)
    html = page_at(monkeypatch, client, case, SUNDAY)
    # Four business hours from Monday 09:00 in Berlin.
    assert "We aim to answer by Mon, Nov 30, 13:00 +0100." in html
    assert "Our team is not at work right now. We are back on Mon, Nov 30, 09:00 +0100." in html


def test_a_passed_target_or_a_case_waiting_on_the_customer_promises_nothing(monkeypatch, client, people,
                                                                            world):  # noqa: F811
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    sign_in(client, people.customer)
    html = page_at(monkeypatch, client, case, datetime(2026, 12, 5, tzinfo=UTC))
    assert "We aim to" not in html


def receipt_context(case) -> dict:
    message = Message.get((Message.event == "case_created") & (Message.topic == case.reference)
                          & (Message.address == "cora@example.com") & (Message.channel == "email"))
    return message.context


def test_the_receipt_says_when_the_team_aims_to_answer_in_german(monkeypatch, people, world):  # noqa: F811
    User.update(time_zone="Europe/Berlin", language="de").where(User.id == people.customer.id).execute()
    context = receipt_context(open_at(monkeypatch, people, world["template"], MONDAY))
    assert context["expected_answer"] == "Mo., 30. Nov., 14:00 MEZ"
    assert context["team_back_at"] == ""


def test_a_receipt_on_a_sunday_says_when_the_team_is_back(monkeypatch, people, world):  # noqa: F811
    User.update(time_zone="America/New_York", language="en").where(User.id == people.customer.id).execute()
    context = receipt_context(open_at(monkeypatch, people, world["template"], SUNDAY))
    assert context["expected_answer"] == "Mon, Nov 30, 07:00 EST"
    assert context["team_back_at"] == "Mon, Nov 30, 03:00 EST"
