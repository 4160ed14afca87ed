"""The template editor's reads: slots, the overview of every event's templates, the text to start
editing from, versions and the changes between them. Admins only: every function calls
policy.require_admin first.

A slot is (event, channel, language, variant); "" is the default language or variant. The variant
of a per-case-template override is the case template's UUID (`portal.notify.rules.variant_for`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from babel import Locale

from notifier import templates as notifier_templates
from notifier.models import Template, TemplateVersion
from notifier.rendering import PARTS
from notifier.sms_segments import sms_shape
from portal.errors import NotFound
from portal.i18n import _, _l, supported_languages
from portal.models.configuration import CaseTemplate
from portal.notify.catalogue import EVENTS, Event
from portal.policy import require_admin

# Languages staff may write texts in beyond those the portal is shown in (a recipient whose language
# has a text gets it; see notifier.templates.language_candidates).
EXTRA_TEMPLATE_LANGUAGES = ("fr", "nl")
PART_LABELS = {"subject": _l("Subject"), "text": _l("Text"), "html": _l("HTML body")}
SMS_PART_LABELS = {"text": _l("Text message")}


def languages() -> dict[str, str]:
    """The language slots a text may be written for: "" (the default, for every language), the
    languages the portal is shown in, and EXTRA_TEMPLATE_LANGUAGES; each named in itself."""
    found = {"": _("Default (every language)"), **supported_languages()}
    for tag in EXTRA_TEMPLATE_LANGUAGES:
        found.setdefault(tag, Locale.parse(tag).get_display_name().capitalize())
    return found


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
    if found is None or channel not in PARTS or (language or "") not in languages():
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


def draft_sms_shape(text: str):
    """Encoding and segments of the SMS source as typed (before variables are filled in)."""
    return sms_shape(text or "")



# --- history -------------------------------------------------------------------------------------


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
