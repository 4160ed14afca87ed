"""The staff blueprint. Each module holds the views of one part of the workspace and says which URLs
they answer in its register(); the blueprint is built here from those calls:
- workspace.py     home (my cases, queues, my tasks), the staff search, the supervisor's view
- case_actions.py  the staff actions posted from the case page (take, assign, move, escalate ...)
- tasks.py         adding, editing, completing and reopening tasks
- case_panel.py    what the staff workspace shows on the shared case page (portal.cases.routes.case_page),
                   added as a case page part when the app registers this blueprint
"""

from flask import Blueprint

from portal.cases.routes.case_page import add_case_page_part
from portal.staff.case_rows import StaffRowMarkup, staff_table_labels
from portal.staff.labels import priority_label
from portal.staff.routes import case_actions, case_panel, tasks, workspace

bp = Blueprint("staff", __name__, url_prefix="/staff")
workspace.register(bp)
case_actions.register(bp)
tasks.register(bp)
# A priority's name in the reader's language, for the staff pages and the case page's staff parts.
bp.add_app_template_global(priority_label, "priority_label")
# The staff case table's words and the markup of its rows (templates/staff/_case_table.html).
bp.add_app_template_global(staff_table_labels, "staff_table_labels")
bp.add_app_template_global(StaffRowMarkup, "staff_case_rows")


@bp.record_once
def _add_staff_panel(state) -> None:
    """The staff actions on the shared case page come with this blueprint: the cases side never imports us."""
    add_case_page_part(state.app, case_panel.staff_panel)


__all__ = ["bp"]
