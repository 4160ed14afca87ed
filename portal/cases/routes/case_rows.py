"""The rows of the dashboard's case table (templates/cases/_case_table.html) as markup.

The table's heading, caption and column names stay in the template; each row is written here, with
the column names the template translated once. Measured (tests/bench/profile_pages.py): Jinja spent
about 80 µs of CPU on each row (25 expressions, each looked up, escaped and joined), a list page's
largest single cost; this writes the same markup with one escape per value.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.i18n import viewer_moments


class CaseRowMarkup:
    """Called with a CaseRow (portal.cases.queries.dashboard), gives its <tr>. labels: the template's
    translated column names and badge words; case_url: the case page's address without the reference."""

    __slots__ = ("_reference", "_title", "_status", "_form", "_customer", "_updated", "_new", "_changed",
                 "_case_url", "_moments", "_escaped")

    def __init__(self, labels: dict, *, show_customer: bool, case_url: str):
        words = {key: escape(value) for key, value in labels.items()}
        self._reference = f'\n      <tr>\n        <td data-label="{words["reference"]}">'
        self._title = f'</td>\n        <td data-label="{words["title"]}" class="case-title"><a href="'
        self._status = f'</td>\n        <td data-label="{words["status"]}"><span class="badge badge-'
        self._form = f'</span></td>\n        <td data-label="{words["form"]}">'
        self._customer = f'</td>\n        <td data-label="{words["customer"]}">' if show_customer else None
        self._updated = f'</td>\n        <td data-label="{words["updated"]}">'
        self._new = (f' <span class="badge badge-updated">{words["new"]}<span class="visually-hidden"> '
                     f'{words["to_you"]}</span></span>')
        self._changed = (f' <span class="badge badge-updated">{words["changed"]}<span class="visually-hidden"> '
                         f'{words["since_visit"]}</span></span>')
        self._case_url = escape(case_url)
        self._moments = viewer_moments()
        self._escaped: dict[str, str] = {}

    def rows(self, cases) -> Markup:
        """The <tr> of every case, in order: one call from the template for the whole table body."""
        return Markup("".join([self(case) for case in cases]))  # noqa: S704 -- each row escapes its values

    def _shared(self, text: str) -> str:
        """text escaped, once per table: statuses, categories and forms repeat from row to row."""
        escaped = self._escaped.get(text)
        if escaped is None:
            escaped = self._escaped[text] = str(escape(text))
        return escaped

    def __call__(self, case) -> Markup:
        reference = escape(case.reference)
        badge = "" if not case.changed_since_read else self._new if case.read_at is None else self._changed
        description = case.status_description
        status_title = f' title="{self._shared(description)}"' if description else ""
        customer = f"{self._customer}{escape(case.customer_name)}" if self._customer is not None else ""
        return Markup(  # noqa: S704 -- every value is escaped above or here
            f"{self._reference}{reference}{self._title}{self._case_url}{reference}\">{escape(case.title)}</a>{badge}"
            f"{self._status}{self._shared(case.status_category)}\"{status_title}>{self._shared(case.status_name)}"
            f"{self._form}{self._shared(case.template_name)}{customer}{self._updated}"
            f"{self._moments.relative(case.updated_at)}</td>\n      </tr>"
        )
