"""Built-in words of the staff workspace, in the reader's language: the priorities' names (their
codes and English names live in portal.models.configuration.PRIORITIES, which models keep free of
Flask), for forms, refusals and pages. Admin-typed names (statuses, workgroups, templates) are shown
as typed and never pass through here."""

from __future__ import annotations

from functools import cache

from babel.support import Translations

from portal.catalogues import TRANSLATIONS
from portal.i18n import _l, match_language
from portal.models.configuration import PRIORITIES

# The same words as PRIORITIES' English names (the msgids priority_label_in looks up).
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}


def priority_label(code: str | None):
    """A priority's name in the reader's language; an unexpected stored code as it is."""
    return PRIORITY_LABELS.get(code or "", code or "")


def priority_label_in(code: str | None, language: str | None) -> str:
    """A priority's name in someone else's language (a notification's recipient), as text. Read from
    the catalogue directly: services call it, with or without a request, and reach no Flask."""
    english = PRIORITIES.get(code or "")
    if english is None:
        return code or ""
    return _catalogue(match_language(language) or "en").gettext(english)


@cache
def _catalogue(locale: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [locale])
