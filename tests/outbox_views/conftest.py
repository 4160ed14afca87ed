"""A small world for the notifier screens: a team with its case, a case elsewhere, and the people
around them; and the real services that put each kind of message in the outbox."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from notifier.models import Message
from portal.accounts import service as accounts
from portal.cases.service.conversation import add_comment
from portal.notification_admin import queries as editor_queries
from portal.notification_admin import service as editor
from tests import factories


@dataclass
class World:
    people: object
    agent_elsewhere: object
    other_admin: object
    case_in_team: object
    case_elsewhere: object

    def viewer(self, role: str):
        """The user behind a matrix role (None for an anonymous visitor)."""
        return {
            "customer": self.people.customer,
            "proxy": self.people.proxy,
            "agent in the team": self.people.agent,
            "agent elsewhere": self.agent_elsewhere,
            "supervisor": self.people.supervisor,
            "admin": self.people.admin,
            "anonymous": None,
        }[role]


@pytest.fixture
def world(app, people) -> World:
    """Aga (agent) and Sue (supervisor) work in the team handling Cora's case, which Pia (proxy) filed
    for her; Otto's case belongs to a team none of them is in. Olaf is an agent of another team
    with no case; Adam is a second admin."""
    team = factories.workgroup(people.agent, people.supervisor)
    olaf = factories.user(role="agent", email="olaf@example.com", display_name="Olaf Elsewhere")
    factories.workgroup(olaf)
    nobody = factories.workgroup()
    adam = factories.user(role="admin", email="adam@example.com", display_name="Adam Admin")
    created = World(
        people=people,
        agent_elsewhere=olaf,
        other_admin=adam,
        case_in_team=factories.case(people.customer, workgroup=team, internal_contact=people.proxy),
        case_elsewhere=factories.case(people.other_customer, workgroup=nobody),
    )
    assert Message.select().count() == 0, "the world itself sends nothing"
    return created


def send(world: World, kind: str, viewer=None) -> list[Message]:
    """Put one kind of message in the outbox through the service that sends it in real use; returns
    the new messages. `viewer` is whoever "to self" means."""
    people = world.people
    before = {row.id for row in Message.select(Message.id)}
    if kind == "case in the team":
        add_comment(people.agent, world.case_in_team, "We replaced the toner; please try again.")
    elif kind == "case elsewhere":
        add_comment(people.admin, world.case_elsewhere, "Your refund of 42 EUR is on its way.")
    elif kind == "reset for another admin":
        accounts.request_password_reset(world.other_admin.email)
    elif kind == "reset for the viewer":
        accounts.request_password_reset((viewer or people.customer).email)
    elif kind == "test message to another admin":
        editor.send_test(world.other_admin, editor_queries.slot(world.other_admin, "test_message", "email"))
    else:
        raise ValueError(kind)
    created = list(Message.select().where(Message.id.not_in(before)).order_by(Message.id))
    assert created, f"{kind}: the service queued nothing"
    return created
