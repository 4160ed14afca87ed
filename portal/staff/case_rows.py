"""The rows of the staff case table (templates/staff/_case_table.html) as markup, for the tables without
a reassign form (the search, the workspace's "my cases" and queue).

Measured (tests/bench/profile_pages.py, an agent's search at 1,000,000 cases on PostgreSQL): Jinja spent
about 80 µs of CPU on each of the 25 rows (some 25 expressions, each looked up, escaped and joined, two
relative times and a url_for), a third of the page's rendering. This writes the same markup with one
escape per value, as portal/cases/routes/case_rows.py does for the dashboard;
tests/staff/test_staff_case_rows.py checks it against the Jinja loop it replaces, row kind by row kind.
The supervisor's table, whose rows carry a reassign form, stays in the template.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.i18n import _, viewer_moments
from portal.languages import current_locale_name
from portal.service_levels.case_targets import sla_state
from portal.staff.labels import priority_label

_LABELS: dict[str, dict[str, Markup]] = {}


def staff_table_labels() -> dict[str, Markup]:
    """The table's column names and badge words in the request's language, translated once per locale.
    Marked safe as the template's `_()` marks a catalogue's text."""
    locale = current_locale_name()
    labels = _LABELS.get(locale)
    if labels is None:
        labels = _LABELS[locale] = {
            key: Markup(text)  # noqa: S704 -- our own catalogue's text, as {{ _("...") }} prints it
            for key, text in (
                ("case", _("Case")), ("customer", _("Customer")), ("priority", _("Priority")),
                ("status", _("Status")), ("workgroup", _("Workgroup")), ("assignee", _("Assignee")),
                ("updated", _("Updated")), ("opened", _("Opened")), ("reassign", _("Reassign")),
                ("unassigned", _("Unassigned")), ("escalated", _("Escalated")), ("target", _("Due")),
                ("paused", _("Paused")), ("overdue", _("Overdue")), ("at_risk", _("At risk")),
                ("on_track", _("On track")))
        }
    return labels


class StaffRowMarkup:
    """Gives the <tr> of every case of a staff table without a reassign form: rows(cases). labels:
    staff_table_labels(); case_url: the case page's address without the 8-digit reference.

    Times are the viewer's Moments (portal/i18n.py): relative to the request's "now", as the reltime
    filter writes them; a row's service-level state (sla_state) is taken at that same "now"."""

    __slots__ = ("_labels", "_show_assignee", "_show_updated", "_case_url", "_moments", "_escaped", "_cells")

    def __init__(self, labels: dict, *, show_assignee: bool, show_updated: bool, case_url: str):
        self._labels = labels
        self._show_assignee, self._show_updated = show_assignee, show_updated
        self._case_url = str(escape(case_url))
        self._moments = viewer_moments()
        self._escaped: dict[object, str] = {}
        escaped = {name: str(escape(value)) for name, value in labels.items()}
        self._cells = (
            f'\n      <tr>\n        <td data-label="{escaped["case"]}"><a href="',
            f'\n          <span class="badge badge-danger">{escaped["escalated"]}</span></td>\n',
            f'        <td data-label="{escaped["customer"]}">',
            f'</td>\n        <td data-label="{escaped["priority"]}"><span class="priority priority-',
            f'</span></td>\n        <td data-label="{escaped["status"]}"><span class="badge badge-',
            f'</span></td>\n        <td data-label="{escaped["workgroup"]}">',
            f'<td data-label="{escaped["assignee"]}">',
            f'        \n        \n        <td data-label="{escaped["updated"]}">' if show_updated else
            f'        \n        \n        <td data-label="{escaped["opened"]}"><time datetime="',
            f'</td>\n        \n        \n        \n        <td data-label="{escaped["target"]}">',
        )

    def rows(self, cases) -> Markup:
        """The <tr> of every case, in order: one call from the template for the whole table body."""
        return Markup("".join([self._row(case) for case in cases]))  # noqa: S704 -- each row escapes its values

    def _shared(self, value) -> str:
        """value escaped, once per table: statuses, priorities, workgroups and names repeat."""
        escaped = self._escaped.get(value)
        if escaped is None:
            escaped = self._escaped[value] = str(escape(value))
        return escaped

    def _row(self, case) -> str:
        (start, escalated, customer, priority, status, workgroup, assignee, when, target) = self._cells
        labels, moments = self._labels, self._moments
        reference = str(case.reference)
        parts = [start, self._case_url, reference, '">', reference, "</a> ", str(escape(case.title)),
                 escalated if case.escalated else "\n          </td>\n",
                 customer, str(escape(case.customer.full_name)),
                 priority, self._shared(case.priority), '">', self._shared(str(priority_label(case.priority))),
                 status, self._shared(case.status.category), '">', self._shared(case.status.name),
                 workgroup, self._shared(case.workgroup.name) if case.workgroup_id else "—",
                 "</td>\n        "]
        if self._show_assignee:
            name = case.assignee.display_name if case.assignee_id else labels["unassigned"]
            parts += [assignee, self._shared(name), "</td>"]
        parts += ["\n", when]
        if self._show_updated:
            parts.append(moments.relative_html(case.updated_at) if case.updated_at is not None else "")
        else:
            opened = case.opened_at
            parts += [opened.isoformat() if opened is not None else "", '">',
                      str(escape(moments.exact(opened))) if opened is not None else "", "</time>"]
        parts.append(target)
        state = sla_state(case, moments.now)
        if state:
            parts += ['<span class="badge sla-', state, ' badge-danger">' if state == "overdue" else '">',
                      str(escape(labels[state])), "</span>"]
            if state != "paused" and case.sla_due is not None:
                parts += [" ", moments.relative_html(case.sla_due)]
        else:
            parts.append("—")
        parts.append("</td>\n        \n      </tr>\n    ")
        return "".join(parts)
