"""Built-in words of the staff workspace, in the reader's language: the priorities' names (their
codes and English names live in portal.models.configuration.PRIORITIES, which models keep free of
Flask), for forms, refusals and pages. Admin-typed names (statuses, workgroups, templates) are shown
as typed and never pass through here."""

from __future__ import annotations

from portal.i18n import _l

PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}


def priority_label(code: str | None):
    """A priority's name in the reader's language; an unexpected stored code as it is."""
    return PRIORITY_LABELS.get(code or "", code or "")


def priority_label_in(code: str | None, language: str | None) -> str:
    """A priority's name in someone else's language (a notification's recipient), as text."""
    from flask_babel import force_locale

    from portal.i18n import match_language

    with force_locale(match_language(language) or "en"):
        return str(priority_label(code))
