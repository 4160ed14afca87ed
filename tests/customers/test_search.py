"""Finding customer profiles by every key; several matches; nothing found; hostile input."""

import pytest

from portal.customers.queries import search_customers
from portal.errors import NotFound
from tests import factories


@pytest.fixture
def maria(app):
    account = factories.account(name="Northwind Traders", account_number="ACC-10041")
    return factories.customer(first_name="Maria", last_name="Garcia", email="maria@northwind.example.com",
                              phone="+14155550101", account=account)


def _found(user, text):
    return [c.full_name for c in search_customers(user, text).matches]


@pytest.mark.parametrize("text", [
    "maria@northwind.example.com", "MARIA@Northwind.Example.com",
    "(415) 555-0101", "415.555.0101", "+1 415 555 0101", "4155550101",
    "ACC-10041", "acc10041",
    "Maria", "garcia", "mar gar", "Maria Garcia",
])
def test_a_profile_is_found_by_each_key(people, maria, text):
    assert _found(people.agent, text) == ["Maria Garcia"]


def test_a_profile_is_found_by_its_customer_number(people, maria):
    assert _found(people.agent, maria.customer_number.lower()) == ["Maria Garcia"]


def test_name_words_must_all_match_the_start_of_a_name(people, maria):
    assert _found(people.agent, "aria") == []
    assert _found(people.agent, "maria smith") == []


def test_several_profiles_on_one_phone_show_what_tells_them_apart(people):
    factories.customer(first_name="Grace", last_name="Miller", email="grace@example.com", phone="+14155550199")
    factories.customer(first_name="Henry", last_name="Miller", email=None, phone="+14155550199")
    result = search_customers(people.agent, "(415) 555-0199")
    assert [c.first_name for c in result.matches] == ["Grace", "Henry"]
    assert result.comparison.shared == ["phone number"]
    assert "email address" in result.comparison.distinguishing


def test_results_page_lists_matches_with_their_distinguishing_details(client, login, people):
    factories.customer(first_name="Grace", last_name="Miller", email="grace@example.com", phone="+14155550199")
    factories.customer(first_name="Henry", last_name="Miller", email=None, phone="+14155550199")
    login(people.agent)
    page = client.get("/customers/?q=415-555-0199").get_data(as_text=True)
    assert "2 profiles found" in page
    assert "Grace Miller" in page and "Henry Miller" in page
    assert "They share the same phone number" in page
    assert "grace@example.com" in page
    assert "+1 415-555-0199" in page


def test_search_that_finds_nobody_offers_a_prefilled_profile(client, login, people):
    login(people.agent)
    page = client.get("/customers/?q=John+Doe").get_data(as_text=True)
    assert "No profile found" in page
    assert "/customers/new?q=John+Doe" in page
    form = client.get("/customers/new?q=John+Doe").get_data(as_text=True)
    assert 'value="John"' in form and 'value="Doe"' in form


def test_too_many_matches_are_cut_at_the_limit(people):
    for n in range(4):
        factories.customer(first_name="Sam", last_name=f"Same{n}")
    result = search_customers(people.agent, "sam", limit=3)
    assert len(result.matches) == 3
    assert result.more


@pytest.mark.parametrize("text", ["%", "_", "%%", "M%", "Mar_a", "'", "\"", "'; DROP TABLE customer; --",
                                  "\\", "ma\\%", "o'connor", "%@%", "100%@x.com"])
def test_wildcards_and_quotes_match_literally_and_never_error(people, maria, text):
    assert _found(people.agent, text) == []


def test_a_literal_percent_in_a_name_is_found(people):
    factories.customer(first_name="100%", last_name="Percent")
    factories.customer(first_name="100x", last_name="Other")
    assert _found(people.agent, "100%") == ["100% Percent"]


@pytest.mark.parametrize("text", ["%", "x" * 5000, "'\"<script>", "+" * 300])
def test_search_page_never_fails_on_odd_input(client, login, people, maria, text):
    login(people.agent)
    response = client.get("/customers/", query_string={"q": text})
    assert response.status_code in (200, 400)
    assert "<script>" not in response.get_data(as_text=True)


def test_overlong_search_gets_a_message(client, login, people):
    login(people.agent)
    response = client.get("/customers/", query_string={"q": "x" * 201})
    assert response.status_code == 400
    assert "200 characters" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_customers_and_proxies_cannot_search(people, maria, role):
    with pytest.raises(NotFound):
        search_customers(people.by_role(role), "Maria")


def test_the_results_page_makes_no_query_per_match(client, login, people, sql_log):
    account = factories.account()
    for n in range(6):
        factories.customer(first_name="Sam", last_name=f"Same{n}", account=account, phone="+14155550188")
    login(people.agent)
    with sql_log() as executed:
        page = client.get("/customers/?q=sam").get_data(as_text=True)
    assert page.count("Same") == 6
    customer_queries = [sql for sql in executed if 'FROM "customer"' in sql]
    assert len(customer_queries) == 1
    assert not [sql for sql in executed if 'FROM "account"' in sql]  # joined in, not loaded per row
