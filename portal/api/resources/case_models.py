"""The JSON shapes of case templates and cases: what the case resources parse and answer. Their
field descriptions are the integrator's reference (they land in the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import pydantic
from pydantic import Field

from portal.api.schemas import Model

Priority = Literal["low", "normal", "high", "urgent"]
Category = Literal["open", "waiting", "resolved", "closed"]
# A custom field's value as sent: text, a number, true/false, or null for "no value".
FieldValue = str | int | float | bool | None
# Strings the API takes are capped well above what any service accepts, so an absurd one is refused
# as a shape error before it is even looked at (the services then apply the real limits).
LONG = 100_000


class Ref(Model):
    """Another resource named by its UUID, with the name people see."""

    id: str = Field(description="The UUID.")
    name: str = Field(description="The display name.")


# --- case templates ----------------------------------------------------------------------------------


class OptionOut(Model):
    value: str = Field(description="What to send (and what cases store) for this option.")
    label: str = Field(description="What people see.")


class TemplateFieldOut(Model):
    key: str = Field(description="The field's stable key: send its value as `fields.<key>`.")
    label: str
    type: Literal["text", "long_text", "number", "date", "select", "boolean", "email", "phone", "url"] = Field(
        description="text: one line; long_text: several lines; number: see number_kind, min and max; date: "
                    "YYYY-MM-DD; select: one of `options[].value`; boolean: true or false; email; phone: "
                    "international (E.164) or national; url: http(s) address.")
    help_text: str = Field(description="The hint shown under the field on the form; may be empty.")
    section: Literal["top", "more"] = Field(description="Where the form shows it: top, or under "
                                                        "\"More information\".")
    position: int = Field(description="Order within its section.")
    required: bool = Field(description="Required whenever it is shown (see also the template's conditions, "
                                       "which can hide it or require it).")
    visibility: Literal["customer", "internal"] = Field(description="internal: staff only (customers never "
                                                                    "see or send it).")
    options: list[OptionOut] = Field(description="For select fields: the options that can be chosen now.")
    pattern: str | None = Field(description="A regular expression the whole value must match, if any.")
    pattern_message: str | None = Field(description="The admin's explanation of the pattern, if any.")
    number_kind: Literal["integer", "decimal"] | None = Field(description="For number fields: whole numbers or "
                                                                         "at most 6 decimal places.")
    min: float | None = Field(description="For number fields: the smallest value allowed.")
    max: float | None = Field(description="For number fields: the largest value allowed.")
    max_length: int | None = Field(description="For text-like fields: the most characters allowed.")


class ConditionOut(Model):
    """Show or require `field` only while `when_field` holds `equals` (a field with show conditions is
    hidden unless one of them holds; a hidden field's value is ignored)."""

    field: str = Field(description="The key of the field the condition acts on.")
    action: Literal["show", "require"]
    when_field: str = Field(description="The key of the field whose value is compared.")
    equals: str = Field(description="The value (as sent: option value, true/false ...) that triggers it.")


class TemplateSummary(Model):
    id: str = Field(description="The template's UUID: send it as `template` to open a case.")
    name: str
    description: str


class ReasonOut(Model):
    id: str = Field(description="Send as `reason`.")
    name: str


class TemplateOut(TemplateSummary):
    asks_asset: bool = Field(description="Whether a case of this template may name one of the customer's "
                                         "products or assets (`asset`).")
    default_priority: Priority
    fields: list[TemplateFieldOut] = Field(description="The custom fields the token's user fills in, in form "
                                                       "order. Besides them every case has `title` (required, one "
                                                       "line), `summary` (required) and an optional `reason`.")
    conditions: list[ConditionOut]
    reasons: list[ReasonOut] = Field(description="The reasons that can be chosen now.")


class TemplateList(Model):
    items: list[TemplateSummary]


# --- cases -------------------------------------------------------------------------------------------


class StatusOut(Model):
    id: str = Field(description="The status's UUID (send it as `status` in a PATCH).")
    name: str
    category: Category = Field(description="What the status means for the case's life: open and waiting cases "
                                           "are worked on, resolved ones await the customer's answer, closed "
                                           "ones take no changes until reopened.")


class CaseSummary(Model):
    id: str = Field(description="The case's UUID.")
    reference: str = Field(description="The 8-digit reference people quote; use it in paths.")
    title: str
    status: StatusOut
    priority: Priority | None = Field(description="Staff only; null for customers and proxies.")
    template: Ref
    customer: Ref = Field(description="The primary customer (a customer profile).")
    workgroup: Ref | None = Field(description="The team handling the case, if any.")
    assignee: Ref | None = Field(description="The staff member handling it; null when unassigned, and always "
                                             "null for customers and proxies.")
    escalated: bool | None = Field(description="Staff only; null for customers and proxies.")
    opened_at: datetime
    updated_at: datetime = Field(description="Changes with every change of the case (comments included).")
    etag: str = Field(description="The case's current version, as the ETag header gives it: send it as If-Match.")


class CaseList(Model):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` (with the same filters) for the next page; "
                                                "null on the last page.")


class FieldValueOut(Model):
    key: str
    label: str
    type: str = Field(description="The field type (see the case template).")
    value: str = Field(description="The stored value: text, a plain number, YYYY-MM-DD, an option value, or "
                                   "true/false.")
    text: str = Field(description="The value as the case page shows it (option label, Yes/No ...).")
    visibility: Literal["customer", "internal"]


class AttachmentOut(Model):
    id: str
    filename: str
    content_type: str = Field(description="Determined from the file's content when it was uploaded.")
    size: int = Field(description="Bytes.")
    internal: bool = Field(description="Files of internal notes: staff only.")


class FeedEntryOut(Model):
    id: str = Field(description="The entry's UUID.")
    kind: str = Field(description="created, comment, internal_note, status_changed, assigned, "
                                  "resolution_proposed, resolution_accepted, resolution_rejected, closed, reopened, "
                                  "escalated, deescalated, workgroup_changed, priority_changed, field_changed, ...")
    internal: bool = Field(description="Internal entries (notes, staff actions) are shown to staff only.")
    actor: Ref | None = Field(description="Who did it; null when done automatically.")
    body: str = Field(description="The comment, note, resolution or reason; may be empty.")
    data: dict | None = Field(description="Details of the change (e.g. from and to); staff only.")
    channel: Literal["web", "api", "email"] = Field(description="How the entry came in (the case's opening and "
                                                                "comments: web, api or email; web otherwise).")
    attachments: list[AttachmentOut]
    created_at: datetime


class CaseOut(CaseSummary):
    summary: str
    reason: Ref | None
    resolution: str = Field(description="The proposed (or, once closed, accepted) resolution; may be empty.")
    resolution_proposed_at: datetime | None
    last_closed_at: datetime | None
    internal_contact: Ref | None = Field(description="The proxy who filed the case for the customer, if any.")
    follow_up_of: str | None = Field(description="The reference of the case this one follows up, if any.")
    channel: Literal["web", "api", "email"] = Field(description="How the case came in: the web portal, this API "
                                                                "or an email.")
    fields: list[FieldValueOut] = Field(description="The custom values the token's user may see (customers: "
                                                    "customer-visible fields only), by key.")
    feed: list[FeedEntryOut] = Field(description="The activity feed, oldest first: public entries for customers "
                                                 "and proxies, everything for staff.")


# --- requests ----------------------------------------------------------------------------------------


class AttachmentIn(Model):
    """A file sent inside the JSON body. Its type is decided by its content (the same checks as uploads on
    the pages: size, count, allowed types); content_type is only a hint."""

    filename: str = Field(min_length=1, max_length=1000, description="The file's name, e.g. photo.jpg.")
    content_type: str | None = Field(default=None, max_length=200,
                                     description="Optional; the stored type is read from the content.")
    content_base64: str = Field(description="The file's bytes, base64-encoded (standard alphabet, padded).")


class CaseCreate(Model):
    template: str = Field(description="The UUID of a template the token's user may use (GET /case-templates).")
    customer: str | None = Field(default=None, description="The customer profile's UUID the case is for. "
                                                           "Required for proxies (a contact of an account) and "
                                                           "staff; customers file for themselves and leave it out.")
    asset: str | None = Field(default=None, description="A product or asset of the customer's account (UUID), "
                                                        "when the template asks_asset.")
    title: str = Field(max_length=LONG)
    summary: str = Field(max_length=LONG)
    reason: str | None = Field(default=None, description="A reason's UUID (see the template's reasons).")
    fields: dict[str, FieldValue] = Field(default_factory=dict, description="Custom values by field key.")
    follow_up_of: str | None = Field(default=None, description="The reference of an earlier case this one follows "
                                                               "up.")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=100)


class CommentCreate(Model):
    text: str = Field(default="", max_length=LONG, description="The comment; may be empty when files are attached.")
    internal: bool = Field(default=False, description="An internal note, never shown to the customer side: staff "
                                                      "only (refused for customers and proxies).")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=100)


class ResolutionIn(Model):
    resolution: str = Field(max_length=LONG, description="The resolution the customer is asked to accept.")


class AcceptIn(Model):
    rating: int | None = Field(default=None, description="Optional satisfaction from 1 to 5.")
    comment: str = Field(default="", max_length=LONG)


class ReasonIn(Model):
    reason: str = Field(default="", max_length=LONG, description="Why; required when rejecting a resolution and "
                                                                 "escalating, optional otherwise.")


class RejectIn(Model):
    reason: str = Field(max_length=LONG, description="Why the resolution does not solve it.")


class EscalateIn(Model):
    reason: str = Field(max_length=LONG, description="Why the case needs escalating.")


class CasePatch(Model):
    """Only the members sent are changed, all in one transaction (all or nothing), as the staff pages
    would change them one after the other."""

    status: str | None = Field(default=None, description="A status UUID; to resolve a case, propose a "
                                                         "resolution instead.")
    priority: Priority | None = None
    assignee: str | None = Field(default=None, description="A staff member's UUID, or null for nobody (back to "
                                                           "the queue). Agents may only assign themselves.")
    workgroup: str | None = Field(default=None, description="Move the case to this workgroup (UUID).")
    title: str | None = Field(default=None, max_length=LONG)
    summary: str | None = Field(default=None, max_length=LONG)
    reason: str | None = Field(default=None, description="A reason's UUID, or null (or \"\") for none.")
    fields: dict[str, FieldValue] | None = Field(default=None, description="Custom values by key; null clears "
                                                                          "one. Keys left out keep their value.")

    @pydantic.field_validator("status", "priority", "workgroup", "title", "summary", "fields")
    @classmethod
    def _not_null(cls, value):
        # Only called for members that were sent: null would mean "no status", which no case has.
        if value is None:
            raise ValueError("must not be null (leave the member out to keep the current value)")
        return value
