"""Keyword search over cases: the ids of cases whose search document matches what someone typed.

Each case has two documents (portal.cases.service.search_index writes them): the public one holds
only what customers and proxies can read on the case page, the staff one adds internal notes, fields
and the customer's name. Callers combine the result with policy.case_visibility(user).

- SQLite: FTS5 tables case_search_public / case_search_staff (rowid = case id; columns document: the
  words, stems: their stems).
- PostgreSQL: table case_search (case_id, public_document tsvector, staff_document tsvector), GIN
  indexed; each tsvector holds the words and their marked stems (portal.cases.rules.tsvector).
Migration 0006_case_search created them, 0012_case_language gave them stems, 0032 merged the FTS5
segments (the seed merges them too).

SQLite also decides a match on a few documents' stored text (PlainMatch): a common word's newest
matches and a customer's own cases are found by reading those cases' documents, not by building the
set of every case the full-text index holds for the word (62,000 of them for "printer" at 1,000,000
cases, 13-21 ms a search).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain

import peewee

from portal.case_scope import unindexed
from portal.cases.rules import Term, ends_in_prefix, fts5_query, query_terms, tsquery
from portal.db import database, is_postgres
from portal.models.cases import Case

# Aliased by their own names: FTS5 takes a query for all columns (the query names them) only with the
# table's name left of MATCH, and peewee would otherwise alias them "t2".
PUBLIC_FTS = peewee.Table("case_search_public", ("rowid", "document", "stems"), alias="case_search_public")
STAFF_FTS = peewee.Table("case_search_staff", ("rowid", "document", "stems"), alias="case_search_staff")
PG_SEARCH = peewee.Table("case_search", ("case_id", "public_document", "staff_document"))
# FTS5 keeps each row's columns in its content table ("%_content": id = rowid, c0 = document, c1 = stems):
# read by id, a case's document costs one B-tree lookup (through the FTS5 table, a join scans it).
PUBLIC_TEXT = peewee.Table("case_search_public_content", ("id", "c0", "c1"))
STAFF_TEXT = peewee.Table("case_search_staff_content", ("id", "c0", "c1"))


def _match(terms, *, staff: bool, prefix: bool = True):
    """(the search table, its case id column, the condition on it that matches terms); prefix=False:
    the last word as a whole word only (a subset of the matches)."""
    if is_postgres(database):
        document = PG_SEARCH.staff_document if staff else PG_SEARCH.public_document
        literal = peewee.Cast(tsquery(terms, prefix=prefix), "tsquery")
        return PG_SEARCH, PG_SEARCH.case_id, peewee.Expression(document, "@@", literal)
    table = STAFF_FTS if staff else PUBLIC_FTS
    return table, table.rowid, peewee.Expression(table, "MATCH", fts5_query(terms, prefix=prefix))


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _foreign_words(*texts: str) -> set[str]:
    """The words of texts (words separated by single spaces) that hold a character outside ASCII: found
    from those characters (a document has a few, in a name), not by splitting every word."""
    found = set()
    for text in texts:
        for run in _NOT_ASCII.finditer(text):
            end = text.find(" ", run.end())
            found.add(text[text.rfind(" ", 0, run.start()) + 1:len(text) if end < 0 else end])
    return found


class PlainMatch:
    """fts5_query(terms, prefix=...) decided on one document's stored text, without the full-text index.

    A document is written only by rules.search_document: its words (and stems) joined by single spaces,
    each word letters and digits folded to lower case. A query in ASCII has words [a-z0-9]+, and so has
    every ASCII word of a document: FTS5's unicode61 tokenizer keeps each of them as one token,
    unchanged, so a phrase matches where " w1 w2 " (with a prefix: " w1 w2") occurs in " document ".
    A word in another script may become other tokens in FTS5 (folded, split), so in a document that
    has such words an occurrence still proves a match, and its absence proves none only when none of
    those words could become one of the query's words; otherwise the answer is None and the caller
    asks FTS5. tests/search/test_plain_match.py checks it against FTS5 on generated documents.
    """

    def __init__(self, terms: list[Term], *, prefix: bool = True):
        self.usable = all(word.isascii() for term in terms for word in (*term.words, *chain(*term.stems)))
        self.terms = []
        self.phrases = False
        self.words = set()  # (word, whether a longer token may start with it)
        for index, term in enumerate(terms):
            star = prefix and index == len(terms) - 1 and ends_in_prefix(terms)  # as fts5_query puts " *"
            choices = [(0, term.words, star), *((1, stems, False) for stems in term.stems)]
            self.terms.append(tuple((column, " " + " ".join(words) + ("" if last else " "))
                                    for column, words, last in choices))
            for _column, words, last in choices:
                self.phrases = self.phrases or len(words) > 1
                self.words.update((word, last and position == len(words) - 1) for position, word in enumerate(words))

    def _may_become_a_query_word(self, word: str) -> bool:
        """Whether FTS5 could make a token of word (not ASCII) that is one of the query's words: a piece of
        it between characters FTS5 may take for separators, each character outside ASCII folded to one
        character (maybe an ASCII letter). Phrases: a word FTS5 reads as no token at all would bring two
        words together, so any such word may matter."""
        if self.phrases:
            return True
        for wanted, starts in self.words:
            for start in range(len(word) - len(wanted) + 1):
                end = start + len(wanted)
                if start and word[start - 1].isascii():
                    continue  # a token cannot begin after a letter or digit
                if not starts and end < len(word) and word[end].isascii():
                    continue  # nor end before one
                if all(have == want or not have.isascii() for have, want in zip(word[start:end], wanted)):
                    return True
        return False

    def __call__(self, document: str | None, stems: str | None) -> bool | None:
        """Whether the document (its two columns) matches; None when only FTS5 can tell."""
        if document is None or stems is None:
            return None
        columns = (f" {document} ", f" {stems} ")
        if all(any(needle in columns[column] for column, needle in term) for term in self.terms):
            return True
        if document.isascii() and stems.isascii():
            return False
        return None if any(self._may_become_a_query_word(word) for word in _foreign_words(document, stems)) else False


def matching_case_ids(text: str | None, *, staff: bool):
    """A subquery of the ids of cases whose document matches every term of text (its words, or their
    stems in any shipped language: "routers" finds "router"); use it in Case.id.in_(...) together with
    the visibility condition. staff=False searches only what customers and proxies can see. Text
    without any word matches nothing. Ordering is left to the caller."""
    terms = query_terms(text)
    if not terms:
        return Case.select(Case.id).where(Case.id.is_null())
    table, key, match = _match(terms, staff=staff)
    return table.select(key).where(match)


# A search whose matches are at most this many is evaluated once: their ids are read in one statement
# (the match stops reading there) and every other statement looks the cases up by id. More (a common
# word): the match stays a sub-query, and the staff search counts no further than this
# ("more than 1,000 cases"): counting a million matches exactly would cost every search of a common word.
MAX_LISTED_MATCHES = 1000


def _listed_matches(text: str | None, *, staff: bool) -> list[int] | None:
    """The ids of every case whose document matches text when there are at most MAX_LISTED_MATCHES of
    them (whoever may see them), else None. One statement that stops after MAX_LISTED_MATCHES + 1
    matches: the full-text index hands them over as it finds them, a common word costs no more than
    a rare one."""
    query = matching_case_ids(text, staff=staff).limit(MAX_LISTED_MATCHES + 1)
    ids = [case_id for (case_id,) in database.execute(query).fetchall()]
    return ids if len(ids) <= MAX_LISTED_MATCHES else None


def _ids_condition(ids: list[int]):
    return Case.id.in_(ids) if ids else Case.id.is_null()


def search_condition(user, text: str | None, *, staff: bool):
    """A condition on Case: the cases user may see whose document matches text (visibility included).

    Customers and proxies: their visible matching ids are read in one statement (up to
    MAX_LISTED_MATCHES) that walks the matches checking each against their own few cases (a set read
    through their own index), not their cases against every match. Staff: the match is read once
    when it yields at most MAX_LISTED_MATCHES cases (anyone's) and looked up by id; a common word
    stays a sub-query, their visible cases looked up by the matches' ids. Either way the condition
    is a list of ids when it is short."""
    from portal import policy

    terms = query_terms(text)
    if not terms:
        return Case.id.is_null()
    if policy.is_staff(user):
        visible = policy.case_visibility(user, found_by_id=True)
        listed = _listed_matches(text, staff=staff)
        if listed is not None:
            return visible & _ids_condition(listed)
        return visible & Case.id.in_(matching_case_ids(text, staff=staff))
    visible = policy.case_visibility(user)
    ids = _matches_read_by_text(terms, visible, staff=staff)
    if ids is not None and len(ids) <= MAX_LISTED_MATCHES:
        return _ids_condition(ids)
    table, key, match = _match(terms, staff=staff)
    # SQLite: +rowid keeps FTS5 from looking each of the viewer's cases up in the match (3 ms each);
    # PostgreSQL: the plain column lets each of them be looked up by case_search's primary key.
    # Measured at 372,000 cases on SQLite: 2.9 ms, against 22 ms for their cases IN every match.
    checked = key if is_postgres(database) else unindexed(key)
    query = table.select(key).where(match & checked.in_(Case.select(Case.id).where(visible)))
    ids = [case_id for (case_id,) in database.execute(query.limit(MAX_LISTED_MATCHES + 1)).fetchall()]
    if len(ids) <= MAX_LISTED_MATCHES:
        return _ids_condition(ids)
    return visible & Case.id.in_(matching_case_ids(text, staff=staff))


# SQLite: a viewer with at most this many visible cases (a customer, a proxy) has their matches decided
# on their cases' stored documents (PlainMatch): reading 200 documents by id took 0.4 ms where FTS5
# handed over every case matching "printer*" to test against theirs (62,000 at 1,000,000 cases: 13 ms).
MAX_TEXTS_READ = 2000


def _matches_read_by_text(terms: list[Term], visible, *, staff: bool) -> list[int] | None:
    """SQLite: the ids of the cases `visible` selects whose document matches terms, decided on their
    stored text when there are at most MAX_TEXTS_READ of them and PlainMatch can tell for each; else
    None (PostgreSQL, more cases, another script: the caller asks the full-text index)."""
    if is_postgres(database):
        return None
    matches = PlainMatch(terms)
    if not matches.usable:
        return None
    text = STAFF_TEXT if staff else PUBLIC_TEXT
    query = (Case.select(Case.id, text.c0, text.c1).join(text, on=(text.id == Case.id))
             .where(visible).limit(MAX_TEXTS_READ + 1))
    rows = database.execute(query).fetchall()
    if len(rows) > MAX_TEXTS_READ:
        return None
    found = []
    return found if _decide(matches, rows, found) else None


def _decide(matches: PlainMatch, rows, found: list[int], limit: int | None = None) -> bool:
    """Append to found the ids of rows (case id, document, stems) whose document matches, in order,
    until found holds limit ids; False when PlainMatch cannot decide one of them (then only FTS5 can)."""
    for case_id, document, stems in rows:
        matched = matches(document, stems)
        if matched is None:
            return False
        if matched:
            found.append(case_id)
            if len(found) == limit:
                return True
    return True


@dataclass(frozen=True)
class StaffSearch:
    """What the staff search needs of a keyword search. visible: the ids of the cases the viewer may
    see that match, when there are at most MAX_LISTED_MATCHES of them, else None (a common word:
    "more than 1,000")."""

    text: str
    visible: list[int] | None

    @property
    def common(self) -> bool:
        return self.visible is None

    def condition(self, user, *, ordered: bool = False):
        """The cases user may see that match. ordered: for a statement that lists a common word's
        matches in another order than the index's (latest update first): the match becomes a set the
        rows are checked against (+id), so the database walks the order's index and stops at the
        page instead of sorting every match."""
        from portal import policy

        if self.visible is not None:
            return policy.case_visibility(user, found_by_id=True) & _ids_condition(self.visible)
        matches = matching_case_ids(self.text, staff=True)
        if not ordered:
            return policy.case_visibility(user, found_by_id=True) & Case.id.in_(matches)
        # SQLite walks the order's index only when no visibility column's index competes (+column) and
        # checks each case against the set of matches (built once: checking each case in the full-text
        # index instead costs a lookup per case, 80 times more for a prefix). PostgreSQL needs the plain
        # columns to estimate how many rows pass, or it sorts every visible case instead of walking
        # case_updated_at_id; it checks each case by case_search's key (measured: 3 ms vs 115 ms on
        # SQLite, 18 ms vs 134 ms on PostgreSQL at 44,000 cases).
        visible = policy.case_visibility(user, found_by_id=not is_postgres(database))
        return visible & unindexed(Case.id).in_(matches)


# The staff search's first look at a keyword search (both databases, the same rule): the viewer's newest
# MAX_WALKED visible cases (latest update first, the index case_updated_at_id), WALKED_AT_ONCE at a time,
# each decided on its staff document, until the page asked for and one more case are found. After each
# block the walk stops short when the matches so far, at that rate, would not fill the page by
# MAX_WALKED (a rare word: one block). When the page and one more are found, the page lists them and
# says only what the walk proved ("more than N cases found", N the cases up to this page's end); when the
# walk ends short, the full-text index is asked (the capped count: exact up to MAX_LISTED_MATCHES). A
# common word's full count is never read for its first pages: on PostgreSQL its GIN bitmap (62,340
# documents for "printer" at 1,000,004 cases) was the floor of every such search (60 ms at load 13).
# Walking costs about 10-20 microseconds a case (PostgreSQL 1,000,004 cases, load 13: 457 cases in 10 ms);
# page 1 of "printer" walks about 450 cases and page 2 about 850 (6 % of an agent's cases match it).
MAX_WALKED = 1000
WALKED_AT_ONCE = 200
# SQLite: decide each walked case on its stored document (PlainMatch) rather than against the set of every
# match; False (tests and check_search.py) walks with the statement alone, the same cases either way.
DECIDE_ON_TEXT = True


def _walk_goes_on(found: int, walked: int, count: int) -> bool:
    """After a full block: whether the walk may still find count matches by MAX_WALKED at the rate so far."""
    return walked < MAX_WALKED and found * MAX_WALKED >= count * walked


def newest_matches(user, text: str, count: int) -> list[int]:
    """The ids of the first `count` cases whose staff document matches text among the MAX_WALKED cases
    user may see that were updated last, latest update first, walked WALKED_AT_ONCE at a time: fewer
    than `count` when the walk does not find them or stops short (_walk_goes_on); then the caller asks
    the full-text index. The same answer on both databases: SQLite decides each case on its stored text
    (PlainMatch) and hands a document only FTS5 can decide to a statement that flags each walked case
    against the set of every match; PostgreSQL tests each walked case's tsvector in case_search by key,
    a block per statement."""
    terms = query_terms(text)
    if not terms or count <= 0 or MAX_WALKED <= 0:
        return []
    if is_postgres(database):
        return _newest_checked_by_key(user, terms, count)
    if DECIDE_ON_TEXT:
        found = _newest_read_by_text(user, terms, count)
        if found is not None:
            return found
    return _newest_flagged(user, terms, count)


def _newest_flagged(user, terms: list[Term], count: int) -> list[int]:
    """SQLite, a document PlainMatch cannot decide: the viewer's newest MAX_WALKED cases (+columns: no
    visibility column's index competes with the order's), each flagged against the set of every match
    (built once), the walk's rule applied to them in order."""
    from portal import policy

    table, key, match = _match(terms, staff=True)
    query = (Case.select(Case.id, Case.id.in_(table.select(key).where(match)))
             .where(policy.case_visibility(user, found_by_id=True))
             .order_by(Case.updated_at.desc(), Case.id.desc()).limit(MAX_WALKED))
    found: list[int] = []
    for walked, (case_id, matched) in enumerate(database.execute(query).fetchall(), start=1):
        if matched:
            found.append(case_id)
            if len(found) >= count:
                break
        if walked % WALKED_AT_ONCE == 0 and not _walk_goes_on(len(found), walked, count):
            break
    return found


def _newest_checked_by_key(user, terms: list[Term], count: int) -> list[int]:
    """PostgreSQL: the walk in at most two statements, each walked case flagged by its tsvector in
    case_search by key (a sub-query per case, not a join: the planner would otherwise build the GIN
    bitmap of every match). The first reads the first block with a flag each (a rare word stops
    there); the second walks on from the last case of it ((updated_at, id) <) and hands over only the
    matches with their places in the walk (row_number), stopping at the one it needs last: the rule
    is applied to those places as the blocks would have met them."""
    from portal import policy

    table, key, match = _match(terms, staff=True)
    visible = policy.case_visibility(user)  # the plain columns: the planner estimates how many pass

    def walk(after, limit: int):
        order = (Case.updated_at.desc(), Case.id.desc())
        return (Case.select(Case.id, Case.updated_at, peewee.fn.ROW_NUMBER().over(order_by=order).alias("place"))
                .where(after).order_by(*order).limit(limit)).alias("newest")

    newest = walk(visible, min(WALKED_AT_ONCE, MAX_WALKED))
    matched = peewee.fn.EXISTS(table.select(peewee.SQL("1")).where((key == newest.c.id) & match))
    query = (peewee.Select([newest], [newest.c.id, newest.c.updated_at, matched])
             .order_by(newest.c.updated_at.desc(), newest.c.id.desc()))
    rows = database.execute(query).fetchall()
    found: list[int] = []
    for case_id, _updated, hit in rows:
        if hit:
            found.append(case_id)
            if len(found) >= count:
                return found
    walked = len(rows)
    if walked < WALKED_AT_ONCE or not _walk_goes_on(len(found), walked, count):
        return found
    last = rows[-1][1], rows[-1][0]  # (updated_at, id)
    newest = walk(visible & (peewee.Tuple(Case.updated_at, Case.id) < peewee.Tuple(*last)), MAX_WALKED - walked)
    matched = table.select(peewee.SQL("1")).where((key == newest.c.id) & match) == 1
    query = (peewee.Select([newest], [newest.c.id, newest.c.place]).where(matched)
             .order_by(newest.c.updated_at.desc(), newest.c.id.desc()).limit(count - len(found)))
    boundary = walked + WALKED_AT_ONCE
    for case_id, place in database.execute(query).fetchall():
        while boundary < walked + place:  # the blocks that ended before this match
            if not _walk_goes_on(len(found), boundary, count):
                return found
            boundary += WALKED_AT_ONCE
        found.append(case_id)
    return found


def _newest_read_by_text(user, terms: list[Term], count: int) -> list[int] | None:
    """SQLite: newest_matches decided on the walked cases' stored documents; None when PlainMatch cannot
    decide one of them (the statement then flags them all)."""
    from portal import policy

    matches = PlainMatch(terms)
    if not matches.usable:
        return None
    # +columns (found_by_id): no visibility column's index competes with the order's. A case without a
    # document (None) is left to the statement, which walks it as unmatched.
    query = (Case.select(Case.id, STAFF_TEXT.c0, STAFF_TEXT.c1)
             .join(STAFF_TEXT, peewee.JOIN.LEFT_OUTER, on=(STAFF_TEXT.id == Case.id))
             .where(policy.case_visibility(user, found_by_id=True))
             .order_by(Case.updated_at.desc(), Case.id.desc()).limit(MAX_WALKED))
    cursor = database.execute(query)
    found: list[int] = []
    walked = 0
    try:
        while rows := cursor.fetchmany(WALKED_AT_ONCE):  # SQLite steps the walk only as far as rows are read
            if not _decide(matches, rows, found, limit=count):
                return None
            if len(found) >= count:
                break
            walked += len(rows)
            if len(rows) < WALKED_AT_ONCE or not _walk_goes_on(len(found), walked, count):
                break
    finally:
        cursor.close()
    return found


def _visible_matches(user, text: str) -> list[int] | None:
    """The ids of the cases user may see whose staff document matches text, when there are at most
    MAX_LISTED_MATCHES; else None. One statement walks the matches in the full-text index's order and
    looks each one's visibility up by id, stopping after MAX_LISTED_MATCHES + 1: a common word costs
    no more than a rare one, and the viewer's visible cases are never all read.

    A last word that is also a prefix is first tried as a whole word: its matches are a subset, so
    more than MAX_LISTED_MATCHES of them settle it (a common word) without the prefix, which both
    indexes expand into every word it starts before handing out the first match (PostgreSQL's GIN
    index: 'printer':* took twice as long as 'printer' at 1,200,000 cases). Otherwise the prefix
    is read too, and the answer is the same as if it had been read at once."""
    from portal import policy

    terms = query_terms(text)
    viewer_may_see = policy.case_visibility(user)
    for prefix in ((False, True) if ends_in_prefix(terms) else (True,)):
        table, key, match = _match(terms, staff=True, prefix=prefix)
        # The visibility of each match as a scalar sub-query by id, not a join: a join lets PostgreSQL's
        # planner (which misjudges how many documents match) walk every case or every document.
        visible = Case.select(peewee.SQL("1")).where((Case.id == key) & viewer_may_see)
        query = table.select(key).where(match & (visible == 1)).limit(MAX_LISTED_MATCHES + 1)
        ids = [case_id for (case_id,) in database.execute(query).fetchall()]
        if len(ids) > MAX_LISTED_MATCHES:
            return None
    return ids


@contextmanager
def without_jit():
    """PostgreSQL: the statements inside run in a transaction without JIT compilation. The staff search's
    statements stop early (LIMIT) but the planner costs them as if they read every match, which
    passes jit_above_cost: compiling then took 56 ms of a statement that runs in 57 ms (1,000,000
    cases). SQLite: nothing."""
    if not is_postgres(database):
        yield
        return
    with database.atomic():
        database.execute_sql("SET LOCAL jit = off")
        yield


def staff_search(user, text: str) -> StaffSearch:
    """Read a staff keyword search's visible matches once (see StaffSearch)."""
    return StaffSearch(text=text, visible=_visible_matches(user, text) if query_terms(text) else [])
