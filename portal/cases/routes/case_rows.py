"""The rows of the dashboard's case table (templates/cases/_case_table.html) as markup.

The table's heading, caption and column names stay in the template; each row is written here, with
the column names the template translated once. Measured (tests/bench/profile_pages.py): Jinja spent
about 80 µs of CPU on each row (25 expressions, each looked up, escaped and joined), a list page's
largest single cost; this writes the same markup with one escape per value.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.i18n import _, _relative, _rounded, viewer_moments
from portal.languages import current_locale_name

_LABELS: dict[str, dict[str, Markup]] = {}
_WORDS_KEPT = 256
_WORDS: dict[tuple, tuple] = {}


def table_labels() -> dict[str, Markup]:
    """The table's column names and badge words (the headings and every cell's data-label) in the
    request's language: translated once per locale, not twice per page. Marked safe as the template's
    `_()` marks a catalogue's text."""
    locale = current_locale_name()
    labels = _LABELS.get(locale)
    if labels is None:
        labels = _LABELS[locale] = {
            key: Markup(text)  # noqa: S704 -- our own catalogue's text, as {{ _("...") }} prints it
            for key, text in (("reference", _("Case")), ("title", _("Title")), ("status", _("Status")),
                              ("form", _("Form")), ("customer", _("Customer")), ("updated", _("Last update")),
                              ("new", _("New")), ("to_you", _("to you")), ("changed", _("Updated")),
                              ("since_visit", _("since your last visit")))
        }
    return labels


def _row_words(labels: dict, show_customer: bool, case_url: str) -> tuple:
    """The fixed markup between a row's values for these labels: worked out once per language."""
    key = (tuple(labels.items()), show_customer, case_url)
    words = _WORDS.get(key)
    if words is None:
        escaped = {name: escape(value) for name, value in labels.items()}
        words = (
            f'\n      <tr>\n        <td data-label="{escaped["reference"]}">',
            f'</td>\n        <td data-label="{escaped["title"]}" class="case-title"><a href="',
            f'</td>\n        <td data-label="{escaped["status"]}"><span class="badge badge-',
            f'</span></td>\n        <td data-label="{escaped["form"]}">',
            f'</td>\n        <td data-label="{escaped["customer"]}">' if show_customer else None,
            f'</td>\n        <td data-label="{escaped["updated"]}">',
            (f' <span class="badge badge-updated">{escaped["new"]}<span class="visually-hidden"> '
             f'{escaped["to_you"]}</span></span>'),
            (f' <span class="badge badge-updated">{escaped["changed"]}<span class="visually-hidden"> '
             f'{escaped["since_visit"]}</span></span>'),
            escape(case_url),
        )
        if len(_WORDS) >= _WORDS_KEPT:
            _WORDS.clear()
        _WORDS[key] = words
    return words


_HEADS_KEPT = 8192
# A row's markup but the words of its relative time, by (the table's fixed words, the viewer's locale
# and zone, the CaseRow): everything in it comes from those, and the same rows come back view after view.
_HEADS: dict[tuple, tuple[str, str]] = {}


class CaseRowMarkup:
    """Called with a CaseRow (portal.cases.queries.dashboard), gives its <tr>. labels: the translated
    column names and badge words (table_labels()); case_url: the case page's address without the
    reference.

    The last cell is Moments.relative (portal/i18n.py) of the row's update: "2 hours ago" as a <time>
    with the exact moment. Everything but those words is kept between requests (_HEADS), keyed by the
    row's every value, the table's words and the viewer's locale and zone; the words are worked out
    per request from its "now", as Moments.relative does (tests/cases/test_dashboard_fragments.py
    checks the cell against Moments.relative)."""

    __slots__ = ("_reference", "_title", "_status", "_form", "_customer", "_updated", "_new", "_changed",
                 "_case_url", "_moments", "_escaped", "_words", "_viewer", "_wordings")

    def __init__(self, labels: dict, *, show_customer: bool, case_url: str):
        self._words = _row_words(labels, show_customer, case_url)
        (self._reference, self._title, self._status, self._form, self._customer, self._updated, self._new,
         self._changed, self._case_url) = self._words
        self._moments = viewer_moments()
        self._viewer = (str(self._moments.locale), self._moments.zone)
        self._escaped: dict[str, str] = {}
        self._wordings: dict[tuple[str, int], str] = {}

    def rows(self, cases) -> Markup:
        """The <tr> of every case, in order: one call from the template for the whole table body."""
        return Markup("".join([self._row(case) for case in cases]))  # noqa: S704 -- each row escapes its values

    def _shared(self, text: str) -> str:
        """text escaped, once per table: statuses, categories and forms repeat from row to row."""
        escaped = self._escaped.get(text)
        if escaped is None:
            escaped = self._escaped[text] = str(escape(text))
        return escaped

    def __call__(self, case) -> Markup:
        return Markup(self._row(case))  # noqa: S704 -- every value is escaped in _head or by Moments

    def _row(self, case) -> str:
        if not isinstance(case, tuple):  # only a tuple's value is all of it (a model object hashes by id)
            return f"{self._head(case)}{self._moments.relative(case.updated_at)}</td>\n      </tr>"
        key = (self._words, self._viewer, case)
        kept = _HEADS.get(key)
        if kept is None:
            updated = case.updated_at
            exact = escape(self._moments.exact(updated))
            # An ISO 8601 text holds digits, "-", ":", "T", "." and "+" only: nothing to escape.
            kept = (f'{self._head(case)}<time datetime="{updated.isoformat()}" title="{exact}">',
                    f'<span class="visually-hidden"> ({exact})</span></time></td>\n      </tr>')
            if len(_HEADS) >= _HEADS_KEPT:
                _HEADS.clear()
            _HEADS[key] = kept
        return f"{kept[0]}{self._wording(case.updated_at)}{kept[1]}"

    def _wording(self, value) -> str:
        """Moments.relative's words for value ("2 hours ago"), escaped: one per rounding a request."""
        seconds = (value - self._moments.now).total_seconds()
        rounded = ("just now", 0) if abs(seconds) < 45 else _rounded(seconds)
        wording = self._wordings.get(rounded)
        if wording is None:
            text = _("just now") if rounded[0] == "just now" else _relative(self._moments.locale, *rounded)
            wording = self._wordings[rounded] = str(escape(text))
        return wording

    def _head(self, case) -> str:
        reference = escape(case.reference)
        badge = "" if not case.changed_since_read else self._new if case.read_at is None else self._changed
        description = case.status_description
        status_title = f' title="{self._shared(description)}"' if description else ""
        customer = f"{self._customer}{escape(case.customer_name)}" if self._customer is not None else ""
        return (
            f"{self._reference}{reference}{self._title}{self._case_url}{reference}\">{escape(case.title)}</a>{badge}"
            f"{self._status}{self._shared(case.status_category)}\"{status_title}>{self._shared(case.status_name)}"
            f"{self._form}{self._shared(case.template_name)}{customer}{self._updated}"
        )
