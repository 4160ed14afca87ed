"""Teams and cases for the staff workspace tests: a service desk (agent, supervisor) and an expert
team (its own agent and supervisor) that cases of the template escalate to."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from notifier.models import Message
from portal.models.configuration import CaseTemplate
from tests import factories


@dataclass
class Teams:
    desk: object
    experts: object
    expert: object
    expert_supervisor: object
    template: object


@pytest.fixture
def teams(people) -> Teams:
    expert = factories.user(role="agent", email="eve@example.com", display_name="Eve Expert")
    expert_supervisor = factories.user(role="supervisor", email="esther@example.com", display_name="Esther Lead")
    desk = factories.workgroup(people.agent, people.supervisor, name="Service desk")
    experts = factories.workgroup(expert, expert_supervisor, name="Experts")
    template = CaseTemplate.create(name="Broken device", description="", state="published", for_customers=True,
                                   for_proxies=True, for_staff=True, default_workgroup=desk,
                                   escalation_workgroup=experts)
    return Teams(desk, experts, expert, expert_supervisor, template)


@pytest.fixture
def case(people, teams):
    return factories.case(people.customer, template=teams.template, workgroup=teams.desk, title="Printer jams")


def messages(event: str) -> list[str]:
    """The addresses told of event, sorted."""
    return sorted(m.address for m in Message.select().where(Message.event == event))


def reload(case):
    from portal.models.cases import Case

    return Case.get_by_id(case.id)
