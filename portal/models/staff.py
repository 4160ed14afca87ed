"""The staff workspace's own data: follow-up tasks on cases.

Contacts with customers are not a table: they are CaseEvents of kind "contact_logged" (their data
holds channel, direction and time), so they sit in the feed and the audit trail with everything else.
"""

from __future__ import annotations

import peewee

from portal.models.base import BaseModel, UTCDateTimeField, utcnow
from portal.models.base import uuid_field as _uuid
from portal.models.cases import Case
from portal.models.people import User


class CaseTask(BaseModel):
    """Follow-up work on a case. Customer-visible tasks show on the customer's case page as next steps."""

    uuid = _uuid()
    case = peewee.ForeignKeyField(Case, backref="tasks", on_delete="CASCADE")
    title = peewee.CharField(max_length=200)
    assignee = peewee.ForeignKeyField(User, null=True, backref="case_tasks", on_delete="SET NULL")
    due_date = peewee.DateField(null=True)
    status = peewee.CharField(max_length=10, default="open")
    customer_visible = peewee.BooleanField(default=False)
    created_by = peewee.ForeignKeyField(User, null=True, backref="case_tasks_created", on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
    completed_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = (
            (("case", "created_at"), False),
            (("assignee", "status"), False),
        )

    @property
    def is_done(self) -> bool:
        return self.status == "done"

    def __str__(self):
        return self.title


MODELS = [CaseTask]
