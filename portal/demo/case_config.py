"""Demo case settings: statuses, reasons, fields of every type and five published templates.

Idempotent: whatever exists already (by name or key) is left as it is. Goes through the admin
services, so the demo data obeys the same rules as the admin pages.
"""

from __future__ import annotations

from portal.case_config import service
from portal.case_config.service import FieldInput, TemplateInput
from portal.models.configuration import CaseField, CaseReason, CaseStatus, CaseTemplate
from portal.models.people import User
from portal.models.teams import Workgroup

STATUSES = [
    ("Investigating", "open", "We are looking into it."),
    ("Waiting on customer", "waiting", "We need something from you: please see our last message."),
    ("Escalated", "open", "A specialist team is working on it."),
]
REASONS = ["Something is broken", "Billing or payment", "Change to my account", "Question", "Complaint"]

# key: (label, type, extra field settings, options as (label, value))
FIELDS = {
    "product": ("Product", "select", {"help_text": "The product the case is about."},
                [("Caseport Cloud", "cloud"), ("Caseport On-Premises", "onprem"), ("Mobile app", "mobile"),
                 ("Hardware kit", "hardware")]),
    "severity": ("How bad is it?", "select", {}, [("I cannot work", "blocking"), ("It slows me down", "degraded"),
                                                  ("Small annoyance", "minor")]),
    "error_message": ("Error message", "long_text", {"help_text": "Paste it exactly, if you saw one."}, []),
    "started_on": ("When did it start?", "date", {}, []),
    "affected_users": ("How many people are affected?", "number",
                       {"number_kind": "integer", "min_value": "1", "max_value": "100000"}, []),
    "invoice_number": ("Invoice number", "text",
                       {"pattern": r"INV-\d{6}", "pattern_message": "Invoice numbers look like INV-123456."}, []),
    "amount": ("Amount in question", "number", {"number_kind": "decimal", "min_value": "0"}, []),
    "serial_number": ("Serial number", "text",
                      {"pattern": r"[A-Z]{2}\d{6}", "pattern_message": "Two capitals and six digits, like HK123456.",
                       "help_text": "On the label under the device."}, []),
    "still_under_warranty": ("Is it under warranty?", "boolean", {}, []),
    "delivery_phone": ("Phone for the courier", "phone", {}, []),
    "new_billing_email": ("New billing email", "email", {}, []),
    "company_website": ("Company website", "url", {}, []),
    "membership_number": ("Membership number", "text",
                          {"pattern": r"\d{8}", "pattern_message": "Your membership number has 8 digits."}, []),
    "change_kind": ("What should change?", "select", {}, [("Billing contact", "billing_contact"),
                                                          ("Company name", "company_name"), ("Plan", "plan")]),
    "triage_notes": ("Triage notes", "long_text", {"visibility": "internal",
                                                   "admin_description": "Staff notes from the first look."}, []),
    "refund_approved": ("Refund approved", "boolean", {"visibility": "internal"}, []),
}

ESCALATION_WORKGROUP = "Escalations"
# Templates with the "product" field of their own do not also ask which of the account's registered products
# or assets the case is about (CaseTemplate.asks_asset): nobody is asked for the product twice.
OWN_PRODUCT_FIELD = "product"
# name: (description, default workgroup name, priority, [(key, section, required)], [conditions])
TEMPLATES = {
    "Technical issue": (
        "Something does not work as it should.", "Service desk", "high",
        [("product", "top", True), ("severity", "top", True), ("started_on", "top", False),
         ("affected_users", "more", False), ("error_message", "more", False), ("triage_notes", "more", False)],
        [("error_message", "require", "severity", "blocking")],
    ),
    "Billing question": (
        "Questions about an invoice, a payment or a refund.", "Billing", "normal",
        [("invoice_number", "top", True), ("amount", "top", False), ("refund_approved", "more", False)],
        [],
    ),
    "Replacement request": (
        "A device arrived broken or stopped working.", "Service desk", "normal",
        [("product", "top", True), ("still_under_warranty", "top", True), ("serial_number", "top", False),
         ("delivery_phone", "more", False)],
        [("serial_number", "show", "product", "hardware"), ("delivery_phone", "require", "still_under_warranty",
                                                            "true")],
    ),
    "Account change": (
        "Change your company details, billing contact or plan.", "Service desk", "low",
        [("membership_number", "top", True), ("change_kind", "top", True), ("new_billing_email", "top", False),
         ("company_website", "more", False)],
        [("new_billing_email", "show", "change_kind", "billing_contact")],
    ),
    "General inquiry": ("Anything else you would like to ask us.", "Service desk", "low", [], []),
}


def _admin() -> User | None:
    return User.select().where(User.role == "admin").order_by(User.id).first()


def load_case_settings() -> list:
    admin = _admin()
    if admin is None:
        return []
    for name, category, description in STATUSES:
        if not CaseStatus.select().where(CaseStatus.name == name).exists():
            service.save_status(admin, None, name=name, category=category, customer_description=description)
    for name in REASONS:
        if not CaseReason.select().where(CaseReason.name == name).exists():
            service.save_reason(admin, None, name=name)
    fields = {}
    for key, (label, field_type, extra, options) in FIELDS.items():
        field = CaseField.get_or_none(CaseField.key == key)
        if field is None:
            field = service.save_field(admin, None, FieldInput(label=label, field_type=field_type, key=key, **extra))
            for option_label, value in options:
                service.save_option(admin, field, None, label=option_label, value=value)
        fields[key] = field
    for name, (description, workgroup, priority, placed, conditions) in TEMPLATES.items():
        if CaseTemplate.select().where(CaseTemplate.name == name).exists():
            continue
        template = service.save_template(admin, None, TemplateInput(
            name=name, description=description, default_priority=priority,
            asks_asset=not any(key == OWN_PRODUCT_FIELD for key, _section, _required in placed),
            default_workgroup=Workgroup.get_or_none(Workgroup.name == workgroup),
            escalation_workgroup=Workgroup.get_or_none(Workgroup.name == ESCALATION_WORKGROUP)))
        for key, section, required in placed:
            service.add_template_field(admin, template, fields[key], section=section, required=required)
        for target, action, source, value in conditions:
            service.add_condition(admin, template, target=fields[target], action=action,
                                  source=fields[source], value=value)
        service.publish_template(admin, template)
    return []
