"""Accounts (unique numbers) and their products/assets (unique identifiers per account, deactivation)."""

import pytest

from portal.customers import queries
from portal.customers.service import (
    AccountData,
    AssetData,
    create_account,
    create_asset,
    set_asset_active,
    update_account,
    update_asset,
)
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.models.assets import Asset
from portal.models.people import Account
from tests import factories
from tests.fixtures import post_form


def test_an_account_is_created_with_its_number_upper_cased(people):
    account = create_account(people.agent, AccountData(name=" Northwind  Traders ", account_number="acc-10041"))
    assert (account.name, account.account_number) == ("Northwind Traders", "ACC-10041")


def test_a_duplicate_account_number_is_refused_with_a_message(people):
    create_account(people.agent, AccountData(name="Northwind", account_number="ACC-10041"))
    with pytest.raises(Conflict) as caught:
        create_account(people.agent, AccountData(name="Other", account_number="acc-10041"))
    assert "account_number" in caught.value.fields
    assert Account.select().count() == 1


def test_renumbering_onto_another_account_is_refused(people):
    create_account(people.agent, AccountData(name="Northwind", account_number="ACC-1"))
    other = create_account(people.agent, AccountData(name="Bluebird", account_number="ACC-2"))
    with pytest.raises(Conflict):
        update_account(people.agent, other.uuid, AccountData(name="Bluebird", account_number="ACC-1"))
    assert Account.get_by_id(other.id).account_number == "ACC-2"


@pytest.mark.parametrize("data, field", [
    (AccountData(name="", account_number="ACC-1"), "name"),
    (AccountData(name="X", account_number=""), "account_number"),
    (AccountData(name="X", account_number="ACC 1/2"), "account_number"),
    (AccountData(name="X" * 201, account_number="ACC-1"), "name"),
    (AccountData(name="X", account_number="A" * 41), "account_number"),
])
def test_bad_account_values_are_refused(people, data, field):
    with pytest.raises(ValidationFailed) as caught:
        create_account(people.agent, data)
    assert field in caught.value.fields


def test_assets_are_added_edited_and_deactivated(people):
    account = factories.account()
    asset = create_asset(people.agent, account.uuid, AssetData(name="Model X200 printer", identifier="SN-1"))
    asset = update_asset(people.agent, asset.uuid, AssetData(name="Model X200 printer (2nd floor)", identifier=""))
    assert asset.identifier is None and asset.name.endswith("(2nd floor)")
    set_asset_active(people.agent, asset.uuid, False)
    assert list(queries.assets_of_account(account)) == []
    assert [a.uuid for a in queries.assets_of_account(account, include_inactive=True)] == [asset.uuid]


def test_an_identifier_is_unique_within_its_account_only(people):
    first, second = factories.account(), factories.account()
    create_asset(people.agent, first.uuid, AssetData(name="Printer", identifier="SN-1"))
    create_asset(people.agent, second.uuid, AssetData(name="Printer", identifier="SN-1"))
    with pytest.raises(Conflict) as caught:
        create_asset(people.agent, first.uuid, AssetData(name="Scanner", identifier="SN-1"))
    assert "identifier" in caught.value.fields


def test_several_assets_without_identifier_are_fine(people):
    account = factories.account()
    for name in ("Website", "Hosting"):
        create_asset(people.agent, account.uuid, AssetData(name=name))
    assert Asset.select().where(Asset.account == account).count() == 2


def test_pickers_list_contacts_and_accounts(people):
    account = factories.account(name="Harbour City Council", account_number="ACC-10102")
    factories.customer(first_name="Yuki", last_name="Tanaka", account=account)
    factories.customer(first_name="James", last_name="OConnor", account=account, is_account_manager=True)
    assert [c.first_name for c in queries.contacts_of_account(account)] == ["James", "Yuki"]
    assert list(queries.accounts_search("harbour")) == [account]
    assert list(queries.accounts_search("ACC-101")) == [account]
    assert list(queries.accounts_search("%")) == []


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_customers_and_proxies_cannot_change_accounts_or_assets(people, role):
    account = factories.account()
    asset = Asset.create(account=account, name="Printer")
    user = people.by_role(role)
    for call in (lambda: create_account(user, AccountData("X", "ACC-9")),
                 lambda: update_account(user, account.uuid, AccountData("X", "ACC-9")),
                 lambda: create_asset(user, account.uuid, AssetData("Scanner")),
                 lambda: update_asset(user, asset.uuid, AssetData("Scanner")),
                 lambda: set_asset_active(user, asset.uuid, False)):
        with pytest.raises(NotFound):
            call()


# --- through the pages -------------------------------------------------------------------------------


def test_account_page_lists_contacts_and_assets(client, login, people):
    account = factories.account(name="Northwind Traders")
    factories.customer(first_name="Maria", account=account)
    Asset.create(account=account, name="Model X200 printer", identifier="SN-X200-1")
    login(people.agent)
    page = client.get(f"/customers/accounts/{account.uuid}").get_data(as_text=True)
    assert "Maria" in page and "Model X200 printer" in page and "SN-X200-1" in page


def test_duplicate_account_number_on_the_page_gets_a_field_message(client, login, people):
    factories.account(account_number="ACC-10041")
    login(people.agent)
    response = post_form(client, "/customers/accounts/new", {"name": "Copy", "account_number": "ACC-10041"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="account_number-error"' in page and "Another account already has this number." in page


def test_asset_added_and_deactivated_through_the_pages(client, login, people):
    account = factories.account()
    login(people.supervisor)
    response = post_form(client, f"/customers/accounts/{account.uuid}/assets/new",
                         {"name": "Model X200 printer", "identifier": "SN-9"})
    assert response.status_code == 302
    asset = Asset.get(Asset.account == account)
    response = post_form(client, f"/customers/assets/{asset.uuid}/deactivate", {},
                         page=f"/customers/accounts/{account.uuid}")
    assert response.status_code == 302
    assert not Asset.get_by_id(asset.id).active


def test_new_contact_from_the_account_page_is_prefilled_with_the_account(client, login, people):
    account = factories.account(account_number="ACC-55555")
    login(people.agent)
    page = client.get(f"/customers/new?account={account.uuid}").get_data(as_text=True)
    assert 'value="ACC-55555"' in page
