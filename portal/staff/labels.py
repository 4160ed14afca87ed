"""Built-in words of the staff workspace, in the reader's language: the priorities' names (codes,
English names and translatable labels live in portal.models.configuration), for forms, refusals,
pages and notifications. Admin-typed names (statuses, workgroups, templates) are shown
as typed and never pass through here."""

from __future__ import annotations

from portal.models.configuration import PRIORITIES, PRIORITY_LABELS
from portal.notify.wording import words_for


def priority_label(code: str | None):
    """A priority's name in the reader's language; an unexpected stored code as it is."""
    return PRIORITY_LABELS.get(code or "", code or "")


def priority_label_in(code: str | None, language: str | None) -> str:
    """A priority's name in someone else's language (a notification's recipient), as text; services
    call it, with or without a request."""
    if code not in PRIORITIES:
        return code or ""
    return words_for(language, PRIORITY_LABELS[code])
