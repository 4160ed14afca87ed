"""Pure rules for custom field values, template conditions and the text admins type into case
settings: no database, no Flask.

parse_value() turns what someone typed into the canonical string a case stores (ISO date, plain
number, option value, "true"/"false") or raises FieldRuleError with a message fit to show next to
the field. Messages are marked with _l: they are put into words in the reader's language when a page
or the API shows them (an admin's own format message is shown as the admin typed it).
Admin-supplied format patterns run through the `regex` package with a timeout, so a catastrophic
pattern can never hang a worker.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol
from urllib.parse import urlsplit

import regex

from portal.contact import ContactError, normalize_email, normalize_phone
from portal.errors import ValidationFailed
from portal.i18n import _l

log = logging.getLogger(__name__)

MAX_PATTERN_LENGTH = 300
PATTERN_TIMEOUT_SECONDS = 0.05
DEFAULT_MAX_LENGTH = {"text": 255, "long_text": 5000, "url": 2000}
PATTERN_TYPES = ("text", "long_text", "email", "phone", "url")
TRUE_WORDS = {"true", "yes", "y", "on", "1"}
FALSE_WORDS = {"false", "no", "n", "off", "0"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d{1,18}")
_DECIMAL = re.compile(r"[+-]?(\d{1,18}(\.\d{0,6})?|\.\d{1,6})")


UNSTORABLE = _l("This contains invisible control characters. Retype it without them.")


def storable(text: str) -> bool:
    """False for text PostgreSQL cannot store (NUL) or that is not valid Unicode (lone surrogates)."""
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)


class FieldRuleError(ValueError):
    """A message fit to show next to the field: `message`, marked with _l (or an admin's own words)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class FieldSpec(Protocol):
    """What the rules need from a field (portal.models.configuration.CaseField fits)."""

    field_type: str
    label: str
    pattern: str | None
    pattern_message: str
    number_kind: str | None
    min_value: Decimal | None
    max_value: Decimal | None
    max_length: int | None


# --- format patterns ------------------------------------------------------------------------------


def pattern_problem(pattern: str | None) -> str | None:
    """Why an admin's pattern cannot be used, or None when it is fine."""
    if not pattern:
        return None
    if len(pattern) > MAX_PATTERN_LENGTH:
        return _l("A pattern has at most %(limit)d characters.", limit=MAX_PATTERN_LENGTH)
    try:
        regex.compile(pattern)
    except (regex.error, TypeError, ValueError, OverflowError, RecursionError) as exc:
        return _l("This is not a valid pattern (%(problem)s).", problem=str(exc))
    return None


def matches_pattern(pattern: str, value: str) -> bool:
    """Whole-value match. Raises FieldRuleError when the check takes too long."""
    try:
        return regex.fullmatch(pattern, value, timeout=PATTERN_TIMEOUT_SECONDS) is not None
    except TimeoutError as exc:
        log.warning("format pattern %r timed out", pattern)
        raise FieldRuleError(_l("We could not check this value against its format. Try a shorter value.")) from exc
    except (regex.error, RecursionError) as exc:
        # A pattern saved before its checks existed; refuse the value rather than fail the request.
        raise FieldRuleError(_l("This field's format rule is broken; please tell us.")) from exc


# --- values ---------------------------------------------------------------------------------------


def parse_value(field: FieldSpec, raw: object, *, options: Mapping[str, bool] | None = None,
                keep: str | None = None) -> str | None:
    """The canonical string for raw, or None when it is empty. Raises FieldRuleError.

    options maps a select field's option values to their active flag; keep is the value a case
    already holds, which stays allowed even when its option has become inactive.
    """
    text = "" if raw is None else str(raw)
    text = text.replace("\r\n", "\n").strip()
    if text == "":
        return None
    if not storable(text):
        raise FieldRuleError(UNSTORABLE)
    parser = _PARSERS.get(field.field_type)
    if parser is None:
        raise FieldRuleError(_l("This field cannot take values."))
    value = parser(field, text, options or {}, keep)
    if field.pattern and field.field_type in PATTERN_TYPES and not matches_pattern(field.pattern, value):
        raise FieldRuleError(field.pattern_message or _l("This value does not have the expected format."))
    return value


def _length(field: FieldSpec, text: str) -> str:
    limit = field.max_length or DEFAULT_MAX_LENGTH.get(field.field_type, 255)
    if len(text) > limit:
        raise FieldRuleError(_l("Use at most %(limit)d characters (you used %(used)d).", limit=limit, used=len(text)))
    return text


def _text(field, text, options, keep):
    if "\n" in text:
        raise FieldRuleError(_l("Use a single line here."))
    return _length(field, text)


def _long_text(field, text, options, keep):
    return _length(field, text)


def _number(field, text, options, keep):
    integer = (field.number_kind or "integer") == "integer"
    compact = text.replace(" ", "")
    if integer and not _INTEGER.fullmatch(compact):
        raise FieldRuleError(_l("Enter a whole number, like 42."))
    if not integer and not _DECIMAL.fullmatch(compact):
        raise FieldRuleError(_l("Enter a number, like 42 or 3.75 (at most 6 decimal places)."))
    try:
        number = Decimal(compact)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above already rule this out
        raise FieldRuleError(_l("Enter a number.")) from exc
    if field.min_value is not None and number < Decimal(field.min_value):
        raise FieldRuleError(_l("Enter a number of at least %(minimum)s.", minimum=format_number(field.min_value)))
    if field.max_value is not None and number > Decimal(field.max_value):
        raise FieldRuleError(_l("Enter a number of at most %(maximum)s.", maximum=format_number(field.max_value)))
    return str(int(number)) if integer else format_number(number)


def format_number(number: Decimal | int | str) -> str:
    """Plain notation without trailing zeros: 2.50 -> 2.5, 1E+2 -> 100."""
    value = Decimal(str(number))
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _date(field, text, options, keep):
    if not _ISO_DATE.fullmatch(text):
        raise FieldRuleError(_l("Enter a date as year-month-day, like 2026-03-31."))
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise FieldRuleError(_l("That date does not exist. Check the day and the month.")) from exc


def _select(field, text, options, keep):
    if text not in options:
        raise FieldRuleError(_l("Choose one of the options in the list."))
    if not options[text] and text != keep:
        raise FieldRuleError(_l("That option is no longer available. Choose another one."))
    return text


def _boolean(field, text, options, keep):
    word = text.lower()
    if word in TRUE_WORDS:
        return "true"
    if word in FALSE_WORDS:
        return "false"
    raise FieldRuleError(_l("Choose yes or no."))


def _email(field, text, options, keep):
    try:
        return normalize_email(text)
    except ContactError as exc:
        raise FieldRuleError(_message(exc)) from exc


def _phone(field, text, options, keep):
    try:
        return normalize_phone(text)
    except ContactError as exc:
        raise FieldRuleError(_message(exc)) from exc


def _message(exc: Exception):
    """The message an error was raised with, as given (a lazy string stays lazy)."""
    return exc.args[0] if exc.args else str(exc)


def _url(field, text, options, keep):
    _length(field, text)
    if any(ch.isspace() for ch in text):
        raise FieldRuleError(_l("A web address has no spaces."))
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise FieldRuleError(_l("Enter a web address starting with https://")) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        raise FieldRuleError(_l("Enter a web address starting with https://, like https://example.com/page"))
    return text


_PARSERS = {
    "text": _text,
    "long_text": _long_text,
    "number": _number,
    "date": _date,
    "select": _select,
    "boolean": _boolean,
    "email": _email,
    "phone": _phone,
    "url": _url,
}


# --- conditions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """Show (or require) target when source holds value; names are the fields' keys."""

    target: str
    action: str
    source: str
    value: str


def apply_conditions(conditions: Iterable[Condition], values: Mapping[str, str | None]) -> tuple[set[str], set[str]]:
    """(hidden, required): the fields hidden and the fields made required by conditions for these values.

    A field with show conditions is shown when any of them holds. A hidden field counts as empty,
    so a field shown only by a hidden field is hidden too (evaluated until nothing changes).
    """
    conditions = list(conditions)
    show_targets = {c.target for c in conditions if c.action == "show"}
    hidden: set[str] = set(show_targets)
    for _ in range(len(conditions) + 1):
        def holds(c: Condition, hidden=hidden) -> bool:
            return c.source not in hidden and values.get(c.source) == c.value

        now_hidden = {t for t in show_targets
                      if not any(holds(c) for c in conditions if c.action == "show" and c.target == t)}
        if now_hidden == hidden:
            break
        hidden = now_hidden
    required = {c.target for c in conditions
                if c.action == "require" and c.source not in hidden and values.get(c.source) == c.value}
    return hidden, required - hidden


@dataclass(frozen=True)
class LayoutEntry:
    """One field as placed on a template, for checking the template as a whole."""

    key: str
    label: str
    required: bool
    internal: bool


def template_problems(entries: Iterable[LayoutEntry], conditions: Iterable[Condition]) -> list[str]:
    """What makes a template unusable: a required field hidden by a condition, conditions on fields
    not on the template, a field depending on itself or in a loop, a customer field shown by an
    internal one (customers could never see it)."""
    by_key = {e.key: e for e in entries}
    problems = []
    show_edges: dict[str, set[str]] = {}
    for c in conditions:
        target, source = by_key.get(c.target), by_key.get(c.source)
        if target is None or source is None:
            problems.append(_l("A condition uses a field that is not on this template."))
            continue
        if c.target == c.source:
            problems.append(_l("“%(field)s” cannot depend on itself.", field=target.label))
            continue
        if c.action == "show" and target.required:
            problems.append(_l("“%(field)s” is required but hidden unless “%(source)s” is %(value)s. "
                               "Make it optional and use a “require” condition instead.",
                               field=target.label, source=source.label, value=c.value))
        if source.internal and not target.internal:
            problems.append(_l("“%(field)s” is shown to customers but depends on the internal field "
                               "“%(source)s”, which customers never fill in.", field=target.label,
                               source=source.label))
        if c.action == "show":
            show_edges.setdefault(c.target, set()).add(c.source)
    if _has_cycle(show_edges):
        problems.append(_l("Some fields are shown only by each other, so none of them could ever appear."))
    return problems


def _has_cycle(edges: Mapping[str, set[str]]) -> bool:
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return True
        if state.get(node) == 2:
            return False
        state[node] = 1
        if any(visit(nxt) for nxt in edges.get(node, ())):
            return True
        state[node] = 2
        return False

    return any(visit(node) for node in list(edges))


# --- text typed into case settings ----------------------------------------------------------------


def required_text(errors: dict, name: str, value: str | None, missing, limit: int) -> str:
    """The stripped text; a message in errors[name] when it is missing (missing: the message, marked
    with _l, like "Enter a name."), too long or unstorable."""
    text = (value or "").strip()
    if not storable(text):
        errors[name] = UNSTORABLE
    elif not text:
        errors[name] = missing
    elif len(text) > limit:
        errors[name] = _l("Use at most %(limit)d characters.", limit=limit)
    return text


def optional_text(errors: dict, name: str, value: str | None, limit: int) -> str:
    """The stripped text; a message in errors[name] when it is too long or unstorable."""
    text = (value or "").strip()
    if not storable(text):
        errors[name] = UNSTORABLE
    elif len(text) > limit:
        errors[name] = _l("Use at most %(limit)d characters.", limit=limit)
    return text


SOME_VALUES = _l("Some values need another look.")


def joined(messages: Iterable):
    """Several messages shown as one, each put into words (in the reader's language) when shown."""
    messages = list(messages)
    text = messages[0]
    for message in messages[1:]:
        # Translators: two messages shown one after the other (how sentences follow each other).
        text = _l("%(first)s %(second)s", first=text, second=message)
    return text


def raise_if_errors(errors: dict) -> None:
    """Refuse the input with every collected message (ValidationFailed) when there is any."""
    if errors:
        raise ValidationFailed(SOME_VALUES, errors)


# --- a case's own fields and the names of custom fields in forms and raw mappings --------------------

FIELD_PREFIX = "cf_"  # so an admin's field key can never clash with title, summary, reason or csrf_token
TITLE_MAX = 200
SUMMARY_MAX = 10000


def form_name(key: str) -> str:
    """The name a custom field has in a form and in the raw values a channel sends."""
    return f"{FIELD_PREFIX}{key}"
