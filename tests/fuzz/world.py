"""A small but complete world for walking every route: one real object behind every URL variable.

`build_world(app, people)` creates, through the services and factories where rules apply, workgroups,
an account with a contact and an asset, fields of every type on a published template with a
condition, a custom status and reason, cases in every state (open, resolved, closed, escalated),
a task, a file, an outbox message and a captured mail, notification template versions and the
tokens of the public links. `World.values` maps each URL variable name to a real identifier that
the signed-in roles can see (the case is the customer's, filed by the proxy, in the agent's and
the supervisor's workgroup).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

import notifier
from notifier.models import DEAD, CapturedMessage, Message
from portal.accounts.service.tokens import issue_token
from portal.api_tokens.service import issue_token as issue_api_token
from portal.api_tokens.service_accounts import create_service_account
from portal.case_config import service as config_service
from portal.case_config.service import FieldInput
from portal.case_config.service import templates as template_service
from portal.case_config.service.templates import TemplateInput
from portal.clock import utcnow
from portal.db import database
from portal.files import storage
from portal.models.assets import Asset
from portal.models.cases import Attachment, CaseCustomerLink
from portal.models.mfa import RememberedDevice
from portal.models.passkeys import Passkey
from portal.models.people import Customer
from portal.models.sso import SsoIdentity
from portal.models.staff import CaseTask
from portal.notification_preferences.service import unsubscribe_token
from portal.people.rules import Invitation
from portal.people.service import invite_staff
from portal.service_levels.service import CalendarData, save_calendar
from tests import factories

# The smallest file the upload rules accept by content: a PNG signature and an IHDR chunk.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


@dataclass
class World:
    values: dict[str, str]
    # Per endpoint where one variable name means different things (the three kinds of token).
    endpoint_values: dict[tuple[str, str], str]
    # Pages that show forms the main case does not (other case states, other template versions).
    extra_pages: list[str] = field(default_factory=list)
    # The references of the cases by state: "open" (the main one), "resolved", "closed".
    cases: dict[str, str] = field(default_factory=dict)


def _fields(admin):
    """One field of each type, with the limits that make parsing interesting."""
    def make(label, field_type, **extra):
        return config_service.save_field(admin, None, FieldInput(label=label, field_type=field_type, **extra))

    colour = make("Colour", "select")
    for label, value in (("Red", "red"), ("Green", "green")):
        config_service.save_option(admin, colour, None, label=label, value=value)
    return [
        colour,
        make("Units", "number", number_kind="integer", min_value="-5", max_value="1000000"),
        make("Weight", "number", number_kind="decimal", min_value="0.5", max_value="99999.25"),
        make("Bought on", "date"),
        make("Under warranty", "boolean"),
        make("Serial", "text", pattern=r"[A-Z]{2}-\d{4}", pattern_message="Like AB-1234.", max_length="20"),
        make("Details", "long_text", visibility="internal"),
        make("Contact email", "email"),
        make("Call back on", "phone"),
        make("Order page", "url"),
    ]


def _template(admin, desk, experts, fields):
    template = template_service.save_template(admin, None, TemplateInput(
        name="Broken device", default_workgroup=desk, escalation_workgroup=experts))
    for placed in fields:
        template_service.add_template_field(admin, template, placed)
    colour, units = fields[0], fields[1]
    condition = template_service.add_condition(admin, template, target=units, action="require", source=colour,
                                               value="red")
    template_service.publish_template(admin, template)
    return template, condition


def _attachment(app, case, uploader) -> Attachment:
    stored = storage.store(io.BytesIO(PNG), "photo.png", upload_dir=app.config["UPLOAD_DIR"],
                           max_bytes=app.config["UPLOAD_MAX_BYTES"])
    return Attachment.create(case=case, original_name=stored.original_name, stored_name=stored.stored_name,
                             content_type=stored.content_type, size=stored.size, sha256=stored.sha256, public=True,
                             uploaded_by=uploader)


def _message_and_capture(case, to_address):
    with database.atomic():
        notifier.enqueue("test_message", [notifier.Recipient("email", to_address, name="Someone")],
                         {"user_name": "Someone", "portal_name": "Caseport"}, key="walk-1", topic=case.reference)
    message = Message.get(Message.key == "walk-1")
    Message.update(status=DEAD, last_error="550 no such user").where(Message.id == message.id).execute()
    capture = CapturedMessage.create(message_uuid=message.uuid, channel="email", to_address=to_address,
                                     from_address="portal@example.com", subject="Hello", text="Hello there",
                                     html="<p>Hello there</p>", captured_at=utcnow())
    return message, capture


def _template_version(admin) -> tuple[str, str, int]:
    """A saved version of the case_created email and text message (the current text again), so
    versions can be shown and restored: one number names a version on both channels."""
    from portal.notification_admin import queries, service

    numbers = set()
    for channel in ("email", "sms"):
        target = queries.slot(admin, "case_created", channel)
        parts, _ = queries.current_parts(admin, target)
        numbers.add(service.save_template(admin, target, {part: parts.get(part, "") for part in target.parts}).number)
    (number,) = numbers
    return "case_created", "email", number


def _webhook_endpoint(admin):
    """An endpoint with one queued delivery (a test event), for the webhook pages' URL variables."""
    from notifier.channels.webhook import new_secret
    from portal.models.webhooks import WebhookEndpoint
    from portal.webhooks.deliveries import enqueue_test

    endpoint = WebhookEndpoint.create(url="https://hooks.example.com/caseport", event_types=["case.created"],
                                      secret=new_secret(), created_by=admin)
    with database.atomic():
        webhook_id = enqueue_test(endpoint, utcnow())
    # A paused one, whose page has the resume button.
    paused = WebhookEndpoint.create(url="https://hooks.example.com/paused", secret=new_secret(), created_by=admin,
                                    paused_at=utcnow(), paused_reason="paused by an administrator")
    return endpoint, paused, Message.get(Message.key == f"test:{webhook_id}")


def _held_mail():
    """A received email held for staff (the inbound mail queue's pages)."""
    from portal.models.mail_in import InboundMessage

    raw = (b"From: Stranger <stranger@example.org>\r\nTo: cases@example.com\r\nSubject: Help\r\n"
           b"Message-ID: <held-1@example.org>\r\n\r\nPlease help.\r\n")
    return InboundMessage.create(message_id="held-1@example.org", sha256="0" * 64, raw=raw, size=len(raw),
                                 received_at=utcnow(), sender="stranger@example.org", subject="Help", state="held",
                                 outcome_state="held", outcome_reason="no_case")


def build_world(app, people) -> World:
    admin = people.admin
    desk = factories.workgroup(people.agent, people.supervisor, admin, name="Service desk")
    # Eve is in another team, so the service desk's page offers to add her (the add-member form).
    experts = factories.workgroup(factories.user(role="agent", email="eve@example.com", display_name="Eve Expert"),
                                  name="Experts")
    account = factories.account(name="Northwind", account_number="ACC-10041")
    own_profile = Customer.get(Customer.user == people.customer)
    own_profile.account = account
    own_profile.is_account_manager = True  # so the colleagues page and its invitation form exist
    own_profile.save()
    contact = factories.customer(first_name="Maria", account=account)
    asset = Asset.create(account=account, name="Printer", identifier="SN-1")
    fields = _fields(admin)
    template, condition = _template(admin, desk, experts, fields)
    status = config_service.save_status(admin, None, name="Waiting for parts", category="waiting",
                                      customer_description="We wait for a part.")
    reason = config_service.save_reason(admin, None, name="Hardware fault")
    calendar = save_calendar(admin, None, CalendarData(name="Office hours", time_zone="Europe/Berlin",
                                                       hours=["09:00-12:00, 13:00-17:00"] * 5 + ["", ""]))

    def case(state, **overrides):
        values = {"template": template, "workgroup": desk, "internal_contact": people.proxy, "asset": asset,
                  **overrides}
        return factories.case(people.customer, status=state, **values)

    main = case("open", title="Printer jams")
    CaseCustomerLink.create(case=main, customer=contact, added_by=people.agent)
    resolved = case("resolved", title="Scanner", resolution="Replaced the roller.",
                    resolution_proposed_at=utcnow() - timedelta(hours=1))
    closed = case("closed", title="Old fax", last_closed_at=utcnow() - timedelta(hours=2))
    escalated = case("open", title="Smoke", escalated=True, workgroup=experts)
    escalated_for_desk = case("open", title="Noise", escalated=True, assignee=people.agent)
    task = CaseTask.create(case=main, title="Call back", assignee=people.agent, created_by=people.agent)
    attachment = _attachment(app, main, people.customer)
    message, capture = _message_and_capture(main, people.agent.email)
    event, channel, number = _template_version(admin)
    endpoint, paused_endpoint, delivery = _webhook_endpoint(admin)
    from portal.models.inbound_addresses import InboundAddress

    inbound = InboundAddress.create(address="support@example.com", case_template=template, workgroup=desk)

    reset_token = issue_token(people.other_customer, "password_reset", 60, now=utcnow())
    invitee = invite_staff(admin, Invitation(email="ivy@example.com", display_name="Ivy Invited", role="agent"))
    invitation_token = issue_token(invitee, "invitation", 60, now=utcnow())
    verify_token = issue_token(people.other_customer, "email_verification", 60, now=utcnow())
    api_token, _secret = issue_api_token(people.agent, people.agent, name="CI", scopes=["cases:read"], days=30)
    create_service_account(admin, name="IVR", role="agent")  # so the admins' token form shows
    # A passkey behind <passkey_uuid> (portal/passkeys), of a user nobody walks as: a walker with one would
    # sign in in two steps. Its rename and remove forms show only on its owner's page (tests/passkeys).
    passkey = Passkey.create(user=people.other_customer, credential_id="d29ybGQtcGFzc2tleQ", public_key="AA",
                             name="World key")
    device = RememberedDevice.create(user=people.agent, token_hash="0" * 64,  # portal/mfa: forgetting it
                                     expires_at=utcnow() + timedelta(days=1))
    # So the agent's admin page offers to unlink it (portal/people/service/sign_in_methods.py).
    SsoIdentity.create(user=people.agent, issuer="https://idp.example.com", subject="agent-7", provider="corp")
    held_mail = _held_mail()
    values = {
        "reference": main.reference,
        "attachment_uuid": attachment.uuid,
        "customer_uuid": contact.uuid,
        "account_uuid": account.uuid,
        "asset_uuid": asset.uuid,
        "workgroup_uuid": desk.uuid,
        "user_uuid": people.agent.uuid,
        "template_uuid": template.uuid,
        "field_uuid": fields[0].uuid,
        "option_uuid": fields[0].options.first().uuid,
        "condition_uuid": condition.uuid,
        "status_uuid": status.uuid,
        "reason_uuid": reason.uuid,
        "calendar_uuid": calendar.uuid,
        "task_uuid": task.uuid,
        "token_uuid": api_token.uuid,
        "message_uuid": str(message.uuid),
        "capture_uuid": str(capture.uuid),
        "event": event,
        "channel": channel,
        "number": number,
        "filename": "css/caseport.css",
        "endpoint_uuid": endpoint.uuid,
        "passkey_uuid": passkey.uuid,
        "device_uuid": device.uuid,
        "inbound_uuid": held_mail.uuid,
        "address_uuid": inbound.uuid,
        "key": "corp",  # an identity provider's key (portal/sso); none is configured here: 404
    }
    endpoint_values = {
        ("accounts.reset_password", "token"): reset_token,
        ("accounts.verify_email_form", "token"): verify_token,
        ("accounts.verify_email", "token"): verify_token,
        ("people.accept_invitation", "token"): invitation_token,
        ("admin.user_invitation", "user_uuid"): invitee.uuid,
        ("webhooks.redeliver", "message_uuid"): str(delivery.uuid),
        ("api.get_attachment", "attachment"): attachment.uuid,  # the API's file download
        ("notification_preferences.unsubscribe", "token"): unsubscribe_token(people.customer.uuid, "case_created"),
        ("notification_preferences.unsubscribe_now", "token"):
            unsubscribe_token(people.customer.uuid, "case_created"),
    }
    extra = [f"/cases/{c.reference}" for c in (resolved, closed, escalated, escalated_for_desk)]
    extra += [
        f"/cases/{main.reference}?link_q=Maria",  # the search that offers the link-customer form
        f"/cases/new/{template.uuid}?customer={contact.uuid}&account={account.uuid}&asset={asset.uuid}",
        f"/admin/users/{invitee.uuid}",  # the send-the-invitation-again button
        f"/admin/webhooks/{paused_endpoint.uuid}",  # the resume button
    ]
    return World(values=values, endpoint_values=endpoint_values, extra_pages=extra,
                 cases={"open": main.reference, "resolved": resolved.reference, "closed": closed.reference})
