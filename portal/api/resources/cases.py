"""GET /cases/{reference}, POST /cases (open one) and PATCH /cases/{reference} (staff changes): the
same services and policy as the case pages and the staff workspace."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from portal import policy
from portal.api.framework import Reply, operation
from portal.api.resources.case_models import CaseCreate, CaseOut, CasePatch
from portal.api.resources.case_reads import case_out, etag_of, find_case
from portal.api.resources.case_writes import (
    ETAG_HEADER,
    api_field_names,
    case_for_change,
    changed,
    raw_values,
    uploads,
)
from portal.api.resources.templates import offered_template
from portal.case_config.queries import audience_for, template_layout
from portal.cases.queries.case_page import attachment_for_viewer, follow_up_source
from portal.cases.service import lifecycle, opening
from portal.clock import utcnow
from portal.errors import NotFound, ValidationFailed
from portal.i18n import _l
from portal.identifiers import parse_uuid
from portal.models.cases import Case
from portal.models.people import Customer
from portal.staff.service import details, handling
from portal.web_helpers import file_download

CHOOSE_TEMPLATE = _l("Choose one of the case templates offered to you.")
# The new-case form's words (portal.cases.routes.filing): one translation for both.
CHOOSE_CUSTOMER = _l("Choose the customer the case is for.")
NO_PROFILE = _l("Your sign-in is not linked to a customer profile yet, so we cannot open a case for you. "
                "Please contact us and we will link it.")
UNKNOWN_FOLLOW_UP = _l("We could not find that case. Check the reference.")


@operation("/cases/<reference>", "GET", scope="cases:read", tag="Cases", response=CaseOut,
           headers={"ETag": "The case's current version: send it as If-Match when you change the case."},
           summary="Get a case with its values and feed")
def get_case(reference: str) -> Reply:
    """The case by its 8-digit reference (or UUID), as its case page shows it to the token's user: custom
    values (customer-visible ones only for customers and proxies) and the activity feed (public entries
    for the customer side, everything for staff). 404 for a case the user may not see.

    The ETag header (also the `etag` member) names the case's version; it changes with every change of
    the case, comments included. Send it as If-Match with a change: PATCH requires it, the other changes
    take it optionally. ETags are strong: a weak one (W/"...") never matches."""
    case = find_case(current_user, reference)
    return Reply(case_out(case, current_user), headers={"ETag": etag_of(case)})


@operation("/cases/<reference>/attachments/<attachment>", "GET", scope="cases:read", tag="Cases", file=True,
           headers={"Content-Disposition": "attachment; filename=... (the name it was uploaded under)"},
           summary="Download an attachment")
def get_attachment(reference: str, attachment: str) -> Response:
    """The bytes of a file of the case, by its id (`attachments[].id` in the case's feed), with the content
    type determined from its content when it was uploaded, always as an attachment. Files of internal notes
    are for staff only; 404 for a case or file the token's user may not see."""
    case = find_case(current_user, reference)
    found = attachment_for_viewer(case, current_user, attachment)
    response = file_download(found) if found is not None else None
    if response is None:
        raise NotFound()
    return response


def _customer_for(body: CaseCreate) -> str:
    """Whom the case is for: customers file for their own profile unless they name another one (which
    the service refuses, as the page does); proxies and staff must name someone."""
    if body.customer:
        return body.customer
    if audience_for(current_user) == "customer":
        own = Customer.get_or_none(Customer.user == current_user.id)
        if own is None:
            raise ValidationFailed(NO_PROFILE, {"customer": NO_PROFILE})
        return own.uuid
    raise ValidationFailed(CHOOSE_CUSTOMER, {"customer": CHOOSE_CUSTOMER})


@operation("/cases", "POST", scope="cases:write", tag="Cases", body=CaseCreate, response=CaseOut, status=201,
           errors=(204,), headers={"Location": "The new case's address.", **ETAG_HEADER},
           summary="Open a case from a template")
def open_case(body: CaseCreate) -> Reply:
    """Opens a case as the new-case form does, through the same service: the template must be offered to
    the token's user, the values are checked by the template's rules (problems come back as 422 with
    `error.fields` naming `title`, `summary`, `reason`, `fields.<key>`, `customer`, `asset` or
    `attachments`), and the same people are notified. Proxies open cases for contacts of an account
    (`customer`) and become the case's internal contact; staff for any customer; customers for
    themselves. Attachments are checked like uploads on the pages (size, number, type by content).
    Staff who may not see the case they opened (not in its workgroup) get 204 with its Location."""
    try:
        template = offered_template(body.template)
    except NotFound:
        raise ValidationFailed(CHOOSE_TEMPLATE, {"template": CHOOSE_TEMPLATE}) from None
    follow_up = None
    if body.follow_up_of:
        follow_up = follow_up_source(current_user, body.follow_up_of)
        if follow_up is None:
            raise ValidationFailed(UNKNOWN_FOLLOW_UP, {"follow_up_of": UNKNOWN_FOLLOW_UP})
    target = opening.filing_target(current_user, customer_uuid=_customer_for(body), asset_uuid=body.asset)
    layout = template_layout(template, audience_for(current_user))
    raw = {"title": body.title, "summary": body.summary, "reason": body.reason or "",
           **raw_values(body.fields, layout)}
    with api_field_names():
        case = opening.open_case(current_user, template, raw, customer=target.customer, asset=target.asset,
                                 files=uploads(body.attachments), follow_up_of=follow_up, layout=layout,
                                 channel="api")
    return changed(case.reference, 201, {"Location": f"/api/v1/cases/{case.reference}"})


def _details_changed(case: Case, body: CasePatch, sent: set[str], current: dict[str, str]) -> dict | None:
    """The raw input of the details service (everything as it is, the sent members over it), or None
    when the sent title, summary, reason and values are what the case holds already."""
    own = details.details_form_data(case, current)
    raw = dict(own)
    for name in ("title", "summary"):
        if name in sent:
            raw[name] = getattr(body, name)
    if "reason" in sent:
        raw["reason"] = body.reason or ""
    if "fields" in sent:
        layout = template_layout(case.template, "staff")
        raw.update(raw_values(body.fields, layout))
    same = all((raw.get(name) or "") == (own.get(name) or "") for name in raw)
    return None if same else raw


@operation("/cases/<reference>", "PATCH", scope="cases:write", tag="Cases", body=CasePatch, response=CaseOut,
           errors=(412, 428, 204), headers=ETAG_HEADER, summary="Change a case (staff)")
def patch_case(reference: str, body: CasePatch) -> Reply:
    """Staff change a case as on the staff case page, through the same services and rules: move it to
    another workgroup, assign it (agents may only take it: assign themselves), change its status or
    priority, edit title, summary, reason and custom values. Only the members sent are changed, in
    that order, all in one transaction: if one is refused nothing is changed. A member that already
    has the sent value is left alone (no error, no feed entry).

    Requires If-Match with the case's ETag (428 without it, 412 when the case changed since), so two
    systems cannot overwrite each other's changes unseen. 403 for customers and proxies."""
    sent = set(body.model_fields_set)

    def same(sent_uuid: str | None, row) -> bool:
        return (parse_uuid(sent_uuid) or sent_uuid or None) == (row.uuid if row is not None else None)

    with case_for_change(reference, required=True) as case, api_field_names():
        policy.require(policy.can_handle_case, current_user, case, message=policy.STAFF_ONLY)
        now = utcnow()
        if "workgroup" in sent and not same(body.workgroup, case.workgroup if case.workgroup_id else None):
            handling.move_case(current_user, case, body.workgroup, now=now)
        if "assignee" in sent and not same(body.assignee, case.assignee if case.assignee_id else None):
            handling.assign_case(current_user, case, body.assignee or "", now=now)
        if "status" in sent and not same(body.status, case.status):
            lifecycle.change_status(current_user, case, body.status, now=now)
        if "priority" in sent and body.priority != case.priority:
            handling.set_priority(current_user, case, body.priority, now=now)
        if sent & {"title", "summary", "reason", "fields"}:
            raw = _details_changed(case, body, sent, details.current_values(case))
            if raw is not None:
                details.edit_case_details(current_user, case, raw, now=now)
    return changed(case.reference)
