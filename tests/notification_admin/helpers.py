"""Small helpers shared by the notification administration tests."""

from __future__ import annotations

from notifier.models import Message, TemplateVersion
from portal.models.configuration import CaseTemplate

EDIT_URL = "/admin/notifications/templates/case_created/email"
SMS_URL = "/admin/notifications/templates/case_created/sms"
ROLES = ["customer", "proxy", "agent", "supervisor", "admin"]
NON_ADMINS = ["customer", "proxy", "agent", "supervisor"]


def case_template(name: str = "Billing") -> CaseTemplate:
    return CaseTemplate.create(name=name, state="published")


def version_count() -> int:
    return TemplateVersion.select().count()


def email_parts(subject="[{{ case_reference }}] {{ case_title }}", text="Hello {{ recipient_name }}", html=""):
    return {"subject": subject, "text": text, "html": html}


def messages(event: str | None = None):
    query = Message.select().order_by(Message.id)
    if event:
        query = query.where(Message.event == event)
    return list(query)
