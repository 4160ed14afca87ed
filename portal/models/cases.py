"""The case core: a customer's issue, the custom field values it holds and its activity feed."""

from __future__ import annotations

import peewee

from portal.models.assets import Asset
from portal.models.base import BaseModel, JSONField, UTCDateTimeField, utcnow
from portal.models.base import uuid_field as _uuid
from portal.models.configuration import CaseField, CaseReason, CaseStatus, CaseTemplate
from portal.models.people import Customer, User
from portal.models.teams import Workgroup

# How a case or a comment came in: the web portal, the JSON API or an email (Case.channel, feed entries'
# data["channel"] when not the web).
CASE_CHANNELS = ("web", "api", "email")


class Case(BaseModel):
    uuid = _uuid()
    # Shown to people: 8 random digits, never sequential (it must not reveal how many cases exist).
    reference = peewee.CharField(max_length=8, unique=True)
    template = peewee.ForeignKeyField(CaseTemplate, backref="cases", on_delete="RESTRICT")
    title = peewee.CharField(max_length=200)
    summary = peewee.TextField(default="")
    status = peewee.ForeignKeyField(CaseStatus, backref="cases", on_delete="RESTRICT")
    reason = peewee.ForeignKeyField(CaseReason, null=True, backref="cases", on_delete="SET NULL")
    priority = peewee.CharField(max_length=10, default="normal")
    # indexed with updated_at and id (Meta): a customer's cases in list order
    customer = peewee.ForeignKeyField(Customer, backref="cases", on_delete="RESTRICT", index=False)
    created_by = peewee.ForeignKeyField(User, backref="cases_created", on_delete="RESTRICT")
    # indexed with updated_at, id, template and status (Meta): a proxy's cases in list order, and counted
    internal_contact = peewee.ForeignKeyField(User, null=True, backref="cases_as_contact", on_delete="SET NULL",
                                              index=False)
    assignee = peewee.ForeignKeyField(User, null=True, backref="cases_assigned", on_delete="SET NULL")
    workgroup = peewee.ForeignKeyField(Workgroup, null=True, backref="cases", on_delete="SET NULL")
    escalated = peewee.BooleanField(default=False)
    follow_up_of = peewee.ForeignKeyField("self", null=True, backref="follow_ups", on_delete="SET NULL")
    # The product or asset of the customer's account the case is about (optional).
    asset = peewee.ForeignKeyField(Asset, null=True, backref="cases", on_delete="SET NULL")
    # The resolution awaiting the customer's answer; kept after closing as the case's outcome.
    resolution = peewee.TextField(default="")
    resolution_proposed_at = UTCDateTimeField(null=True)
    resolution_reminded_at = UTCDateTimeField(null=True)
    opened_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)  # indexed with id (Meta): lists show latest update first
    last_closed_at = UTCDateTimeField(null=True)
    # When staff first answered the customer (a public comment); set once, by a conditional write.
    first_response_at = UTCDateTimeField(null=True)
    # The language the case is written in (set when it opens: its customer's, else its filer's): the
    # search index stems its words in it.
    language = peewee.CharField(max_length=16, default="en")
    # How the case came in (CASE_CHANNELS). Reports filter on it.
    channel = peewee.CharField(max_length=10, default="web")
    # Service levels (portal.service_levels.case_targets stores them whenever what they depend on changes):
    # when the customer wrote and the team has not answered since (starts the next-response target).
    awaiting_reply_since = UTCDateTimeField(null=True)
    # Per target: when it is due, when to warn (the policy's share of it), and when the breach job warned and
    # recorded the breach (each set once, by a conditional write, so two schedulers act once).
    first_response_due = UTCDateTimeField(null=True)
    first_response_warn_at = UTCDateTimeField(null=True)
    first_response_warned_at = UTCDateTimeField(null=True)
    first_response_breached_at = UTCDateTimeField(null=True)
    next_response_due = UTCDateTimeField(null=True)
    next_response_warn_at = UTCDateTimeField(null=True)
    next_response_warned_at = UTCDateTimeField(null=True)
    next_response_breached_at = UTCDateTimeField(null=True)
    resolution_due = UTCDateTimeField(null=True)
    resolution_warn_at = UTCDateTimeField(null=True)
    resolution_warned_at = UTCDateTimeField(null=True)
    resolution_breached_at = UTCDateTimeField(null=True)
    # The escalation workgroup's own target (OLA), counted from the escalation.
    ola_due = UTCDateTimeField(null=True)
    ola_warn_at = UTCDateTimeField(null=True)
    ola_warned_at = UTCDateTimeField(null=True)
    ola_breached_at = UTCDateTimeField(null=True)
    # The clock stands still (the status is of a pausing category): the due moments above move on resume.
    sla_paused = peewee.BooleanField(default=False)
    # The earliest due moment of the targets still to be met (lists sort and filter on it; past: overdue),
    # and the earliest moment the breach job has something to do (a warning or a breach not yet acted on).
    sla_due = UTCDateTimeField(null=True, index=True)
    sla_action_at = UTCDateTimeField(null=True, index=True)
    # Business seconds (of the workgroup's calendar) from opening to the first staff answer and to the last
    # closing, stored when they happen (portal.service_levels.elapsed), so reports average them in SQL.
    first_response_business_s = peewee.IntegerField(null=True)
    resolution_business_s = peewee.IntegerField(null=True)
    # The same two spans in calendar seconds (whole seconds), stored beside them so the reports' means and
    # medians read integers from their indexes instead of subtracting two times for every case.
    first_response_s = peewee.IntegerField(null=True)
    resolution_s = peewee.IntegerField(null=True)

    class Meta:
        # The reports read only these indexes (index-only scans): cases opened in a period, closed in a
        # period, and open now per status; each holds every column those reports filter or group on.
        indexes = (
            # Every case list's order, latest update first then the later id: walked in order and stopped
            # at the page. On updated_at alone PostgreSQL sorts every case of an equal update time
            # (a bulk load gave 9,908 one time: 108 ms for a search page instead of 15 ms).
            (("updated_at", "id"), False),
            # A customer's cases in the same order (their dashboard reads the first page of it); also
            # every read by customer alone.
            (("customer", "updated_at", "id"), False),
            # A proxy's cases (those they filed for customers) in list order, and counted by form and status
            # from the index alone (their dashboard, the start of their search); every read by internal_contact.
            (("internal_contact", "updated_at", "id", "template", "status"), False),
            (("opened_at", "workgroup", "template", "status", "last_closed_at", "first_response_at", "channel",
              "first_response_business_s", "first_response_s"), False),
            (("last_closed_at", "status", "workgroup", "template", "assignee", "opened_at", "channel",
              "resolution_business_s", "resolution_s"), False),
            (("status", "template", "workgroup", "escalated", "channel"), False),
            # SLA compliance: the targets due in a period, per workgroup or form, missed or not.
            (("first_response_due", "workgroup", "template", "channel", "first_response_breached_at"), False),
            (("resolution_due", "workgroup", "template", "channel", "resolution_breached_at"), False),
        )

    def __str__(self):
        return f"{self.reference} {self.title}"


class CaseFieldValue(BaseModel):
    """A custom field's value on a case, as its canonical string (ISO date, number, option value, true/false)."""

    case = peewee.ForeignKeyField(Case, backref="field_values", on_delete="CASCADE")
    field = peewee.ForeignKeyField(CaseField, backref="case_values", on_delete="RESTRICT")
    value = peewee.TextField()

    class Meta:
        indexes = ((("case", "field"), True),)


class CaseEvent(BaseModel):
    """One entry in a case's activity feed and audit trail."""

    uuid = _uuid()
    case = peewee.ForeignKeyField(Case, backref="events", on_delete="CASCADE")
    kind = peewee.CharField(max_length=40)
    actor = peewee.ForeignKeyField(User, null=True, backref="case_events", on_delete="SET NULL")
    public = peewee.BooleanField(default=True)
    body = peewee.TextField(default="")
    data = JSONField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        # (kind, created_at): the reports' first responses, rejections and escalations in a date range.
        indexes = ((("case", "created_at"), False), (("kind", "created_at"), False))


class CaseCustomerLink(BaseModel):
    """An additional customer on a case: they see it and are told about it like the primary customer."""

    case = peewee.ForeignKeyField(Case, backref="customer_links", on_delete="CASCADE")
    customer = peewee.ForeignKeyField(Customer, backref="case_links", on_delete="CASCADE")
    added_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("case", "customer"), True),)


class CaseFeedback(BaseModel):
    """The customer's satisfaction when accepting a resolution: an optional 1-5 rating and comment."""

    case = peewee.ForeignKeyField(Case, backref="feedback", on_delete="CASCADE")
    rating = peewee.SmallIntegerField(null=True)
    comment = peewee.TextField(default="")
    given_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow, index=True)


class Attachment(BaseModel):
    """A file on a case, stored under a random name outside static/ (see portal.files.storage)."""

    uuid = _uuid()
    case = peewee.ForeignKeyField(Case, backref="attachments", on_delete="CASCADE")
    event = peewee.ForeignKeyField(CaseEvent, null=True, backref="attachments", on_delete="CASCADE")
    original_name = peewee.CharField(max_length=200)
    stored_name = peewee.CharField(max_length=32, unique=True)
    content_type = peewee.CharField(max_length=120)
    size = peewee.IntegerField()
    sha256 = peewee.CharField(max_length=64)
    # Files on internal notes are staff-only, like the note.
    public = peewee.BooleanField(default=True)
    uploaded_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)


MODELS = [Case, CaseFieldValue, CaseEvent, CaseCustomerLink, CaseFeedback, Attachment]
