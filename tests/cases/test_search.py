"""Keyword search: what it finds (title, summary, public comments, resolutions, field labels, the
reference), what customers can never find (internal notes and fields), and input that must not break it."""

import pytest

from portal.cases.queries.search import matching_case_ids
from portal.cases.service.opening import open_case
from portal.cases.service.search_index import reindex_case
from portal.models.cases import Case, CaseEvent
from portal.models.people import Customer
from portal.policy import case_visibility, is_staff
from tests.case_config import factories


@pytest.fixture
def template(app, people):
    admin = people.admin
    product = factories.select_field(admin, {"Wireless headset": "headset", "Docking station": "dock"},
                                     key="product", label="Product")
    stock = factories.case_field(admin, key="stock_note", label="Stock note", visibility="internal")
    serial = factories.case_field(admin, key="serial", label="Serial number")
    return factories.template(admin, name="Replacement", fields=[product, stock, serial])


@pytest.fixture
def case(people, template):
    customer = Customer.get(Customer.user == people.customer)
    return open_case(people.agent, template, {
        "title": "Headset crackles", "summary": "Since last week the left ear crackles loudly.",
        "cf_product": "headset", "cf_stock_note": "Ship from Leeds warehouse", "cf_serial": "HS123456",
    }, customer=customer)


def add_event(case, kind, body, *, public=True):
    CaseEvent.create(case=case, kind=kind, body=body, public=public)
    reindex_case(case.id)


def found(user, text):
    return [c.reference for c in Case.select(Case.reference).where(
        case_visibility(user) & Case.id.in_(matching_case_ids(text, staff=is_staff(user))))]


@pytest.mark.parametrize("text", ["crackles", "CRACKLES", "left ear", "headset crackles", "wireless",
                                  "Wireless Headset", "hs123456", "crack", "last wee"])
def test_customer_finds_their_case_by_its_text_and_field_labels(people, case, text):
    assert found(people.customer, text) == [case.reference]


def test_the_reference_finds_the_case(people, case):
    assert found(people.customer, case.reference) == [case.reference]


def test_a_stored_option_value_is_not_shown_so_it_does_not_match_alone(people, case):
    # "dock" is another option's label; the stored value of this case is "headset", shown as its label
    assert found(people.customer, "dock") == []


def test_public_comments_and_resolutions_are_found(people, case):
    add_event(case, "comment", "The replacement arrived dented")
    add_event(case, "resolution_proposed", "We sent a courier with a refurbished unit")
    assert found(people.customer, "dented") == [case.reference]
    assert found(people.customer, "refurbished courier") == [case.reference]


def test_customer_never_finds_a_case_by_an_internal_note(people, case):
    add_event(case, "comment", "Customer is known for exaggerating", public=False)
    assert found(people.customer, "exaggerating") == []
    assert found(people.admin, "exaggerating") == [case.reference]


def test_customer_never_finds_a_case_by_an_internal_field(people, case):
    assert found(people.customer, "leeds") == []
    assert found(people.admin, "leeds warehouse") == [case.reference]


def test_staff_find_by_the_customer_name(people, case):
    name = Customer.get(Customer.user == people.customer).first_name
    assert found(people.admin, name) == [case.reference]


def test_accents_and_case_do_not_matter(people, case):
    add_event(case, "comment", "Le café est prêt à Zürich")
    assert found(people.customer, "cafe pret zurich") == [case.reference]
    assert found(people.customer, "CAFÉ") == [case.reference]


def test_every_term_must_match(people, case):
    assert found(people.customer, "crackles nonexistentword") == []


def test_another_customer_finds_nothing_even_with_matching_text(people, case):
    assert found(people.other_customer, "crackles") == []


def test_reindex_replaces_the_old_text(people, case):
    Case.update(title="Printer jammed", summary="Paper everywhere").where(Case.id == case.id).execute()
    reindex_case(case.id)
    assert found(people.customer, "printer paper") == [case.reference]
    assert found(people.customer, "loudly") == []


def test_a_deleted_case_leaves_no_document(people, case):
    case.delete_instance(recursive=True)
    assert Case.select().where(Case.id.in_(matching_case_ids("crackles", staff=True))).count() == 0


HOSTILE = ['"', '""', "'", "(", ")", "crackles)", '"crackles', "AND", "OR", "NOT", "crackles OR",
           "NOT crackles", "-crackles", "*", "crack*", "**", "NEAR(a b)", "title:crackles", "^crackles",
           "a AND (b OR", "\\", "%", "_", ";--", "' OR 1=1 --", "\x00", "🙂", "日本語", "x" * 1000,
           "word " * 200, "", "   ", "a:b:c", "{crackles}", "[crackles]", "+crackles", "crackles&", "a|b",
           "!crackles", "<->", ":*", "crackles:*"]


@pytest.mark.parametrize("role", ["customer", "admin"])
def test_hostile_input_never_errors(people, case, role):
    for text in HOSTILE:
        found(people.by_role(role), text)


@pytest.mark.parametrize("text", ["crackles)", '"crackles', "-crackles", "crack*", "{crackles}", "+crackles",
                                  "crackles:*", "title:crackles"])
def test_operators_are_read_as_plain_words(people, case, text):
    assert case.reference in found(people.customer, text) or text == "title:crackles"


def test_text_without_words_matches_nothing(people, case):
    assert found(people.customer, "*** ()") == []
