"""Pure rules for finding customers: what a search text may be, and what tells several matches apart."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.contact import ContactError, normalize_email, normalize_phone
from portal.i18n import _l

MAX_QUERY_LENGTH = 200
# More words than this is not a name anybody types; the rest are ignored rather than joined in SQL.
MAX_NAME_WORDS = 4

CUSTOMER_NUMBER_RE = re.compile(r"C\d{7}", re.IGNORECASE)
ACCOUNT_NUMBER_RE = re.compile(r"ACC-?(\d{3,})", re.IGNORECASE)
# Only what people put in phone numbers; at least 7 digits so that short numbers stay names/ids.
PHONE_CHARS_RE = re.compile(r"[+()\d\s.\-/]+")
MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class SearchTerms:
    """What a search text may be. Several may be set; none set means there is nothing to search for."""

    text: str
    email: str | None = None
    phone: str | None = None
    customer_number: str | None = None
    account_number: str | None = None
    name_words: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not (self.email or self.phone or self.customer_number or self.account_number or self.name_words)

    @property
    def kinds(self) -> list:
        """Words for what the text was read as, for the results page (in the reader's language)."""
        kinds = []
        if self.email:
            kinds.append(_l("email address"))
        if self.phone:
            kinds.append(_l("phone number"))
        if self.customer_number:
            kinds.append(_l("customer number"))
        if self.account_number:
            kinds.append(_l("account number"))
        if self.name_words:
            kinds.append(_l("name"))
        return kinds


def parse_search(text: str | None, phone_region: str = "US") -> SearchTerms:
    """Classify what a member of staff typed into the one search box."""
    text = " ".join((text or "").split())[:MAX_QUERY_LENGTH]
    if not text:
        return SearchTerms(text="")
    if "@" in text:
        return SearchTerms(text=text, email=_email_or_literal(text))
    if CUSTOMER_NUMBER_RE.fullmatch(text):
        return SearchTerms(text=text, customer_number=text.upper())
    account = ACCOUNT_NUMBER_RE.fullmatch(text)
    if account:
        return SearchTerms(text=text, account_number=f"ACC-{account.group(1)}")
    phone = _phone_or_none(text, phone_region)
    if phone:
        return SearchTerms(text=text, phone=phone)
    if _looks_like_phone(text):
        # Digits that are not a valid number match nothing; searching them as a name would be noise.
        return SearchTerms(text=text)
    return SearchTerms(text=text, name_words=tuple(text.split(" ")[:MAX_NAME_WORDS]))


def _email_or_literal(text: str) -> str:
    try:
        return normalize_email(text)
    except ContactError:
        # An address that does not validate may still be stored on an old profile: match it as typed.
        return text.lower()


def _looks_like_phone(text: str) -> bool:
    return bool(PHONE_CHARS_RE.fullmatch(text)) and sum(c.isdigit() for c in text) >= MIN_PHONE_DIGITS


def _phone_or_none(text: str, region: str) -> str | None:
    if not _looks_like_phone(text):
        return None
    try:
        return normalize_phone(text, region)
    except ContactError:
        return None


def prefill_from_search(terms: SearchTerms) -> dict[str, str]:
    """Values for a new profile taken from a search that found nobody: the staff member typed them already."""
    values: dict[str, str] = {}
    if terms.email:
        values["email"] = terms.email
    if terms.phone:
        values["phone"] = terms.phone
    if terms.name_words:
        values["first_name"] = terms.name_words[0]
        if len(terms.name_words) > 1:
            values["last_name"] = " ".join(terms.name_words[1:])
    return values


# What staff ask a caller for to tell profiles apart, in the order worth asking.
DISTINGUISHING_FIELDS = (
    ("email", _l("email address")),
    ("phone", _l("phone number")),
    ("account", _l("account")),
    ("customer_number", _l("customer number")),
)


@dataclass(frozen=True)
class MatchComparison:
    shared: list
    distinguishing: list


def compare_matches(rows: list[dict[str, str | None]]) -> MatchComparison:
    """Which details several matches have in common, and which tell them apart.

    rows are plain dicts with the keys of DISTINGUISHING_FIELDS; values may be None.
    """
    shared, distinguishing = [], []
    if len(rows) < 2:
        return MatchComparison(shared, distinguishing)
    for key, label in DISTINGUISHING_FIELDS:
        values = {row.get(key) or None for row in rows}
        if len(values) > 1:
            distinguishing.append(label)
        elif values != {None}:
            shared.append(label)
    return MatchComparison(shared, distinguishing)
