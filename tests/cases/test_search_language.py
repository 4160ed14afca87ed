"""Keyword search per language: a case is written in a language (its customer's, else its filer's),
its words are indexed with their stems in that language, and a search matches a word or the stem of
what was typed in any shipped language. Run on SQLite and on PostgreSQL (DATABASE_URL): both must
find exactly the same cases."""

import importlib

import pytest

from portal.cases.queries.search import matching_case_ids
from portal.cases.rules import query_terms, stem_algorithm
from portal.cases.service import search_index
from portal.cases.service.opening import open_case
from portal.cases.service.search_index import delete_documents, reindex_all_cases, reindex_case
from portal.db import database
from portal.i18n import LANGUAGES
from portal.models.cases import Case, CaseEvent
from portal.models.people import Customer
from portal.policy import case_visibility, is_staff
from tests import factories
from tests.case_config import factories as config


@pytest.fixture
def template(app, people):
    return config.template(people.admin, name="Question")


@pytest.fixture
def open_for(people, template):
    """open_for(language, title, summary): a case filed by an agent for a customer who reads language."""

    def _open(language, title, summary="Nothing else to add.", *, customer=None):
        if customer is None:
            user = factories.user(role="customer", language=language)
            customer = Customer.get(Customer.user == user)
        return open_case(people.agent, template, {"title": title, "summary": summary}, customer=customer)

    return _open


def found(user, text):
    return sorted(c.reference for c in Case.select(Case.reference).where(
        case_visibility(user) & Case.id.in_(matching_case_ids(text, staff=is_staff(user)))))


def add_event(case, body, *, public=True):
    CaseEvent.create(case=case, kind="comment", body=body, public=public)
    reindex_case(case.id)


# --- the language of a case ---------------------------------------------------------------------


def test_a_case_is_in_the_language_of_its_customer(people, open_for):
    assert open_for("de", "Rechnung fehlt").language == "de"
    assert open_for("es", "Falta la factura").language == "es"


def test_a_case_for_a_customer_who_does_not_sign_in_is_in_the_filers_language(people, template):
    people.agent.language = "es"
    people.agent.save()
    customer = factories.customer()
    case = open_case(people.agent, template, {"title": "Falta la factura", "summary": "Nada más."}, customer=customer)
    assert case.language == "es"


def test_every_shipped_language_has_a_stemmer():
    assert all(stem_algorithm(code) for code in LANGUAGES)
    assert stem_algorithm("de-AT") == "german" and stem_algorithm("xx") is None and stem_algorithm("") is None


# --- stems --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "written", "typed"), [
    ("en", "The router drops the line", "routers"),
    ("en", "Both routers drop the line", "router"),
    ("de", "Die Rechnung ist falsch", "Rechnungen"),
    ("de", "Die Rechnungen sind falsch", "Rechnung"),
    ("es", "La factura no llegó", "facturas"),
    ("es", "Las facturas no llegaron", "factura"),
    ("es", "Error en la facturación", "facturaciones"),
])
def test_a_word_finds_the_other_forms_of_it_in_the_cases_language(people, open_for, language, written, typed):
    case = open_for(language, written)
    assert found(people.admin, typed) == [case.reference]


@pytest.mark.parametrize("typed", ["routers dropping", "Dropped routers", "routers, drops"])
def test_every_term_matches_by_its_stem_and_terms_are_anded(people, open_for, typed):
    case = open_for("en", "The router drops the line")
    assert found(people.admin, typed) == [case.reference]
    assert found(people.admin, f"{typed} printers") == []


def test_each_case_is_stemmed_in_its_own_language(people, open_for):
    # The same words in an English and a German case: "connected" has the English stem "connect" (as
    # "connection" has), but in German it is left as it is; "Drucker" has the German stem "druck" (as
    # "drucken" has), in English it is left as it is.
    english = open_for("en", "Drucker connected")
    german = open_for("de", "Drucker connected")
    assert found(people.admin, "connection") == [english.reference]
    assert found(people.admin, "drucken") == [german.reference]
    assert found(people.admin, "drucker connected") == sorted([english.reference, german.reference])


def test_the_customer_finds_their_case_by_a_stem_of_its_public_text(people, open_for):
    customer = Customer.get(Customer.user == people.customer)
    case = open_for("en", "Headset crackles", "Both ear cushions are torn", customer=customer)
    assert found(people.customer, "cushion crackle") == [case.reference]
    assert found(people.other_customer, "cushion") == []


def test_a_stem_of_an_internal_note_is_never_found_through_the_public_document(people, open_for):
    customer = Customer.get(Customer.user == people.customer)
    case = open_for("en", "Headset crackles", customer=customer)
    add_event(case, "Replacements exaggerated", public=False)
    assert found(people.customer, "replacement") == []
    assert found(people.customer, "exaggerate") == []
    assert found(people.admin, "replacement exaggerate") == [case.reference]


# --- what worked before still works --------------------------------------------------------------


def test_accents_do_not_matter_and_words_are_stemmed_as_written(people, open_for):
    case = open_for("es", "Error en la facturación", "Le café est prêt à Zürich")
    for typed in ("facturacion", "FACTURACIÓN", "facturaciones", "cafe pret zurich", "CAFÉ"):
        assert found(people.admin, typed) == [case.reference], typed


@pytest.mark.parametrize("typed", ["rout", "facturaci", "connecti", "error facturac"])
def test_the_last_term_is_still_a_prefix_of_a_word(people, open_for, typed):
    case = open_for("es", "Error de facturación", "The connection of the routers")
    assert found(people.admin, typed) == [case.reference]


def test_only_the_last_term_is_a_prefix(people, open_for):
    case = open_for("en", "Routers error")
    assert found(people.admin, "rout error") == []
    assert found(people.admin, "error rout") == [case.reference]


def test_a_term_of_several_words_is_a_phrase_of_words_or_of_their_stems(people, open_for):
    case = open_for("en", "Invoice INV-123456", "The printer stopped-working yesterday")
    assert found(people.admin, "inv-123456") == [case.reference]
    assert found(people.admin, "stopped-working") == [case.reference]
    assert found(people.admin, "stops-works") == [case.reference]  # the stems follow each other
    assert found(people.admin, "working-stopped") == []
    assert found(people.admin, "printer-working") == []


def test_query_terms_hold_each_languages_stems_once(app):
    (term,) = query_terms("Rechnungen")
    assert term.words == ("rechnungen",)
    assert set(term.stems) == {("rechnungen",), ("rechnung",)}


# --- cases that existed before cases had a language ------------------------------------------------


def test_existing_cases_get_their_customers_else_their_filers_language_and_are_indexed_again(people, monkeypatch):
    monkeypatch.setattr(search_index, "REINDEX_BATCH", 1)  # every case in a batch of its own
    german = factories.user(role="customer", language="de")
    with_login = factories.case(german, title="Die Rechnungen fehlen")
    people.proxy.language = "es"
    people.proxy.save()
    without_login = factories.case(customer=factories.customer(), internal_contact=people.proxy,
                                   title="Las facturaciones no llegaron")
    Case.update(language="xx").execute()
    delete_documents([case.id for case in Case.select(Case.id)])
    migration = importlib.import_module("portal.migrations.0012_case_language")
    database.execute_sql(migration.LANGUAGE_OF_EXISTING_CASES)
    assert reindex_all_cases() == Case.select().count()
    assert Case.get_by_id(with_login.id).language == "de"
    assert Case.get_by_id(without_login.id).language == "es"
    # Found by their own language's stem (a term before the last is no prefix): en would not find them.
    assert found(people.admin, "Rechnung fehlen") == [with_login.reference]
    assert found(people.admin, "factura llegaron") == [without_login.reference]
