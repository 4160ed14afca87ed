"""The cases' pure rules: no database, no request. What text people may leave on a case, how a stored
field value reads, and how text becomes the words the keyword search indexes and matches.

Both search backends index the same normalised text: we cut text into words ourselves (letters and
digits, lower case, accents removed) so SQLite FTS5 and PostgreSQL full text find exactly the same
cases, and user input reaches the database only as a list of quoted words, never as query syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from portal.case_config.rules import UNSTORABLE, storable
from portal.errors import ValidationFailed
from portal.i18n import _l, format_number, localdate

if TYPE_CHECKING:
    from portal.models.configuration import CaseField

MAX_COMMENT = 10_000
MAX_QUERY_TERMS = 16
MAX_QUERY_CHARS = 1000
# Far beyond any real case; keeps one pathological case from building a huge index row.
MAX_DOCUMENT_CHARS = 500_000

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


def words(text: str) -> list[str]:
    """text cut into lower-case words without accents: the unit both backends index and match."""
    text = text or ""
    if text.isascii():  # the common case, and much faster than decomposing every character
        return _WORD.findall(text.lower())
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    return _WORD.findall(folded)


def normalise(parts: Iterable[str]) -> str:
    return " ".join(" ".join(words(part)) for part in parts if part)[:MAX_DOCUMENT_CHARS]


@dataclass(frozen=True)
class SearchDocuments:
    public: str
    staff: str


def build_documents(*, reference: str, title: str, summary: str, resolution: str = "",
                    customer_name: str = "", public_texts: Iterable[str] = (), internal_texts: Iterable[str] = (),
                    public_values: Iterable[str] = (), internal_values: Iterable[str] = ()) -> SearchDocuments:
    """The two normalised documents of one case (pure: the seed generator calls it too)."""
    public_parts = [reference, title, summary, resolution, *public_texts, *public_values]
    staff_parts = [*public_parts, customer_name, *internal_texts, *internal_values]
    return SearchDocuments(public=normalise(public_parts), staff=normalise(staff_parts))


# --- keyword search: what people type ------------------------------------------------------------


def query_terms(text: str | None) -> list[list[str]]:
    """The user's text as terms, each a list of words (a phrase when one term holds several words,
    like "INV-123456"). Operators, quotes, brackets and stars are just separators here."""
    terms = []
    for chunk in (text or "")[:MAX_QUERY_CHARS].split():
        chunk_words = words(chunk)
        if chunk_words:
            terms.append(chunk_words)
    return terms[:MAX_QUERY_TERMS]


def fts5_query(terms: list[list[str]]) -> str:
    """A safe FTS5 MATCH string: every term a quoted phrase (all must match), the last one a prefix,
    so results appear while the last word is still being typed. Words hold only letters and digits,
    so quoting cannot be escaped."""
    phrases = [f'"{" ".join(term)}"' for term in terms]
    phrases[-1] += " *"
    return " AND ".join(phrases)


def tsquery(terms: list[list[str]]) -> str:
    """The same query for PostgreSQL's to_tsquery: words of a term follow each other, terms are ANDed,
    the last word is a prefix."""
    parts = [" <-> ".join(f"'{word}'" for word in term) for term in terms]
    parts[-1] += ":*"
    return " & ".join(f"({part})" for part in parts)


def proposal_stamp(proposed_at) -> str:
    """Which proposed resolution a page showed: its time as text ("" for none). The accept and reject
    forms carry it, so an answer never applies to a resolution the customer has not read."""
    return proposed_at.isoformat() if proposed_at else ""
