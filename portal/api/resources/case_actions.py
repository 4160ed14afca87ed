"""Comments and the life of a case through the API: propose, accept and reject a resolution, close,
reopen, escalate and de-escalate, each the same service call as the button on the case page
(portal.cases.service.conversation and lifecycle, portal.staff.service.handling).

Each takes an optional If-Match (412 when the case changed since that version, checked in the change's
own transaction: portal.api.resources.case_writes) and answers with the case and its new ETag."""

from __future__ import annotations

from flask_login import current_user

from portal import policy
from portal.api.framework import Reply, operation
from portal.api.resources.case_models import (
    AcceptIn,
    CaseOut,
    CommentCreate,
    EscalateIn,
    ReasonIn,
    RejectIn,
    ResolutionIn,
)
from portal.api.resources.case_writes import ETAG_HEADER, api_field_names, case_for_change, changed, uploads
from portal.cases.service import conversation, lifecycle
from portal.errors import NotAllowed
from portal.i18n import _l
from portal.staff.service import handling

NOTES_FOR_STAFF = _l("Only the team handling a case can write internal notes.")
IF_MATCH = (412, 204)  # 204: the change took the case out of sight (see case_writes.changed)


@operation("/cases/<reference>/comments", "POST", scope="cases:write", tag="Case actions", body=CommentCreate,
           response=CaseOut, status=201, errors=IF_MATCH, headers=ETAG_HEADER,
           summary="Comment on a case, with files")
def add_comment(reference: str, body: CommentCreate) -> Reply:
    """A public comment (both sides) or, for staff, an internal note (`internal: true`, never shown to
    the customer side; refused with 403 for customers and proxies rather than posted publicly). Files go
    in `attachments` as base64 and pass the same checks as uploads on the pages: at most
    UPLOAD_MAX_FILES files of at most UPLOAD_MAX_BYTES each, of an allowed type decided by content.
    The same people are notified as for a comment on the page. 409 on a closed case. Answers with the
    case; the new entry is the last of its feed."""
    with case_for_change(reference, required=False) as case, api_field_names():
        if body.internal and not policy.can_write_internal_note(current_user, case):
            raise NotAllowed(NOTES_FOR_STAFF)
        conversation.add_comment(current_user, case, body.text, public=not body.internal,
                                 uploads=uploads(body.attachments), channel="api")
    return changed(case.reference, 201)


@operation("/cases/<reference>/resolution", "POST", scope="cases:write", tag="Case actions", body=ResolutionIn,
           response=CaseOut, errors=IF_MATCH, headers=ETAG_HEADER, summary="Propose a resolution (staff)")
def propose_resolution(reference: str, body: ResolutionIn) -> Reply:
    """The case becomes Resolved and the customer side is asked to accept or reject the resolution (they
    are notified). Proposing another text replaces a pending one; the same text again is 409."""
    with case_for_change(reference, required=False) as case, api_field_names():
        lifecycle.propose_resolution(current_user, case, body.resolution)
    return changed(case.reference)


@operation("/cases/<reference>/resolution/accept", "POST", scope="cases:write", tag="Case actions", body=AcceptIn,
           response=CaseOut, errors=IF_MATCH, headers=ETAG_HEADER,
           summary="Accept the proposed resolution (customer side)")
def accept_resolution(reference: str, body: AcceptIn) -> Reply:
    """The customer or the proxy who filed the case accepts the pending resolution: the case closes, with an
    optional 1-5 rating and remark. Send If-Match to be sure the resolution accepted is the one you read
    (412 if the team changed it since). 403 for staff, 409 when no resolution is pending."""
    with case_for_change(reference, required=False) as case, api_field_names():
        lifecycle.accept_resolution(current_user, case, rating=body.rating, comment=body.comment)
    return changed(case.reference)


@operation("/cases/<reference>/resolution/reject", "POST", scope="cases:write", tag="Case actions", body=RejectIn,
           response=CaseOut, errors=IF_MATCH, headers=ETAG_HEADER,
           summary="Reject the proposed resolution (customer side)")
def reject_resolution(reference: str, body: RejectIn) -> Reply:
    """The customer side rejects the pending resolution with a reason: the case is open again and its
    handlers are told. 403 for staff, 409 when no resolution is pending."""
    with case_for_change(reference, required=False) as case, api_field_names():
        lifecycle.reject_resolution(current_user, case, body.reason)
    return changed(case.reference)


@operation("/cases/<reference>/close", "POST", scope="cases:write", tag="Case actions", body=ReasonIn,
           response=CaseOut, errors=IF_MATCH, headers=ETAG_HEADER, summary="Close a case")
def close_case(reference: str, body: ReasonIn) -> Reply:
    """Anyone who may see the case closes it (the customer side when it is no longer needed), with an
    optional reason. 409 when it is already closed."""
    with case_for_change(reference, required=False) as case, api_field_names():
        lifecycle.close_case(current_user, case, body.reason)
    return changed(case.reference)


@operation("/cases/<reference>/reopen", "POST", scope="cases:write", tag="Case actions", body=ReasonIn,
           response=CaseOut, errors=IF_MATCH, headers=ETAG_HEADER, summary="Reopen a closed case")
def reopen_case(reference: str, body: ReasonIn) -> Reply:
    """Staff reopen a closed case at any time, the customer side within the reopening window after it was
    closed (later: 409, open a follow-up case with `follow_up_of`)."""
    with case_for_change(reference, required=False) as case, api_field_names():
        lifecycle.reopen_case(current_user, case, body.reason)
    return changed(case.reference)


@operation("/cases/<reference>/escalate", "POST", scope="cases:write", tag="Case actions", body=EscalateIn,
           response=CaseOut, errors=IF_MATCH, headers=ETAG_HEADER, summary="Escalate a case (staff)")
def escalate_case(reference: str, body: EscalateIn) -> Reply:
    """Moves the case to its template's escalation workgroup with a required reason and marks it
    escalated; the assignee stays only if a member there; that workgroup and its supervisors are told.
    409 when already escalated or the template has no escalation workgroup."""
    with case_for_change(reference, required=False) as case, api_field_names():
        handling.escalate_case(current_user, case, body.reason)
    return changed(case.reference)


@operation("/cases/<reference>/deescalate", "POST", scope="cases:write", tag="Case actions", body=ReasonIn,
           response=CaseOut, errors=IF_MATCH, headers=ETAG_HEADER, summary="Send an escalated case back (staff)")
def deescalate_case(reference: str, body: ReasonIn) -> Reply:
    """Sends an escalated case back to its template's default workgroup, with an optional reason."""
    with case_for_change(reference, required=False) as case, api_field_names():
        handling.deescalate_case(current_user, case, body.reason)
    return changed(case.reference)
