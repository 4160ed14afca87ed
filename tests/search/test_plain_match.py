"""search.PlainMatch decides FTS5's match on a document's stored text: checked against FTS5 itself on
generated documents and queries (words, prefixes, phrases, several terms, stems), SQLite only."""

import random
import sqlite3

import pytest

from portal.cases.queries.search import PlainMatch
from portal.cases.rules import fts5_query, query_terms, search_document

VOCABULARY = ["print", "printer", "printers", "printing", "pri", "jam", "jammed", "jams", "paper", "tray",
              "invoice", "invoices", "in", "inv", "123456", "12", "refund", "a", "the", "router", "routers"]
# Words that stay outside ASCII once folded (FTS5 may fold or split them its own way).
OTHER_SCRIPTS = ["søren", "bjørn", "prøinter", "printerø", "øprint", "ołówek", "jamł", "łjam", "εκτυπωτης", "ǆem"]


def _documents(rng: random.Random, n: int):
    for _ in range(n):
        words = VOCABULARY + (OTHER_SCRIPTS if rng.random() < 0.5 else [])
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
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
    compared = matched = unsure = 0
    for text in _queries(rng, 150):
        terms = query_terms(text)
        if not terms:
            continue
        for prefix in (True, False):
            match = PlainMatch(terms, prefix=prefix)
            assert match.usable
            expected = {rowid for (rowid,) in db.execute("SELECT rowid FROM t WHERE t MATCH ?",
                                                         (fts5_query(terms, prefix=prefix),))}
            answers = {i: match(d.words, d.stems) for i, d in enumerate(documents, start=1)}
            unsure += sum(answer is None for answer in answers.values())
            decided = {i for i, answer in answers.items() if answer is not None}
            assert {i for i in decided if answers[i]} == expected & decided, (text, prefix)
            compared += 1
            matched += bool(expected)
    assert compared > 200 and matched > 50
    assert unsure < compared * len(documents) / 4  # (these documents are dense with other scripts)


def test_it_cannot_tell_for_other_scripts_or_a_missing_document():
    match = PlainMatch(query_terms("printer"))
    assert match("printer εκτυπωτης", "printer") is True  # an ASCII occurrence is a match
    assert match("søren", "søren") is False  # no word of another script can become "printer"
    assert PlainMatch(query_terms("soren"))("søren", "søren") is None  # FTS5 may fold ø to o
    assert match(None, None) is None
    assert match("a printer", "a printer") is True
    assert not PlainMatch(query_terms("εκτυπωτής")).usable
