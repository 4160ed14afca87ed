"""The cases' pure rules: no database, no request. What text people may leave on a case, how a stored
field value reads, and how text becomes the words the keyword search indexes and matches.

Both search backends index the same normalised text: we cut text into words ourselves (letters and
digits, lower case, accents removed) and stem them in the case's language, so SQLite FTS5 and
PostgreSQL full text find exactly the same cases, and user input reaches the database only as quoted
words and stems, never as query syntax.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import snowballstemmer
from babel import Locale, UnknownLocaleError

from portal.case_config.rules import UNSTORABLE, storable
from portal.errors import ValidationFailed
from portal.i18n import LANGUAGES, _l, format_number, localdate

if TYPE_CHECKING:
    from portal.models.configuration import CaseField

MAX_COMMENT = 10_000
MAX_QUERY_TERMS = 16
MAX_QUERY_CHARS = 1000
# The last word typed is also matched as a prefix (results while typing) from this many letters or
# digits on: a one- or two-letter prefix matches most cases and makes the index merge the lists of
# every word starting with it (at 1,000,000 cases "p*" 400 ms, "pr*" 114 ms, "pri*" 8 ms on SQLite),
# while telling the reader little. Shorter last words are matched as whole words (and by their stems).
MIN_PREFIX_CHARS = 3
# Far beyond any real case (its words and their stems, in UTF-8); keeps one pathological case from
# building a huge index row, and below PostgreSQL's 1 MB of lexemes per tsvector.
MAX_DOCUMENT_BYTES = 900_000
# Longer "words" are codes or pasted data nobody types; PostgreSQL refuses lexemes over 2,046 bytes.
MAX_WORD_CHARS = 255
# Stems share the tsvector of a document with its words, marked so that no word matches one.
STEM_MARK = "~"

_WORD = re.compile(r"[^\W_]+")


# --- text people leave on a case -----------------------------------------------------------------


def clean_text(value: str | None, *, field: str, required: str, limit: int = MAX_COMMENT) -> str:
    """The text trimmed, or ValidationFailed under field: `required` (a marked message, or "" when
    the text may be empty) when empty, or too long, or not storable."""
    text = (value or "").strip()
    if not storable(text):
        raise ValidationFailed(UNSTORABLE, {field: UNSTORABLE})
    if not text and required:
        raise ValidationFailed(required, {field: required})
    if len(text) > limit:
        message = _l("Use at most %(limit)s characters (%(length)s now).", limit=format_number(limit),
                     length=format_number(len(text)))
        raise ValidationFailed(message, {field: message})
    return text


YES_NO = {"true": _l("Yes"), "false": _l("No")}


def shown_value(field: CaseField, value: str, option_labels: dict[tuple[int, str], str]) -> str:
    """A stored canonical value as the viewer reads it, during a request: option labels (as the admin
    typed them, also of inactive options), Yes/No and dates in the viewer's language."""
    if field.field_type == "boolean" and value in YES_NO:
        return str(YES_NO[value])
    if field.field_type == "date":
        try:
            return localdate(date.fromisoformat(value))
        except ValueError:
            return value
    return display_value(field, value, option_labels)


def display_value(field: CaseField, value: str, option_labels: dict[tuple[int, str], str]) -> str:
    """A stored canonical value as language-neutral text, the same whoever causes it to be written:
    what the search documents index and the records of changed details keep. Option labels (also of
    inactive options), Yes/No, dates. Pages show values with shown_value()."""
    if field.field_type == "select":
        return option_labels.get((field.id, value), value)
    if field.field_type == "boolean":
        return {"true": "Yes", "false": "No"}.get(value, value)
    if field.field_type == "date":
        try:
            return date.fromisoformat(value).strftime("%d %b %Y")
        except ValueError:
            return value
    return value


# --- keyword search: documents -------------------------------------------------------------------
#
# A document is the case's text as words (lower case, accents removed) and, aligned with them, the
# stem of each word in the case's language (Snowball: the algorithms of PostgreSQL's text search
# configurations): "Routers" is the word "routers" with the stem "router". Stemming happens here, not
# in the database, so SQLite FTS5 (Python's sqlite3 ships no stemming tokenizer) and PostgreSQL store
# and match exactly the same tokens. A word is stemmed as written, accents and all (the Spanish stemmer
# removes "ación", not "acion"), then its stem is folded like the words.


@dataclass(frozen=True)
class SearchDocument:
    words: str  # the words, separated by spaces
    stems: str  # the stem of each word, in the same order: phrases of stems match like phrases of words


@dataclass(frozen=True)
class SearchDocuments:
    public: SearchDocument
    staff: SearchDocument


@functools.lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tokens(text: str) -> list[tuple[str, str]]:
    """text's words, each as (the word folded, the word as written in lower case: what is stemmed)."""
    text = text or ""
    if text.isascii():  # the common case, and much faster than decomposing every character
        return [(word, word) for word in _WORD.findall(text.lower()) if len(word) <= MAX_WORD_CHARS]
    # Folded one character at a time, so each folded word can be traced back to what was written.
    text = unicodedata.normalize("NFC", text)
    pieces = [_fold(ch) for ch in text]
    origin = [index for index, piece in enumerate(pieces) for _ in piece]
    return [(m.group(), text[origin[m.start()]:origin[m.end() - 1] + 1].lower())
            for m in _WORD.finditer("".join(pieces)) if len(m.group()) <= MAX_WORD_CHARS]


def words(text: str) -> list[str]:
    """text cut into lower-case words without accents: the unit both backends index and match."""
    return [word for word, _written in _tokens(text)]


@functools.lru_cache(maxsize=64)
def stem_algorithm(language: str | None) -> str | None:
    """The Snowball algorithm for a language tag ("de-AT" → "german"), None for a language without one."""
    base = (language or "").replace("_", "-").split("-")[0].lower()
    try:
        name = Locale.parse(base).english_name.lower() if base else ""
    except (ValueError, UnknownLocaleError):
        return None
    return name if name in snowballstemmer.algorithms() else None


_stemmers = threading.local()  # a Snowball stemmer keeps state while it works: one per thread


@functools.lru_cache(maxsize=100_000)  # text repeats its words: most are stemmed once per process
def _stem(algorithm: str, word: str, written: str) -> str:
    stemmer = getattr(_stemmers, algorithm, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(algorithm)
        setattr(_stemmers, algorithm, stemmer)
    stem = "".join(_fold(ch) for ch in stemmer.stemWord(written))
    if not _WORD.fullmatch(stem) or len(stem) > len(word):  # not one word once folded: stem the folded word
        stem = stemmer.stemWord(word)
    return stem if _WORD.fullmatch(stem) and len(stem) <= len(word) else word


def stem(algorithm: str | None, word: str, written: str = "") -> str:
    """word's stem (word as words() gives it; written: as typed, lower case), folded like words."""
    if not algorithm or word.isdigit():  # no stemmer changes digits (and numbers rarely repeat: no cache)
        return word
    return _stem(algorithm, word, written or word)


def part_tokens(part: str, algorithm: str | None) -> tuple[tuple[str, str, int], ...]:
    """part's words as (word, stem, bytes the pair takes in a document): what search_document adds
    for one part (the seed generator caches it, its texts repeat)."""
    pairs = []
    for word, written in _tokens(part) if part else ():
        word_stem = stem(algorithm, word, written)
        pairs.append((word, word_stem, len(word.encode()) + len(word_stem.encode()) + 2))
    return tuple(pairs)


def search_document(parts: Iterable[str], language: str | None, *,
                    tokens_of: Callable[[str, str | None], Iterable[tuple[str, str, int]]] = part_tokens,
                    ) -> SearchDocument:
    """The words of parts with their stems in language, up to MAX_DOCUMENT_BYTES of both."""
    algorithm = stem_algorithm(language)
    words_, stems, size = [], [], 0
    for part in parts:
        for word, word_stem, nbytes in tokens_of(part, algorithm):
            size += nbytes
            if size > MAX_DOCUMENT_BYTES:
                return SearchDocument(words=" ".join(words_), stems=" ".join(stems))
            words_.append(word)
            stems.append(word_stem)
    return SearchDocument(words=" ".join(words_), stems=" ".join(stems))


def build_documents(*, reference: str, title: str, summary: str, resolution: str = "",
                    customer_name: str = "", public_texts: Iterable[str] = (), internal_texts: Iterable[str] = (),
                    public_values: Iterable[str] = (), internal_values: Iterable[str] = (),
                    language: str = "en", tokens_of=part_tokens) -> SearchDocuments:
    """The two documents of one case, stemmed in the case's language (pure: the seed generator calls it
    too, with a cached tokens_of)."""
    public_parts = [reference, title, summary, resolution, *public_texts, *public_values]
    staff_parts = [*public_parts, customer_name, *internal_texts, *internal_values]
    return SearchDocuments(public=search_document(public_parts, language, tokens_of=tokens_of),
                           staff=search_document(staff_parts, language, tokens_of=tokens_of))


def tsvector(document: SearchDocument) -> str:
    """A document as a PostgreSQL tsvector literal: each word, and its stem marked with STEM_MARK, at
    the word's position (words and stems hold only letters and digits: quoting cannot be escaped).
    PostgreSQL keeps 256 positions per lexeme and puts words after the 16,383rd at that position:
    phrases (not words) stop matching there on PostgreSQL, as they did with to_tsvector."""
    return " ".join(f"'{word}':{position} '{STEM_MARK}{word_stem}':{position}" for position, (word, word_stem)
                    in enumerate(zip(document.words.split(), document.stems.split(), strict=True), start=1))


# --- keyword search: what people type ------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One term of a query: its words (a phrase when one term holds several words, like "INV-123456")
    and, once per distinct result, the stems of those words in each language Caseport ships."""

    words: tuple[str, ...]
    stems: tuple[tuple[str, ...], ...]


def query_terms(text: str | None) -> list[Term]:
    """The user's text as terms. Operators, quotes, brackets and stars are just separators here.
    Whoever searches does not say which language they mean (nor know each case's), so every term is
    stemmed in every shipped language; each case compares them with its stems, in its own language."""
    algorithms = [a for a in dict.fromkeys(stem_algorithm(code) for code in LANGUAGES) if a]
    terms = []
    for chunk in (text or "")[:MAX_QUERY_CHARS].split():
        tokens = _tokens(chunk)
        if tokens:
            stems = dict.fromkeys(tuple(stem(a, word, written) for word, written in tokens) for a in algorithms)
            terms.append(Term(words=tuple(word for word, _written in tokens), stems=tuple(stems)))
    return terms[:MAX_QUERY_TERMS]


def ends_in_prefix(terms: list[Term]) -> bool:
    """Whether the query's last word is also matched as a prefix (long enough: MIN_PREFIX_CHARS)."""
    return bool(terms) and len(terms[-1].words[-1]) >= MIN_PREFIX_CHARS


def _is_prefix(terms: list[Term], index: int, prefix: bool) -> bool:
    return prefix and index == len(terms) - 1 and ends_in_prefix(terms)


def fts5_query(terms: list[Term], *, prefix: bool = True) -> str:
    """A safe FTS5 MATCH string. Every term must match: its words as a phrase in the document column,
    or its stems in one of the languages as a phrase in the stems column. The last term's last word is
    also a prefix (from MIN_PREFIX_CHARS on, unless prefix=False: the whole words only, a subset), so
    results appear while it is still being typed. Words and stems hold only letters and digits, so
    quoting cannot be escaped."""
    parts = []
    for index, term in enumerate(terms):
        star = " *" if _is_prefix(terms, index, prefix) else ""
        choices = [f'document : "{" ".join(term.words)}"{star}',
                   *(f'stems : "{" ".join(stems)}"' for stems in term.stems)]
        parts.append(f"({' OR '.join(choices)})")
    return " AND ".join(parts)


def tsquery(terms: list[Term], *, prefix: bool = True) -> str:
    """The same query as a PostgreSQL tsquery literal (cast, not parsed: its lexemes are what
    tsvector() stores): the words of a term follow each other, terms are ANDed."""
    parts = []
    for index, term in enumerate(terms):
        star = ":*" if _is_prefix(terms, index, prefix) else ""
        choices = [" <-> ".join(f"'{word}'" for word in term.words) + star,
                   *(" <-> ".join(f"'{STEM_MARK}{word_stem}'" for word_stem in stems) for stems in term.stems)]
        parts.append("(" + " | ".join(f"({choice})" for choice in choices) + ")")
    return " & ".join(parts)


def proposal_stamp(proposed_at) -> str:
    """Which proposed resolution a page showed: its time as text ("" for none). The accept and reject
    forms carry it, so an answer never applies to a resolution the customer has not read."""
    return proposed_at.isoformat() if proposed_at else ""
