"""The template editor's services: preview and save with every check, restore an old version, and
"send a test to me". Admins only: every function calls policy.require_admin first. The reads (slots,
versions, diffs) are in portal.notification_admin.queries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import notifier
from notifier import templates as notifier_templates
from notifier.models import TemplateVersion
from notifier.rendering import TemplateError, check_parts, render_parts
from notifier.sms_segments import sms_shape
from portal.cases.queries.case_page import case_with_details
from portal.db import database
from portal.errors import ValidationFailed
from portal.i18n import _l
from portal.notification_admin.queries import Slot, version
from portal.notify.queries import case_context
from portal.policy import can_view_case, require_admin
from portal.settings import notifier_settings

# --- checking and previewing ----------------------------------------------------------------------


def _field_errors(target: Slot, error: TemplateError) -> ValidationFailed:
    """The notifier's refusal in the editor's words: the reason in the reader's language, where it
    is (the part, the line) next to the part's field and in the summary."""
    reason = _l(error.reason.msgid, **error.reason.params)
    if error.part and error.line:
        message = _l("%(part)s, line %(line)s: %(reason)s", part=error.part, line=error.line, reason=reason)
    elif error.part:
        message = _l("%(part)s: %(reason)s", part=error.part, reason=reason)
    else:
        message = reason
    if error.part in target.parts:
        label = target.part_label(error.part)
        return ValidationFailed(_l("%(part)s: %(reason)s", part=label, reason=message), {error.part: message})
    return ValidationFailed(message, {})


@dataclass(frozen=True)
class Preview:
    rendered: dict
    sms_encoding: str | None = None
    sms_units: int | None = None
    sms_segments: int | None = None
    source: str = _l("sample data")


def _context_for(actor, target: Slot, case_reference: str) -> tuple[dict, str]:
    context = target.event.sample_context()
    reference = (case_reference or "").strip()
    if not reference:
        return context, _l("sample data")
    case = case_with_details(reference) if reference.isdigit() else None
    if case is None or not can_view_case(actor, case):
        raise ValidationFailed(_l("No case you can see has that reference."),
                               {"case_reference": _l("No case you can see has that reference.")})
    # As a recipient of this slot reads it: the slot's language (the default language for the default slot).
    context.update(case_context(case, actor.display_name, actor.time_zone, target.language))
    return context, _l("case %(reference)s", reference=case.reference)


def check_and_render(target: Slot, parts: dict, context: dict) -> tuple[dict, dict]:
    """Every save-time check: syntax (with the line), forbidden constructs, filters and tests, unknown
    variables, sizes; then a render with `context` under the notifier's template budget, so the
    sandbox's run-time refusals, a template that grows too big or runs too long and the SMS segment
    limit surface now, not when a customer's message is sent. Returns (the parts kept, the rendered
    parts); raises ValidationFailed with the reason next to the part."""
    try:
        kept = check_parts(target.channel, parts, target.event.variable_names)
        return kept, render_parts(target.channel, kept, context, notifier_settings().template_limits)
    except TemplateError as error:
        raise _field_errors(target, error) from None


def preview(actor, target: Slot, parts: dict, case_reference: str = "") -> Preview:
    """Render unsaved parts with the sample data or a case the admin may see. Admins only; raises
    ValidationFailed with the reason (next to the part) when the template is invalid."""
    require_admin(actor)
    context, source = _context_for(actor, target, case_reference)
    _, rendered = check_and_render(target, parts, context)
    if target.channel == "sms":
        shape = sms_shape(rendered["text"])
        return Preview(rendered, shape.encoding, shape.units, shape.segments, source)
    return Preview(rendered, source=source)


# --- saving and restoring -------------------------------------------------------------------------


def save_template(actor, target: Slot, parts: dict) -> TemplateVersion:
    """Validate and publish `parts` as the slot's new active version. Admins only. Raises
    ValidationFailed (nothing saved) with the reason next to the part."""
    require_admin(actor)
    try:
        with database.atomic():
            return notifier_templates.save_version(
                target.event.name, target.channel, parts, author=actor.email,
                language=target.language, variant=target.variant, variables=target.event.variable_names,
                sample=target.event.sample_context(), limits=notifier_settings().template_limits,
            )
    except TemplateError as error:
        raise _field_errors(target, error) from None


def restore(actor, target: Slot, number: int) -> TemplateVersion:
    """Save version `number`'s parts again as the new active version (history is never rewritten).
    Admins only; NotFound for an unknown version; ValidationFailed when it no longer passes today's checks."""
    old = version(actor, target, number)
    return save_template(actor, target, dict(old.parts))


# --- send a test to me ----------------------------------------------------------------------------


def send_test(actor, target: Slot) -> str:
    """Queue this slot's saved template, on the channel being edited, to the admin with the sample
    data, through the outbox: an email to their address, a text message to their mobile. Returns the
    address it goes to. ValidationFailed when the admin has no mobile number for an SMS test, or when
    there is no saved template to send yet."""
    require_admin(actor)
    address = actor.phone if target.channel == "sms" else actor.email
    if not address:
        raise ValidationFailed(_l("You have no mobile number on your profile, so no test text message can be "
                                  "sent. Add one on your account page, then send the test again."))
    if not notifier_templates.active_template(target.event.name, target.channel, target.language, target.variant):
        raise ValidationFailed(_l("There is no saved template to send yet: save it first."))
    context = target.event.sample_context()
    for name in ("recipient_name", "user_name"):
        if name in context:
            context[name] = actor.display_name
    recipient = notifier.Recipient(channel=target.channel, address=address, name=actor.display_name,
                                   language=target.language)
    with database.atomic():
        notifier.enqueue(target.event.name, [recipient], context, key=f"test:{uuid.uuid4()}", variant=target.variant)
    return address
