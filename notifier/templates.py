"""Message templates stored in the database with their version history.

A template is identified by (event, channel, language, variant); "" means the default language or
variant. Its newest version is the active one; restoring an old text means saving it again, so the
history is never rewritten. Defaults are seeded from files (see templates/notifications/README.md).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import peewee

from notifier import registry
from notifier.budget import TemplateLimits
from notifier.clock import aware
from notifier.models import EMAIL, SMS, Template, TemplateVersion, database
from notifier.rendering import TemplateError, check_parts, render_parts
from notifier.words import _l

__all__ = ["TemplateError", "seed_defaults", "save_version", "versions", "active_template", "ActiveTemplate",
           "language_candidates"]

# File names in templates/notifications/<event>/ and the template part each one fills.
DEFAULT_FILES = {name: registry.channel(name).default_files for name in (EMAIL, SMS)}
VARIABLES_FILE = "variables.txt"


class ActiveTemplate:
    """The version to render, and which slot it came from after fallback."""

    def __init__(self, template: Template, version: TemplateVersion):
        self.template = template
        self.version = version
        self.parts = version.parts


def _template_row(event, channel, language, variant, variables, now) -> Template:
    try:
        with database.atomic():
            return Template.create(
                event=event,
                channel=channel,
                language=language,
                variant=variant,
                variables=variables,
                created_at=now,
            )
    except peewee.IntegrityError:
        return Template.get(
            (Template.event == event)
            & (Template.channel == channel)
            & (Template.language == language)
            & (Template.variant == variant)
        )


def _append_version(template: Template, parts: dict, author: str, now: datetime) -> TemplateVersion:
    latest = (
        TemplateVersion.select(peewee.fn.MAX(TemplateVersion.number))
        .where(TemplateVersion.template == template)
        .scalar()
    ) or 0
    # The (template, number) constraint makes two simultaneous saves collide instead of both
    # becoming "version n+1"; the loser surfaces as a TemplateError and can save again.
    try:
        with database.atomic():
            return TemplateVersion.create(
                template=template, number=latest + 1, parts=parts, author=author, created_at=now
            )
    except peewee.IntegrityError:
        raise TemplateError(_l("someone saved this template at the same time; reload and try again")) from None


def save_version(
    event: str,
    channel: str,
    parts: dict,
    *,
    author: str,
    language: str = "",
    variant: str = "",
    variables: list[str] | None = None,
    sample: dict | None = None,
    limits: TemplateLimits | None = None,
    now: datetime | None = None,
) -> TemplateVersion:
    """Validate `parts` and store them as the new active version of the template.

    `variables` (or, when omitted, the list recorded for the template) limits the context variables
    the template may use. With `sample` (example values of those variables) the parts are also
    rendered once under the template budget `limits` (the defaults when None), so that a template
    that grows too big or runs too long is refused now rather than failing every message it would
    send. Raises TemplateError with a message fit to show the editor.
    """
    spec = registry.find(channel)
    if spec is None or not spec.parts:
        raise TemplateError(f"unknown channel {channel!r}")
    if not event:
        raise TemplateError("event is required")
    now = aware(now)
    language, variant = language or "", variant or ""
    allowed = variables if variables is not None else _recorded_variables(event, channel, language, variant)
    kept = check_parts(channel, parts, allowed)
    if sample is not None:
        # Before the transaction: a trial render may use the whole time budget, and nothing
        # should wait for the write lock meanwhile.
        render_parts(channel, kept, sample, limits)
    with database.atomic():
        template = _template_row(event, channel, language, variant, variables, now)
        return _append_version(template, kept, author, now)


def _recorded_variables(event: str, channel: str, language: str, variant: str) -> list[str] | None:
    template = Template.get_or_none(
        (Template.event == event)
        & (Template.channel == channel)
        & (Template.language == language)
        & (Template.variant == variant)
    )
    return template.variables if template is not None else None


def versions(event: str, channel: str, language: str = "", variant: str = "") -> peewee.ModelSelect:
    """Every version of one template slot, newest first (empty when the slot has none)."""
    return (
        TemplateVersion.select(TemplateVersion, Template)
        .join(Template)
        .where(
            (Template.event == event)
            & (Template.channel == channel)
            & (Template.language == (language or ""))
            & (Template.variant == (variant or ""))
        )
        .order_by(TemplateVersion.number.desc())
    )


def language_candidates(language: str | None) -> list[str]:
    """The language slots to try for a recipient's language tag, most specific first: "de_AT" or
    "de-AT" → ["de-AT", "de", ""]; "" (no language known) → [""]."""
    tag = (language or "").strip().replace("_", "-")
    if not tag:
        return [""]
    base, _, region = tag.partition("-")
    base = base.lower()
    if region:
        region = region.upper() if len(region) == 2 else region
        return list(dict.fromkeys([f"{base}-{region}", base, ""]))
    return [base, ""]


def active_template(event: str, channel: str, language: str = "", variant: str = "") -> ActiveTemplate | None:
    """The newest version to use: for each language slot of `language_candidates` (regional tag,
    its bare language, the default language), the variant then the default variant."""
    candidates = []
    for lang in language_candidates(language):
        for var in dict.fromkeys([variant or "", ""]):
            candidates.append((lang, var))
    for lang, var in candidates:
        version = versions(event, channel, lang, var).first()
        if version is not None:
            return ActiveTemplate(version.template, version)
    return None


def default_languages(event_dir: Path) -> dict[str, Path]:
    """The folders of one event's shipped texts by language slot: the event folder itself for the
    default language (""), and each language subfolder (e.g. de/, es/) for its translation."""
    found = {"": event_dir}
    for sub in sorted(p for p in event_dir.iterdir() if p.is_dir()):
        found[sub.name] = sub
    return found


def default_parts(folder: Path, channel: str) -> dict[str, str]:
    """The template parts of one channel found as files in `folder` (empty when it has none)."""
    return {
        part: (folder / name).read_text(encoding="utf-8")
        for part, name in DEFAULT_FILES[channel].items()
        if (folder / name).exists()
    }


def seed_defaults(directory: str | Path, now: datetime | None = None) -> list[tuple[str, str, str]]:
    """Insert the default templates and their shipped translations found under `directory` that are
    not in the database yet (see templates/notifications/README.md).

    Idempotent: a slot that already has any version (for instance one edited by staff) is left
    alone. Returns the (event, channel, language) slots inserted ("" is the default language).
    """
    now = aware(now)
    root = Path(directory)
    inserted = []
    # The slots that have a version, in one statement: every app start and every test runs this, and
    # a statement per slot (some ninety) took 55-125 ms when there was nothing to insert.
    present = set(
        Template.select(Template.event, Template.channel, Template.language)
        .join(TemplateVersion)
        .where(Template.variant == "")
        .distinct()
        .tuples()
    )
    for event_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        variables_path = event_dir / VARIABLES_FILE
        variables = None
        for language, folder in default_languages(event_dir).items():
            for channel in DEFAULT_FILES:
                if (event_dir.name, channel, language) in present:
                    continue
                parts = default_parts(folder, channel)
                if not parts:
                    continue
                if variables is None and variables_path.exists():
                    variables = [line.strip() for line in variables_path.read_text().splitlines() if line.strip()]
                try:
                    save_version(event_dir.name, channel, parts, author="defaults", language=language,
                                 variables=variables, now=now)
                except TemplateError as error:
                    where = "/".join(filter(None, (event_dir.name, language, channel)))
                    raise TemplateError(f"{where}: {error}") from None
                inserted.append((event_dir.name, channel, language))
    return inserted
