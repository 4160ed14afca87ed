"""A service desk and an expert team, a template with a customer-visible, an internal and a select
field, and helpers that read the typed events a change recorded."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from portal.models.cases import Case, CaseEvent
from portal.models.events import Event
from portal.models.people import Customer
from tests import factories
from tests.case_config import factories as config


@dataclass
class Desk:
    desk: object
    experts: object
    expert: object
    template: object
    hana: object  # a contact of an account, for the proxy to file for
    customer: object  # people.customer's profile


@pytest.fixture
def world(app, people) -> Desk:
    expert = factories.user(role="agent", email="eve@example.com", display_name="Eve Expert")
    desk = factories.workgroup(people.agent, people.supervisor, name="Service desk")
    experts = factories.workgroup(expert, name="Experts")
    room = config.case_field(people.admin, key="room", label="Room")
    triage = config.case_field(people.admin, key="triage", label="Triage note", visibility="internal")
    colour = config.select_field(people.admin, key="colour", label="Colour")
    template = config.template(people.admin, name="Broken device", fields=[room, triage, colour],
                               default_workgroup=desk, escalation_workgroup=experts)
    harbour = factories.account(name="Harbour Hotels")
    hana = factories.customer(first_name="Hana", last_name="Harbour", account=harbour)
    return Desk(desk, experts, expert, template, hana, Customer.get(Customer.user == people.customer))


@pytest.fixture
def case(people, world):
    """An open case of people.customer, in the service desk, filed by the proxy, handled by the agent."""
    return factories.case(people.customer, template=world.template, workgroup=world.desk,
                          internal_contact=people.proxy, assignee=people.agent, title="Printer jams")


def fresh(case) -> Case:
    """The case as a request loads it."""
    return Case.get_by_id(case.id)


def last_position() -> int:
    return Event.select(Event.position).order_by(Event.position.desc()).scalar() or 0


def events_since(position: int) -> list[Event]:
    return list(Event.select().where(Event.position > position).order_by(Event.position))


def the_event(since: int) -> Event:
    """The one event recorded after position since (fails when there are none or several)."""
    recorded = events_since(since)
    assert [e.type for e in recorded] and len(recorded) == 1, [(e.type, e.data) for e in recorded]
    return recorded[0]


def latest_feed_entry(case) -> CaseEvent:
    return CaseEvent.select().where(CaseEvent.case == case.id).order_by(CaseEvent.id.desc()).first()


def data_without_feed(event: Event, case) -> dict:
    """The event's data without "feed_event", after checking that it names the case's newest feed entry."""
    data = dict(event.data)
    assert data.pop("feed_event") == latest_feed_entry(case).uuid
    return data


def status(category_or_status) -> dict:
    from portal.case_config.service import system_status

    found = system_status(category_or_status) if isinstance(category_or_status, str) else category_or_status
    return {"id": found.uuid, "category": found.category}
