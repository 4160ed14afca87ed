"""Admin changes to custom case fields and the options of single-select fields.

Every public function here may be called by admins only (policy.require_admin) and raises
ValidationFailed (bad input, with a message per field), NotAllowed or NotFound. Uniqueness comes
from database constraints: an IntegrityError becomes a message next to the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import peewee

from portal import policy
from portal.case_config.rules import (
    UNSTORABLE,
    optional_text,
    pattern_problem,
    raise_if_errors,
    required_text,
    storable,
)
from portal.clock import utcnow
from portal.db import database
from portal.errors import ValidationFailed
from portal.i18n import _l
from portal.models.configuration import FIELD_TYPES, NUMBER_KINDS, VISIBILITIES, CaseField, FieldOption
from portal.models.people import User

_KEY = re.compile(r"[a-z][a-z0-9_]{1,59}")


@dataclass
class FieldInput:
    label: str
    field_type: str = "text"
    key: str = ""
    help_text: str = ""
    admin_description: str = ""
    pattern: str = ""
    pattern_message: str = ""
    visibility: str = "customer"
    number_kind: str = "integer"
    min_value: str = ""
    max_value: str = ""
    max_length: str = ""
    active: bool = True


def suggest_key(label: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", (label or "").lower()).strip("_")
    if not key or not key[0].isalpha():
        key = f"field_{key}".rstrip("_")
    return key[:60]


def _decimal(errors: dict, name: str, value: str) -> Decimal | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors[name] = _l("Enter a number, like 0 or 99.5.")
        return None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
        errors[name] = _l("Enter a number between -10^14 and 10^14.")
        return None
    # Stored as numeric(20, 6): more places would be rounded away, or round up past 20 digits.
    if number != number.quantize(Decimal("0.000001")):
        errors[name] = _l("Use at most 6 decimal places.")
        return None
    return number


def _clean_field(data: FieldInput, existing: CaseField | None) -> dict:
    errors: dict[str, str] = {}
    values: dict[str, object] = {
        "label": required_text(errors, "label", data.label, _l("Enter a label."), 120),
        "help_text": optional_text(errors, "help_text", data.help_text, 300),
        "admin_description": optional_text(errors, "admin_description", data.admin_description, 2000),
        "pattern_message": optional_text(errors, "pattern_message", data.pattern_message, 200),
        "active": bool(data.active),
    }
    field_type = existing.field_type if existing else data.field_type
    if field_type not in FIELD_TYPES:
        errors["field_type"] = _l("Choose a field type.")
    if existing is None:
        key = (data.key or "").strip().lower() or suggest_key(data.label or "")
        if not _KEY.fullmatch(key):
            errors["key"] = _l("Use 2 to 60 lower-case letters, digits and underscores, starting with a letter.")
        values["key"], values["field_type"] = key, field_type
    if data.visibility not in VISIBILITIES:
        errors["visibility"] = _l("Choose who can see this field.")
    values["visibility"] = data.visibility
    pattern = (data.pattern or "").strip()
    problem = pattern_problem(pattern) if storable(pattern) else UNSTORABLE
    if problem:
        errors["pattern"] = problem
    if pattern and field_type not in ("text", "long_text", "email", "phone", "url"):
        errors["pattern"] = _l("Format rules apply to text, email, phone and web address fields only.")
    if pattern and not values["pattern_message"]:
        errors["pattern_message"] = _l("Say what the format is, for example “8 digits, like 12345678”.")
    values["pattern"] = pattern or None
    values["number_kind"] = data.number_kind if field_type == "number" else None
    if field_type == "number" and data.number_kind not in NUMBER_KINDS:
        errors["number_kind"] = _l("Choose whole or decimal numbers.")
    low = _decimal(errors, "min_value", data.min_value) if field_type == "number" else None
    high = _decimal(errors, "max_value", data.max_value) if field_type == "number" else None
    if low is not None and high is not None and low > high:
        errors["max_value"] = _l("The maximum must not be below the minimum.")
    values["min_value"], values["max_value"] = low, high
    max_length = (data.max_length or "").strip()
    values["max_length"] = None
    if max_length and field_type in ("text", "long_text"):
        # isdecimal, not isdigit: int() cannot read "²"; and few digits, as it refuses more than 4,300.
        if not (max_length.isdecimal() and len(max_length) <= 5) or not 1 <= int(max_length) <= 10000:
            errors["max_length"] = _l("Enter a whole number from 1 to 10000.")
        else:
            values["max_length"] = int(max_length)
    raise_if_errors(errors)
    return values


def save_field(actor: User, field: CaseField | None, data: FieldInput) -> CaseField:
    """Create (field=None) or change a custom field. Key and type never change once created: cases
    store values by field, in the type's canonical form."""
    policy.require_admin(actor)
    values = _clean_field(data, field)
    try:
        with database.atomic():
            if field is None:
                field = CaseField.create(**values)
            else:
                for name, value in values.items():
                    setattr(field, name, value)
                field.updated_at = utcnow()
                field.save()
    except peewee.IntegrityError as exc:
        raise ValidationFailed(_l("That key is taken."),
                               {"key": _l("Another field already uses this key.")}) from exc
    return field


# --- options --------------------------------------------------------------------------------------


def save_option(actor: User, field: CaseField, option: FieldOption | None, *, label: str, value: str = "",
                active: bool = True) -> FieldOption:
    """Add (option=None) or change an option of a single-select field. The stored value never
    changes once created; an inactive option can no longer be chosen but stays on cases holding it."""
    policy.require_admin(actor)
    errors: dict[str, str] = {}
    if field.field_type != "select":
        errors["label"] = _l("Only single-select fields have options.")
    label = required_text(errors, "label", label, _l("Enter a label."), 120)
    if option is None:
        value = required_text(errors, "value", value or label, _l("Enter a value."), 120)
    raise_if_errors(errors)
    try:
        with database.atomic():
            if option is None:
                option = FieldOption.create(field=field, label=label, value=value, active=active)
            else:
                option.label, option.active = label, active
                option.save()
            CaseField.update(updated_at=utcnow()).where(CaseField.id == field.id).execute()
    except peewee.IntegrityError as exc:
        clash = FieldOption.select().where((FieldOption.field == field) & (FieldOption.label == label)
                                           & (FieldOption.id != (option.id if option and option.id else 0)))
        if clash.exists():
            raise ValidationFailed(_l("Labels must differ."), {"label": _l("Another option has this label.")}) from exc
        raise ValidationFailed(_l("Values must differ."),
                               {"value": _l("Another option already stores this value.")}) from exc
    return option
