"""A document PlainMatch cannot decide goes to the full-text index (issue 12, search over a million cases).

SQLite reads a customer's cases' documents, and walks an agent's newest cases, deciding each match on
the stored text (search.PlainMatch). In a document with a word in another script ("søren") PlainMatch
may answer None: neither a match nor a miss. Such a case must be left to the index, never counted as a
miss. Here PlainMatch answers None for every document, and both searches must still find what the index
finds. Run on SQLite and PostgreSQL (there the index decides everything)."""

from portal.cases.queries import search as keyword_search
from portal.cases.rules import query_terms
from portal.cases.service.search_index import reindex_case
from tests import factories
from tests.fixtures import sign_in


def test_a_case_plain_match_cannot_decide_is_found_through_the_index_by_its_customer_and_staff(
        app, people, monkeypatch):
    assert keyword_search.PlainMatch(query_terms("soren"))("søren cannot print", "søren cannot print") is None
    customer = factories.user(role="customer")
    found = factories.case(customer, title="Printer on the second floor")
    missed = factories.case(customer, title="Scanner jammed")
    for each in (found, missed):
        reindex_case(each.id)
    monkeypatch.setattr(keyword_search.PlainMatch, "__call__", lambda self, document, stems: None)

    for user, url in ((customer, "/cases?q=printer"), (people.admin, "/staff/search?q=printer")):
        client = app.test_client()
        sign_in(client, user)
        page = client.get(url).get_data(as_text=True)
        assert found.reference in page, (user.role, url)
        assert missed.reference not in page, (user.role, url)
