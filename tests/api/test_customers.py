"""Customers and accounts through the API: staff find, read and create them with the pages' rules;
for customers and proxies they do not exist."""

from __future__ import annotations

import pytest

from portal.models.people import Customer
from tests import factories
from tests.api.conftest import assert_error


@pytest.fixture
def acme(app):
    account = factories.account(name="Acme Ltd", account_number="ACC-00042")
    maria = factories.customer(first_name="Maria", last_name="Garcia", email="maria@acme.example",
                               phone="+14155550100", account=account, is_account_manager=True)
    juan = factories.customer(first_name="Juan", last_name="Garcia", email="juan@acme.example", account=account)
    return account, maria, juan


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def test_staff_find_customers_by_phone_in_any_format(app, api_as, people, acme):
    _, maria, _ = acme
    api = api_as(people.agent, ["customers:read"])
    assert ids(api.get("/customers", query_string={"phone": "(415) 555-0100"})) == [maria.uuid]
    assert ids(api.get("/customers", query_string={"phone": "+1 415 555 0100"})) == [maria.uuid]
    assert ids(api.get("/customers", query_string={"phone": "555"})) == []


def test_staff_find_customers_by_email_name_and_numbers(app, api_as, people, acme):
    account, maria, juan = acme
    api = api_as(people.agent, ["customers:read"])
    assert ids(api.get("/customers", query_string={"email": "MARIA@acme.example"})) == [maria.uuid]
    assert ids(api.get("/customers", query_string={"name": "gar"})) == [maria.uuid, juan.uuid]
    assert ids(api.get("/customers", query_string={"name": "ju gar"})) == [juan.uuid]
    assert ids(api.get("/customers", query_string={"number": maria.customer_number})) == [maria.uuid]
    assert ids(api.get("/customers", query_string={"number": "ACC-00042"})) == [maria.uuid, juan.uuid]
    # Filters combine: every one must match.
    assert ids(api.get("/customers", query_string={"name": "garcia", "email": "juan@acme.example"})) == [juan.uuid]
    # A value that is not what its parameter names matches nothing, not everything.
    assert ids(api.get("/customers", query_string={"email": "maria"})) == []
    assert ids(api.get("/customers", query_string={"number": "maria"})) == []


def test_a_customer_in_full(app, api_as, people, acme):
    account, maria, _ = acme
    body = api_as(people.agent, ["customers:read"]).get(f"/customers/{maria.uuid}").get_json()
    assert body["customer_number"] == maria.customer_number and body["phone"] == "+14155550100"
    assert body["account"] == {"id": account.uuid, "name": "Acme Ltd", "account_number": "ACC-00042"}
    assert body["is_account_manager"] is True and body["has_sign_in"] is False
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")


def test_the_customer_list_pages_with_a_cursor_in_constant_queries(app, api_as, people, sql_log):
    for number in range(7):
        factories.customer(first_name=f"Page{number}", account=factories.account())
    api = api_as(people.agent, ["customers:read"])
    api.get("/me")  # the token's first use is noted once; not part of the lists' cost
    seen, cursor, counts = [], None, []
    while True:
        with sql_log() as statements:
            response = api.get("/customers", query_string={"name": "page", "limit": 3,
                                                           **({"cursor": cursor} if cursor else {})})
        counts.append(len(statements))
        seen += ids(response)
        cursor = response.get_json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert len(set(counts)) == 1, counts  # three, three and one item: the same statements
    # A cursor of one search is refused by another.
    first = api.get("/customers", query_string={"name": "page", "limit": 3}).get_json()["next_cursor"]
    assert_error(api.get("/customers", query_string={"name": "other", "cursor": first}), 400, "invalid_cursor")
    assert_error(api.get("/customers", query_string={"cursor": "garbage.x"}), 400, "invalid_cursor")


def test_staff_create_a_customer(app, api_as, people, acme):
    api = api_as(people.agent, ["customers:write"])
    response = api.post("/customers", {"first_name": "Ana", "last_name": "Lopez", "phone": "(415) 555-0199",
                                       "account_number": "acc-00042"})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["phone"] == "+14155550199" and body["account"]["account_number"] == "ACC-00042"
    assert response.headers["Location"] == f"/api/v1/customers/{body['id']}"
    assert Customer.get(Customer.uuid == body["id"]).first_name == "Ana"


def test_a_possible_duplicate_is_refused_with_the_candidates_until_confirmed(app, api_as, people, acme):
    _, maria, _ = acme
    api = api_as(people.agent, ["customers:write"])
    refused = api.post("/customers", {"first_name": "M.", "phone": "415-555-0100"})
    error = assert_error(refused, 409, "possible_duplicate")
    assert [candidate["id"] for candidate in error["candidates"]] == [maria.uuid]
    confirmed = api.post("/customers", {"first_name": "M.", "phone": "415-555-0100", "confirm_duplicate": True})
    assert confirmed.status_code == 201
    assert Customer.select().where(Customer.phone == "+14155550100").count() == 2


@pytest.mark.parametrize("body, field", [
    ({"first_name": ""}, "first_name"),
    ({"first_name": "A", "email": "not an address"}, "email"),
    ({"first_name": "A", "phone": "12"}, "phone"),
    ({"first_name": "A", "account_number": "ACC-99999"}, "account_number"),
    ({"first_name": "A", "is_account_manager": True}, "is_account_manager"),
    ({"first_name": 5}, "first_name"),
    ({"first_name": "A", "surprise": 1}, "surprise"),
])
def test_bad_customer_values_are_field_errors(app, api_as, people, body, field):
    error = assert_error(api_as(people.agent, ["customers:write"]).post("/customers", body), 422, "invalid")
    assert field in error["fields"]


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_customers_and_proxies_find_no_customers(app, api_as, people, acme, role):
    account, maria, _ = acme
    api = api_as(people.by_role(role), ["customers:read", "customers:write"])
    assert_error(api.get("/customers", query_string={"name": "maria"}), 404, "not_found")
    assert_error(api.get(f"/customers/{maria.uuid}"), 404, "not_found")
    assert_error(api.get("/accounts"), 404, "not_found")
    assert_error(api.get(f"/accounts/{account.uuid}"), 404, "not_found")
    assert_error(api.post("/customers", {"first_name": "Eve"}), 404, "not_found")
    assert Customer.select().where(Customer.first_name == "Eve").count() == 0


def test_scopes_are_needed(app, api_as, people, acme):
    api = api_as(people.agent, ["cases:read"])
    assert_error(api.get("/customers"), 403, "insufficient_scope")
    assert_error(api_as(people.agent, ["customers:read"]).post("/customers", {"first_name": "A"}), 403,
                 "insufficient_scope")


def test_unknown_or_malformed_ids_are_404(app, api_as, people):
    api = api_as(people.agent, ["customers:read"])
    for path in ("/customers/nope", "/customers/00000000-0000-4000-8000-000000000000", "/accounts/%C3%A9",
                 "/accounts/" + "9" * 300):
        assert_error(api.get(path), 404, "not_found")
    assert_error(api.get("/accounts/%00"), 400, "bad_request")  # the app's guard against control characters


def test_accounts_by_name_and_number_with_their_customers(app, api_as, people, acme):
    account, maria, juan = acme
    factories.account(name="Other Co")
    api = api_as(people.agent, ["customers:read"])
    assert ids(api.get("/accounts", query_string={"name": "acme"})) == [account.uuid]
    assert ids(api.get("/accounts", query_string={"number": "acc-00042"})) == [account.uuid]
    detail = api.get(f"/accounts/{account.uuid}").get_json()
    assert detail["name"] == "Acme Ltd"
    assert [c["id"] for c in detail["customers"]] == [maria.uuid, juan.uuid]  # account managers first


def test_bad_list_parameters_are_errors_not_crashes(app, api_as, people):
    api = api_as(people.agent, ["customers:read"])
    assert_error(api.get("/customers", query_string={"limit": 0}), 422, "invalid")
    assert_error(api.get("/customers", query_string={"limit": "lots"}), 422, "invalid")
    assert_error(api.get("/customers", query_string={"name": "x" * 201}), 422, "invalid")
    assert_error(api.get("/customers", query_string={"colour": "red"}), 422, "invalid")
    assert ids(api.get("/customers", query_string={"name": "%_\\"})) == []
