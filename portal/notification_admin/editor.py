"""The template editor's services: slots, preview, save with every check, versions, diff, restore and
"send a test to me". Admins only: every function calls policy.require_admin first.

A slot is (event, channel, language, variant); "" is the default language or variant. The variant
of a per-case-template override is the case template's UUID (`variant_for`).
"""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass, field

import notifier
from notifier import templates as notifier_templates
from notifier.models import Template, TemplateVersion
from notifier.rendering import PARTS, TemplateError, check_parts, render_parts
from notifier.sms_segments import sms_shape
from portal.db import database
from portal.errors import NotFound, ValidationFailed
from portal.models.configuration import CaseTemplate
from portal.notification_admin.catalogue import EVENTS, Event
from portal.policy import can_view_case, require_admin

LANGUAGES = {"": "Default (every language)", "en": "English", "fr": "French", "de": "German",
             "es": "Spanish", "nl": "Dutch"}
PART_LABELS = {"subject": "Subject", "text": "Text", "html": "HTML body"}
SMS_PART_LABELS = {"text": "Text message"}


def variant_for(case_template) -> str:
    """The notifier variant naming a case template's own texts (pass it to notifier.enqueue)."""
    return case_template.uuid if case_template is not None else ""


@dataclass(frozen=True)
class Slot:
    event: Event
    channel: str
    language: str = ""
    variant: str = ""
    case_template: CaseTemplate | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.event.name, self.channel, self.language, self.variant)

    @property
    def query(self) -> dict[str, str]:
        """URL query arguments that name the override (empty for the default slot)."""
        return {name: value for name, value in (("language", self.language), ("variant", self.variant)) if value}

    @property
    def parts(self) -> tuple[str, ...]:
        return PARTS[self.channel]

    def part_label(self, part: str) -> str:
        return (SMS_PART_LABELS if self.channel == "sms" else PART_LABELS)[part]


def slot(actor, event: str, channel: str, language: str = "", variant: str = "") -> Slot:
    """The slot named by URL values. Admins only; NotFound for unknown events, channels, languages
    or case templates."""
    require_admin(actor)
    found = EVENTS.get(event)
    if found is None or channel not in PARTS or (language or "") not in LANGUAGES:
        raise NotFound()
    case_template = None
    if variant:
        case_template = CaseTemplate.get_or_none(CaseTemplate.uuid == variant[:36])
        if case_template is None:
            raise NotFound()
    return Slot(found, channel, language or "", variant or "", case_template)


@dataclass
class SlotSummary:
    event: Event
    channels: dict[str, bool] = field(default_factory=dict)  # channel -> has a default template
    overrides: list[Slot] = field(default_factory=list)


def overview(actor) -> list[SlotSummary]:
    """Every catalogue event with its channels and stored overrides (language or case template)."""
    require_admin(actor)
    case_templates = {t.uuid: t for t in CaseTemplate.select()}
    summaries = {name: SlotSummary(event) for name, event in EVENTS.items()}
    for row in Template.select().order_by(Template.event, Template.channel, Template.language, Template.variant):
        summary = summaries.get(row.event)
        if summary is None:
            continue
        if not row.language and not row.variant:
            summary.channels[row.channel] = True
        else:
            summary.overrides.append(Slot(summary.event, row.channel, row.language, row.variant,
                                          case_templates.get(row.variant)))
    return list(summaries.values())


def case_templates(actor) -> list[CaseTemplate]:
    require_admin(actor)
    return list(CaseTemplate.select().order_by(CaseTemplate.name))


def current_parts(actor, target: Slot) -> tuple[dict, TemplateVersion | None]:
    """The parts to start editing from: this slot's newest version, or (for a new override) the
    version it falls back to today. Returns (parts, the slot's own newest version or None)."""
    require_admin(actor)
    own = notifier_templates.versions(*target.key).first()
    if own is not None:
        return dict(own.parts), own
    active = notifier_templates.active_template(*target.key)
    return (dict(active.parts) if active else {}), None


# --- checking and previewing ----------------------------------------------------------------------


def _field_errors(target: Slot, error: TemplateError) -> ValidationFailed:
    message = str(error)
    part = message.split(",", 1)[0].split(":", 1)[0].strip()
    if part in target.parts:
        return ValidationFailed(f"{target.part_label(part)}: {message}", {part: message})
    return ValidationFailed(message, {})


@dataclass(frozen=True)
class Preview:
    rendered: dict
    sms_encoding: str | None = None
    sms_units: int | None = None
    sms_segments: int | None = None
    source: str = "sample data"


def _context_for(actor, target: Slot, case_reference: str) -> tuple[dict, str]:
    context = target.event.sample_context()
    reference = (case_reference or "").strip()
    if not reference:
        return context, "sample data"
    # Imported here: the case code imports this module (variant_for), so a top-level import would be circular.
    from portal.cases.notify import case_context
    from portal.cases.queries import case_with_details

    case = case_with_details(reference) if reference.isdigit() else None
    if case is None or not can_view_case(actor, case):
        raise ValidationFailed("No case you can see has that reference.",
                               {"case_reference": "No case you can see has that reference."})
    context.update(case_context(case, actor.display_name))
    return context, f"case {case.reference}"


def check_and_render(target: Slot, parts: dict, context: dict) -> dict:
    """Every save-time check: syntax (with the line), forbidden constructs, unknown variables,
    sizes; then a render with `context` so the sandbox's run-time refusals and the SMS segment
    limit surface now, not when a customer's message is sent. Raises ValidationFailed."""
    try:
        kept = check_parts(target.channel, parts, target.event.variable_names)
        render_parts(target.channel, kept, context)
    except TemplateError as error:
        raise _field_errors(target, error) from None
    return kept


def preview(actor, target: Slot, parts: dict, case_reference: str = "") -> Preview:
    """Render unsaved parts with the sample data or a case the admin may see. Admins only; raises
    ValidationFailed with the reason (next to the part) when the template is invalid."""
    require_admin(actor)
    context, source = _context_for(actor, target, case_reference)
    kept = check_and_render(target, parts, context)
    rendered = render_parts(target.channel, kept, context)
    if target.channel == "sms":
        shape = sms_shape(rendered["text"])
        return Preview(rendered, shape.encoding, shape.units, shape.segments, source)
    return Preview(rendered, source=source)


def draft_sms_shape(text: str):
    """Encoding and segments of the SMS source as typed (before variables are filled in)."""
    return sms_shape(text or "")


# --- saving, history, restore -----------------------------------------------------------------------


def save_template(actor, target: Slot, parts: dict) -> TemplateVersion:
    """Validate and publish `parts` as the slot's new active version. Admins only. Raises
    ValidationFailed (nothing saved) with the reason next to the part."""
    require_admin(actor)
    check_and_render(target, parts, target.event.sample_context())
    try:
        with database.atomic():
            return notifier_templates.save_version(
                target.event.name, target.channel, parts, author=actor.email,
                language=target.language, variant=target.variant, variables=target.event.variable_names,
            )
    except TemplateError as error:
        raise _field_errors(target, error) from None


def versions(actor, target: Slot) -> list[TemplateVersion]:
    """The slot's versions, newest first (author, time, parts)."""
    require_admin(actor)
    return list(notifier_templates.versions(*target.key))


# Version numbers count the saves of one slot. A larger number names no version, and SQLite cannot
# even compare an integer past 64 bits (the URL's <int:number> takes any number of digits).
MAX_VERSION_NUMBER = 2**31 - 1


def version(actor, target: Slot, number: int) -> TemplateVersion:
    require_admin(actor)
    if not 0 < number <= MAX_VERSION_NUMBER:
        raise NotFound()
    found = notifier_templates.versions(*target.key).where(TemplateVersion.number == number).first()
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "same", "gap"
    text: str


def diff(actor, target: Slot, number: int) -> tuple[TemplateVersion, TemplateVersion | None, dict]:
    """Version `number`, the one before it, and per part the changed lines between them."""
    newer = version(actor, target, number)
    older = notifier_templates.versions(*target.key).where(TemplateVersion.number < number).first()
    changes = {}
    for part in target.parts:
        before = (older.parts.get(part, "") if older else "").splitlines()
        after = newer.parts.get(part, "").splitlines()
        lines = []
        for line in list(difflib.unified_diff(before, after, lineterm="", n=2))[2:]:
            if line.startswith("@@"):
                lines.append(DiffLine("gap", line))
            elif line.startswith("+"):
                lines.append(DiffLine("added", line[1:]))
            elif line.startswith("-"):
                lines.append(DiffLine("removed", line[1:]))
            else:
                lines.append(DiffLine("same", line[1:]))
        changes[part] = lines
    return newer, older, changes


def restore(actor, target: Slot, number: int) -> TemplateVersion:
    """Save version `number`'s parts again as the new active version (history is never rewritten).
    Admins only; NotFound for an unknown version; ValidationFailed when it no longer passes today's checks."""
    old = version(actor, target, number)
    return save_template(actor, target, dict(old.parts))


# --- send a test to me ----------------------------------------------------------------------------


def send_test(actor, target: Slot) -> list[str]:
    """Queue the event's saved templates for this slot to the admin: email always, SMS when the
    admin has a mobile number and the event has an SMS template. Uses the sample data and goes
    through the outbox. Returns the channels queued; ValidationFailed when nothing could be."""
    require_admin(actor)
    context = target.event.sample_context()
    for name in ("recipient_name", "user_name"):
        if name in context:
            context[name] = actor.display_name
    recipients = []
    for channel, address in (("email", actor.email), ("sms", actor.phone)):
        if address and notifier_templates.active_template(target.event.name, channel, target.language,
                                                          target.variant):
            recipients.append(notifier.Recipient(channel=channel, address=address, name=actor.display_name,
                                                 language=target.language))
    if not recipients:
        raise ValidationFailed("There is no saved template to send yet: save it first.")
    with database.atomic():
        notifier.enqueue(target.event.name, recipients, context, key=f"test:{uuid.uuid4()}",
                         variant=target.variant)
    return [recipient.channel for recipient in recipients]
