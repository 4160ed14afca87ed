"""Reading a search text: email, phone in any common format, customer number, account number or name."""

import pytest

from portal.customers.rules import compare_matches, parse_search, prefill_from_search


@pytest.mark.parametrize("text, email", [
    ("maria.garcia@northwind.example.com", "maria.garcia@northwind.example.com"),
    ("  Maria.Garcia@NORTHWIND.example.com ", "maria.garcia@northwind.example.com"),
    ("not-quite@valid", "not-quite@valid"),
])
def test_text_with_an_at_sign_is_an_email(text, email):
    terms = parse_search(text)
    assert terms.email == email
    assert not terms.name_words and terms.phone is None


@pytest.mark.parametrize("text, e164", [
    ("+44 20 7946 0958", "+442079460958"),
    ("(415) 555-0101", "+14155550101"),
    ("415.555.0101", "+14155550101"),
    ("415-555-0101", "+14155550101"),
    ("+1 415 555 0101", "+14155550101"),
])
def test_phone_numbers_in_common_formats_become_e164(text, e164):
    assert parse_search(text, "US").phone == e164


def test_a_national_number_is_read_in_the_default_region():
    assert parse_search("020 7946 0958", "GB").phone == "+442079460958"


def test_digits_that_are_no_valid_phone_number_search_nothing():
    terms = parse_search("12345678901234")
    assert terms.is_empty
    assert terms.text == "12345678901234"


@pytest.mark.parametrize("text", ["C1234567", "c1234567"])
def test_customer_numbers_are_recognised(text):
    terms = parse_search(text)
    assert terms.customer_number == "C1234567"
    assert not terms.name_words


@pytest.mark.parametrize("text", ["ACC-12345", "acc-12345", "ACC12345"])
def test_account_numbers_are_recognised(text):
    assert parse_search(text).account_number == "ACC-12345"


@pytest.mark.parametrize("text, words", [
    ("Maria", ("Maria",)),
    ("  maria   garcia ", ("maria", "garcia")),
    ("O'Connor", ("O'Connor",)),
    ("100%_sure", ("100%_sure",)),
])
def test_anything_else_is_name_words(text, words):
    terms = parse_search(text)
    assert terms.name_words == words
    assert terms.kinds == ["name"]


def test_empty_text_is_empty():
    assert parse_search("   ").is_empty
    assert parse_search(None).is_empty


def test_overlong_text_is_cut_not_refused():
    assert len(parse_search("x" * 5000).text) == 200


def test_a_failed_search_prefills_the_new_profile():
    assert prefill_from_search(parse_search("maria de la cruz")) == {"first_name": "maria", "last_name": "de la cruz"}
    assert prefill_from_search(parse_search("(415) 555-0101")) == {"phone": "+14155550101"}
    assert prefill_from_search(parse_search("x@example.com")) == {"email": "x@example.com"}


def test_comparison_names_shared_and_distinguishing_details():
    rows = [
        {"email": "grace@example.com", "phone": "+14155550199", "account": None, "customer_number": "C0000001"},
        {"email": None, "phone": "+14155550199", "account": None, "customer_number": "C0000002"},
    ]
    comparison = compare_matches(rows)
    assert comparison.shared == ["phone number"]
    assert comparison.distinguishing == ["email address", "customer number"]


def test_one_match_needs_no_comparison():
    comparison = compare_matches([{"email": "a@example.com"}])
    assert comparison.shared == comparison.distinguishing == []
