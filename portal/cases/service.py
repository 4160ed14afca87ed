"""Opening cases. Business rules and the transaction live here; every channel calls open_case()."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import peewee

from portal import policy
from portal.case_config.form_builder import validate_case_values
from portal.case_config.queries import audience_for, template_layout, template_offered_to
from portal.case_config.service import system_status
from portal.cases.queries import case_with_details
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, NotAllowed, NotFound
from portal.models.cases import Case, CaseEvent, CaseFieldValue
from portal.models.configuration import CaseTemplate
from portal.models.people import Customer, User


def new_reference() -> str:
    """8 random digits, never starting with 0 (so it reads the same as a number)."""
    return str(10_000_000 + secrets.randbelow(90_000_000))


def open_case(actor: User, template: CaseTemplate, values: Mapping, *, customer: Customer) -> Case:
    """Open a case from a template for a customer.

    Anyone the template is offered to may call it; a customer only for their own profile. Raises
    NotFound (template not offered to actor), NotAllowed (filing for someone else), ValidationFailed
    (the values, one message per form field) or Conflict (no free reference; practically never).
    """
    audience = audience_for(actor)
    if audience is None or not template_offered_to(template, actor):
        raise NotFound()
    if audience == "customer" and customer.user_id != actor.id:
        raise NotAllowed("You can only open cases for yourself.")
    if audience != "customer" and not policy.is_staff(actor) and actor.role != "proxy":
        raise NotAllowed()
    layout = template_layout(template, audience)
    clean = validate_case_values(template, values, audience, layout=layout)
    fields = {p.key: p.field for p in layout.fields}
    now = utcnow()
    with database.atomic():
        case = _create_with_fresh_reference(
            template=template, title=clean.title, summary=clean.summary, reason=clean.reason,
            status=system_status("open"), priority=template.default_priority, customer=customer,
            created_by=actor, internal_contact=actor if actor.role == "proxy" else None,
            workgroup=template.default_workgroup, opened_at=now, updated_at=now,
        )
        rows = [{"case": case, "field": fields[key], "value": value} for key, value in clean.values.items()]
        if rows:
            CaseFieldValue.insert_many(rows).execute()
        CaseEvent.create(case=case, kind="created", actor=actor, public=True, created_at=now,
                         data={"template": template.name, "values": clean.values})
    return case


def _create_with_fresh_reference(**values) -> Case:
    for _ in range(20):
        try:
            with database.atomic():  # a savepoint: a clash rolls back only this attempt
                return Case.create(reference=new_reference(), **values)
        except peewee.IntegrityError:
            continue
    raise Conflict("We could not give the case a reference number. Please try again.")


def case_for_viewer(user: User, reference: str) -> Case:
    """The case with this reference if the user may see it, else NotFound (never NotAllowed)."""
    case = case_with_details(reference)
    if case is None or not policy.can_view_case(user, case):
        raise NotFound()
    return case


