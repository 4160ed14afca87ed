"""The demo step for assets, extra profiles and workgroups is idempotent and gives search a shared phone."""

from portal.customers.queries import search_customers
from portal.demo.customers import load_assets_and_profiles
from portal.demo.people import load_people
from portal.demo.teams import load_workgroups
from portal.models.assets import Asset
from portal.models.people import Customer, User
from portal.models.teams import Workgroup, WorkgroupMember
from portal.teams.queries import members_of


def _load_twice():
    for _ in range(2):
        load_people()
        load_assets_and_profiles()
        load_workgroups()


def _counts():
    return (Asset.select().count(), Customer.select().count(), Workgroup.select().count(),
            WorkgroupMember.select().count())


def test_loading_twice_keeps_one_copy(app):
    _load_twice()
    first = _counts()
    load_assets_and_profiles()
    load_workgroups()
    assert _counts() == first
    assert first[0] == 6 and first[2] == 3 and first[3] == 6


def test_demo_workgroups_have_their_members(app):
    _load_twice()
    desk = Workgroup.get(Workgroup.name == "Service desk")
    assert {u.display_name for u in members_of(desk)} == {"Ada Okafor", "Li Wei", "Samira Haddad"}
    assert [u.display_name for u in members_of(desk) if u.role == "supervisor"] == ["Samira Haddad"]


def test_the_shared_household_line_finds_both_millers(app):
    _load_twice()
    agent = User.get(User.email == "ada.agent@caseport.example.com")
    result = search_customers(agent, "(415) 555-0199")
    assert [c.full_name for c in result.matches] == ["Grace Miller", "Henry Miller"]
