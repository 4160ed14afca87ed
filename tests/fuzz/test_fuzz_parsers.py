"""The shared parsers themselves, with many examples (they are fast): custom field values, page
numbers, UUIDs, phone numbers and e-mail addresses, customer and case search text. Each either
gives its documented result or refuses with its own error type, never anything else; values
they accept are what the database can store and compare, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.case_config.rules import FieldRuleError, parse_value
from portal.cases.queries import search
from portal.cases.queries.case_page import case_with_details
from portal.contact import ContactError, normalize_email, normalize_phone
from portal.customers.queries import search_customers
from portal.customers.rules import parse_search
from portal.identifiers import by_uuid, parse_uuid
from portal.models.cases import Case
from portal.models.configuration import CaseStatus
from portal.pagination import page_number
from tests.fuzz import strategies as odd


@dataclass
class Field:
    field_type: str
    label: str = "Field"
    pattern: str | None = None
    pattern_message: str = ""
    number_kind: str | None = "integer"
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int | None = None


FIELDS = [Field("number"), Field("number", number_kind="decimal"),
          Field("number", min_value=Decimal("-5"), max_value=Decimal("99999999999999.999999")),
          Field("date"), Field("text", max_length=20), Field("long_text"), Field("boolean"), Field("email"),
          Field("phone"), Field("url"), Field("text", pattern=r"[A-Z]{2}-\d{4}")]


@settings(max_examples=odd.examples(300))
@given(field=st.sampled_from(FIELDS), raw=odd.anything())
def test_a_custom_field_value_is_canonical_or_refused_with_a_message(field, raw):
    try:
        value = parse_value(field, raw, options={"red": True})
    except FieldRuleError as exc:
        assert str(exc)
        return
    if value is None:
        return
    if field.field_type == "number":
        assert value.isascii() and Decimal(value).is_finite()
        assert len(value.lstrip("-").replace(".", "")) <= 24
    if field.field_type == "date":
        assert 1 <= date.fromisoformat(value).year <= 9999


@settings(max_examples=odd.examples(300))
@given(raw=st.one_of(odd.numbers(), odd.anything()))
def test_a_page_number_is_always_a_page(raw):
    number = page_number(raw)
    assert isinstance(number, int) and number >= 1


@settings(max_examples=odd.examples(300))
@given(raw=odd.uuids())
def test_a_uuid_filter_is_a_canonical_uuid_or_nothing(raw):
    value = parse_uuid(raw)
    assert value is None or (len(value) == 36 and value == value.lower())


@settings(max_examples=odd.examples(200))
@given(raw=st.one_of(odd.numbers(), odd.text()))
def test_a_phone_number_is_e164_or_refused(raw):
    try:
        value = normalize_phone(raw, "GB")
    except ContactError:
        return
    assert value.startswith("+") and value[1:].isdigit() and value.isascii()


@settings(max_examples=odd.examples(200))
@given(raw=odd.text())
def test_an_email_address_is_normalised_or_refused(raw):
    try:
        value = normalize_email(raw)
    except ContactError:
        return
    assert "@" in value and value == value.strip()


# --- against the database: what the parsers let through must be a query both backends can run -----


def test_odd_lookups_by_public_id_find_nothing_and_never_fail(app):
    @settings(max_examples=odd.examples(60))
    @given(raw=odd.uuids())
    def lookup(raw):
        assert by_uuid(CaseStatus, raw) is None

    lookup()


def test_odd_case_references_find_nothing_and_never_fail(app):
    @settings(max_examples=odd.examples(60))
    @given(reference=odd.references("12345678"))
    def lookup(reference):
        assert case_with_details(reference) is None

    lookup()


def test_search_text_with_any_operator_is_a_query_both_backends_run(app):
    @settings(max_examples=odd.examples(80))
    @given(text=odd.search_text(), staff=st.booleans())
    def run(text, staff):
        list(Case.select(Case.id).where(Case.id.in_(search.matching_case_ids(text, staff=staff))))

    run()


def test_customer_search_text_of_any_kind_is_a_query_both_backends_run(app, people):
    @settings(max_examples=odd.examples(80))
    @given(text=st.one_of(odd.search_text(), odd.numbers(), odd.text()))
    def run(text):
        parse_search(text, "GB")
        assert isinstance(search_customers(people.agent, text, phone_region="GB").matches, list)

    run()
