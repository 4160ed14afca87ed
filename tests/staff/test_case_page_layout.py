"""The staff case page puts what staff act with first in its side column: the resolution and status,
then the workspace actions, then the facts."""

from tests import factories
from tests.fixtures import sign_in


def test_staff_find_their_main_actions_before_the_facts(client, people):
    case = factories.case(people.customer, workgroup=factories.workgroup(people.agent), assignee=people.agent)
    sign_in(client, people.agent)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    handle, actions, facts = (page.index('id="staff-title"'), page.index('id="staff-actions"'),
                              page.index('id="facts-title"'))
    assert handle < actions < facts
