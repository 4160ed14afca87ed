"""search.PlainMatch decides FTS5's match on a document's stored text: checked against FTS5 itself on
generated documents and queries (words, prefixes, phrases, several terms, stems), SQLite only."""

import random
import sqlite3

import pytest

from portal.cases.queries.search import PlainMatch
from portal.cases.rules import fts5_query, query_terms, search_document

VOCABULARY = ["print", "printer", "printers", "printing", "pri", "jam", "jammed", "jams", "paper", "tray",
              "invoice", "invoices", "in", "inv", "123456", "12", "refund", "a", "the", "router", "routers"]


def _documents(rng: random.Random, n: int):
    for _ in range(n):
        text = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(0, 12)))
        yield search_document([text], rng.choice(["en", "de", "es", None]))


def _queries(rng: random.Random, n: int):
    for _ in range(n):
        words = [rng.choice(VOCABULARY)[: rng.randint(1, 8)] for _ in range(rng.randint(1, 3))]
        joiner = rng.choice([" ", "-", " "])
        text = joiner.join(words)
        yield f'"{text}"' if rng.random() < 0.2 else text


@pytest.mark.parametrize("seed", range(4))
def test_plain_match_answers_as_fts5_does(seed):
    rng = random.Random(seed)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(document, stems, tokenize='unicode61 remove_diacritics 2')")
    documents = list(_documents(rng, 150))
    db.executemany("INSERT INTO t (rowid, document, stems) VALUES (?, ?, ?)",
                   [(i, d.words, d.stems) for i, d in enumerate(documents, start=1)])
    compared = matched = 0
    for text in _queries(rng, 150):
        terms = query_terms(text)
        if not terms:
            continue
        for prefix in (True, False):
            match = PlainMatch(terms, prefix=prefix)
            assert match.usable
            expected = {rowid for (rowid,) in db.execute("SELECT rowid FROM t WHERE t MATCH ?",
                                                         (fts5_query(terms, prefix=prefix),))}
            got = {i for i, d in enumerate(documents, start=1) if match(d.words, d.stems)}
            assert got == expected, (text, prefix)
            compared += 1
            matched += bool(expected)
    assert compared > 200 and matched > 50


def test_it_cannot_tell_for_other_scripts_or_a_missing_document():
    match = PlainMatch(query_terms("printer"))
    assert match("printer εκτυπωτης", "printer") is None
    assert match(None, None) is None
    assert match("a printer", "a printer") is True
    assert not PlainMatch(query_terms("εκτυπωτής")).usable
