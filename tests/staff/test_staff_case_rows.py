"""The staff case table's rows written in Python (portal/staff/case_rows.py) are the markup the Jinja loop
they replace wrote, for every kind of row: escalated or not, with or without workgroup and assignee,
each service-level state, closed, text that must be escaped, an unexpected priority code; with and
without the assignee and "updated" columns; in English and German, and in another time zone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask_login import login_user

from portal.clock import utcnow
from portal.models.cases import Case
from portal.staff import queries
from tests import factories

# The reference the rows are compared with: the Jinja loop as it was (see the file).
JINJA_ROWS = (Path(__file__).parent / "staff_rows_before.html").read_text()


@pytest.fixture
def varied_rows(people, teams):
    """One case of each kind a staff table shows, read as the tables read them."""
    now = utcnow()
    day, hours = timedelta(days=1), timedelta(hours=2)
    customer = factories.user(display_name="Zoë <O'Brien> & \"Co\"")
    made = [
        factories.case(people.customer, template=teams.template, workgroup=teams.desk, title="Plain"),
        factories.case(customer, template=teams.template, workgroup=teams.desk, escalated=True,
                       title='<script>alert("x")</script> & more', assignee=people.agent, priority="urgent"),
        factories.case(people.customer, template=teams.template, title="No workgroup", priority="bogus"),
        factories.case(people.customer, template=teams.template, workgroup=teams.desk, title="Overdue",
                       sla_due=now - hours, resolution_warn_at=now - day),
        factories.case(people.customer, template=teams.template, workgroup=teams.desk, title="At risk",
                       sla_due=now + day, resolution_warn_at=now - hours, assignee=people.agent),
        factories.case(people.customer, template=teams.template, workgroup=teams.desk, title="On track",
                       sla_due=now + day * 3, resolution_warn_at=now + day),
        factories.case(people.customer, template=teams.template, workgroup=teams.desk, title="Paused",
                       sla_due=now + hours, sla_paused=True),
        factories.case(people.customer, template=teams.template, workgroup=teams.desk, title="Closed",
                       status="closed", sla_due=now - day),
        factories.case(people.customer, template=teams.template, workgroup=teams.desk,
                       title="First response answered", sla_due=now + day, first_response_warn_at=now - hours,
                       first_response_at=now - day),
    ]
    Case.update(updated_at=now - timedelta(minutes=5)).where(Case.id == made[0].id).execute()
    ids = [c.id for c in made]
    return list(queries.case_rows().where(Case.id.in_(ids)).order_by(Case.id))


@pytest.mark.parametrize("language,zone", [("en", "UTC"), ("de", "Europe/Berlin")])
@pytest.mark.parametrize("show_assignee,show_updated", [(True, True), (False, False), (True, False)])
def test_rows_are_the_markup_the_jinja_loop_wrote(app, people, varied_rows, language, zone, show_assignee,
                                                  show_updated):
    people.agent.language, people.agent.time_zone = language, zone
    people.agent.save()
    with app.test_request_context("/staff/search?q=x"):
        login_user(people.agent)
        table = app.jinja_env.get_template("staff/_case_table.html").module.case_table
        written = str(table(varied_rows, "Cases", show_assignee=show_assignee, show_updated=show_updated))
        expected = str(app.jinja_env.from_string(JINJA_ROWS).module.case_table(
            varied_rows, show_assignee=show_assignee, show_updated=show_updated))
    body = written[written.index("<tbody>") + len("<tbody>\n    "):written.index("\n    </tbody>")]
    reference = expected[expected.index("\n      <tr>"):]
    assert body == reference
    assert body.count("<tr>") == len(varied_rows)
    for kind in ("sla-overdue badge-danger", "sla-at_risk", "sla-on_track", "sla-paused", "badge-danger"):
        assert kind in body
    assert "&lt;script&gt;" in body and "<script>" not in body and "Zoë &lt;O&#39;Brien&gt;" in body
