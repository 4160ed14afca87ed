"""Search gives the same pages whichever way its matches are found (issue 12, search over a million cases).

SQLite decides some matches on the cases' stored documents (search.PlainMatch: a common word's newest
matches for staff, a customer's own cases) instead of asking the full-text index. Here a seeded database
is searched by every kind of viewer with both ways, the document reading switched off for the second
(DECIDE_ON_TEXT = False, MAX_TEXTS_READ = -1: the statements alone), and the pages must be equal:
the same cases, in the same order, with the same heading and links. The limits are lowered so a few
hundred cases take the paths of a million (more matches than counted, pages past a short walk). On
PostgreSQL nothing is read from documents, so both runs take the index's path there."""

import re

import peewee
import pytest

from portal.cases.queries import search as keyword_search
from portal.demo import DEMO_PASSWORD
from portal.demo.seed import seed
from portal.models.cases import Case
from portal.models.people import Customer, User
from portal.staff import queries
from tests import factories
from tests.fixtures import sign_in

QUERIES = ["printer", "pri", "printer jammed", '"printer jammed"', "zebra", "invoice", "the", "refund please"]
VOLATILE = re.compile(r'name="csrf_token"[^>]*>|nonce="[^"]*"')


@pytest.fixture
def seeded(app):
    seed(cases=300, customers=12, random_seed=3)


def _viewers(client_factory):
    seeded_customers = (User.role == "customer") & User.email.endswith("@seed.example.com")
    busiest = (Case.select(Customer.user).join(Customer).where(Customer.user.is_null(False))
               .group_by(Customer.user).order_by(peewee.fn.COUNT(Case.id).desc(), Customer.user).limit(1).scalar())
    people = {
        "agent": User.get(User.email == "ada.agent@caseport.example.com"),
        "supervisor": User.get(User.email == "sam.supervisor@caseport.example.com"),
        "admin": User.get(User.email == "admin@caseport.example.com"),
        "proxy": User.get(User.email == "pat.proxy@caseport.example.com"),
        "customer": User.get_by_id(busiest),
        "another customer": User.select().where(seeded_customers).order_by(User.id).first(),
    }
    clients = {}
    for who, user in people.items():
        client = client_factory()
        sign_in(client, user, DEMO_PASSWORD)
        clients[who] = (user, client)
    return clients


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return VOLATILE.sub("", response.get_data(as_text=True))


def test_every_viewer_gets_the_same_pages_whether_matches_are_read_from_the_documents_or_the_index(
        app, seeded, monkeypatch):
    monkeypatch.setattr(keyword_search, "MAX_LISTED_MATCHES", 8)
    monkeypatch.setattr(queries, "PAGE_SIZE", 4)
    monkeypatch.setattr(keyword_search, "MAX_WALKED", 40)
    viewers = _viewers(app.test_client)
    urls = []
    for who, (user, _client) in viewers.items():
        for text in QUERIES:
            if user.role in ("customer", "proxy"):
                urls += [(who, f"/cases?q={text}"), (who, f"/cases?q={text}&page=2")]
            else:
                urls += [(who, f"/staff/search?q={text}&page={n}") for n in (1, 2, 3, 9, 40)]
                urls += [(who, f"/staff/search?q={text}&page={n}&count=1") for n in (1, 2)]
    fast = {(who, url): _page(viewers[who][1], url) for who, url in urls}
    monkeypatch.setattr(keyword_search, "DECIDE_ON_TEXT", False)
    monkeypatch.setattr(keyword_search, "MAX_TEXTS_READ", -1)
    for (who, url), page in fast.items():
        assert page == _page(viewers[who][1], url), (who, url)
    # The comparison saw the paths it is about: uncounted common words, counted rare ones, empty ones.
    pages = list(fast.values())
    assert any("More than 8 cases found" in p for p in pages)
    assert any(re.search(r"\b[1-8] cases? found", p) for p in pages)
    assert any("past the last page" in p for p in pages)
    assert any("More than 4 cases found" in p and "Count matches" in p for p in pages)  # the walk's pages


def test_a_document_in_another_script_is_left_to_the_index(app, client, monkeypatch):
    """A case whose document has a word PlainMatch cannot read (here "prιnter", its i Greek) is decided
    by FTS5: the walk gives up and the page is read as before, that case in its place."""
    from portal.cases.service.search_index import reindex_case

    admin = factories.user(role="admin", email="adm@example.com", display_name="Adam Admin")
    customer = factories.user(role="customer", email="cora@example.com", display_name="Cora Customer")
    made = []
    for n in range(5):
        made.append(factories.case(customer, title=f"Printer {n} prιnter" if n == 2 else f"Printer {n}"))
        reindex_case(made[-1].id)
    assert keyword_search.PlainMatch(keyword_search.query_terms("printer"))("2 prιnter", "2 prιnter") is None
    monkeypatch.setattr(keyword_search, "MAX_LISTED_MATCHES", 2)
    monkeypatch.setattr(queries, "PAGE_SIZE", 10)
    sign_in(client, admin)
    page = client.get("/staff/search?q=printer").get_data(as_text=True)
    assert "More than 2 cases found" in page
    listed = re.findall(r"\b\d{8}\b", page[page.index('id="results-title"'):])
    assert list(dict.fromkeys(listed)) == [c.reference for c in reversed(made)]
