"""What each notification event is, and the variables its templates may use.

The events are the folders of templates/notifications/ and each variable list matches that folder's
variables.txt (a test checks both ways). The example values are the sample data of previews and of
"send a test to me", so they must be plausible and render every default template.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.i18n import _l

SECURITY_EVENTS = frozenset(("password_reset", "email_verification", "signup_existing_account", "invitation"))


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    example: object


@dataclass(frozen=True)
class Event:
    name: str
    title: str
    description: str
    variables: tuple[Variable, ...]

    @property
    def security(self) -> bool:
        """Security mail is always sent and carries no unsubscribe link."""
        return self.name in SECURITY_EVENTS

    @property
    def variable_names(self) -> list[str]:
        return [variable.name for variable in self.variables]

    def sample_context(self) -> dict:
        return {variable.name: variable.example for variable in self.variables}


def _v(name: str, description: str, example) -> Variable:
    return Variable(name, description, example)


CASE_VARIABLES = (
    _v("recipient_name", _l("The name of the person this message goes to."), "Cora Customer"),
    _v("case_reference", _l("The case's 8-digit reference."), "40213377"),
    _v("case_title", _l("The case title as filed."), "Printer shows error E42"),
    _v("case_type", _l("The case template (type) the case was filed with."), "Technical issue"),
    _v("case_status", _l("The case's status as customers see it."), "In progress"),
    _v("case_status_meaning", _l("A sentence explaining that status."), "Someone is working on your case."),
    _v("opened_at", _l("When the case was opened, in the recipient's time zone."), "3 Mar 2025, 09:14"),
    _v("updated_at", _l("When the case last changed, in the recipient's time zone."), "4 Mar 2025, 16:02"),
    _v("customer_name", _l("The customer the case is about."), "Cora Customer"),
    _v("team_name", _l("The workgroup handling the case (empty when none)."), "Service desk"),
    _v("case_url", _l("Link to the case page in the portal."), "https://portal.example.com/cases/40213377"),
)
AUTHOR = _v("author_name", _l("Who wrote the comment or took the action."), "Aga Agent")
COMMENT = _v("comment", _l("The text of the comment."), "Could you send a photo of the display?")
RESOLUTION = _v("resolution", _l("The proposed or final resolution."), "We replaced the fuser unit.")
RESPOND_URL = _v("respond_url", _l("Link where the customer accepts or rejects the resolution."),
                 "https://portal.example.com/cases/40213377#respond")
REASON = _v("reason", _l("The reason the person gave."), "The error came back this morning.")
PRIORITY = _v("priority", _l("The case's priority."), "High")
FOR_STAFF = _v("for_staff", _l("True in the message to a member of staff, false in the customer side's."), False)
SLA_TARGET = _v("target", _l("Which service-level target: first response, next response, resolution or the "
                              "escalation workgroup's target."), "First response")
SLA_DUE = _v("due_at", _l("When the target is (or was) due, in the recipient's time zone."), "4 Mar 2025, 17:00")
CHANGED_BY = _v("changed_by", _l("The staff member who changed the status."), "Aga Agent")
USER_NAME = _v("user_name", _l("The account holder's name."), "Cora Customer")
EXPIRES = _v("expires_in_minutes", _l("How many minutes the link stays valid."), 60)

_EVENTS = (
    Event("case_created", _l("Case created"),
          _l("A case was opened, by the customer, a proxy on their behalf or an agent: whoever filed it gets a "
          "receipt, and the customer side is told when someone else filed it for them."),
          (*CASE_VARIABLES,
           _v("filed_by", _l("Who filed the case."), "Pia Proxy"),
           _v("on_behalf", _l("True when someone filed the case on the customer's behalf."), False),
           _v("you_filed", _l("True in the receipt to the person who filed the case themselves."), True),
           _v("expected_answer", _l("When the team aims to answer, in the recipient's time zone (empty when the "
                                    "case type has no response target)."), "Tue, Dec 3, 17:00 CET"),
           _v("team_back_at", _l("When the team is back at work, if it is not at work as the case opens (else "
                                 "empty)."), "Mon, Dec 2, 09:00 CET"))),
    Event("case_opened_for_team", _l("New case for the team"),
          _l("A case was opened: the workgroup it landed in hears of it (or its assignee, when it was filed "
          "already assigned). The staff-side text, with what they need to pick it up."),
          (*CASE_VARIABLES, PRIORITY,
           _v("case_summary", _l("The summary as filed (the first 2,000 characters)."),
              "Every third page jams in tray 2 since the toner change."),
           _v("filed_by", _l("Who filed the case: the customer, a proxy or a member of staff."), "Pia Proxy"),
           _v("assignee_name", _l("Who the case is assigned to (empty while it waits in the queue)."), ""))),
    Event("case_replied", _l("Staff replied"),
          _l("A staff member added a public comment to the case."),
          (*CASE_VARIABLES, AUTHOR, COMMENT)),
    Event("case_customer_commented", _l("Customer commented"),
          _l("The customer (or someone on their side) added a comment to the case."),
          (*CASE_VARIABLES, AUTHOR, COMMENT)),
    Event("case_waiting", _l("Case waiting on the customer"),
          _l("Staff moved the case to a status of the “waiting” category (on the customer or someone "
          "else): the customer side is told what that status means and sees the team's latest public reply."),
          (*CASE_VARIABLES, CHANGED_BY,
           _v("latest_reply", _l("The team's latest public reply on the case (empty when there is none; the "
                              "first 2,000 characters)."), "Could you send a photo of the display?"),
           _v("latest_reply_by", _l("Who wrote that reply (empty when there is none)."), "Aga Agent"))),
    Event("case_status_changed", _l("Status changed"),
          _l("Staff changed the case's status with the status picker (every status, admin-defined ones "
          "included). Off by default: the changes people need have their own events, and nobody gets "
          "this one as well for the same change."),
          (*CASE_VARIABLES, CHANGED_BY,
           _v("from_status", _l("The status before the change."), "Open"),
           _v("to_status", _l("The status after the change."), "Waiting on supplier"), FOR_STAFF)),
    Event("case_resolution_proposed", _l("Resolution proposed"),
          _l("Staff proposed a resolution; the customer is asked to accept or reject it."),
          (*CASE_VARIABLES, AUTHOR, RESOLUTION, RESPOND_URL)),
    Event("case_resolution_reminder", _l("Resolution reminder"),
          _l("The customer has not answered a proposed resolution; the case closes on its own soon."),
          (*CASE_VARIABLES, RESOLUTION, RESPOND_URL,
           _v("closes_on", _l("The date the case closes without an answer."), "11 Mar 2025"))),
    Event("case_resolution_accepted", _l("Resolution accepted"),
          _l("The customer accepted the proposed resolution, so the case is closed: the team hears of it "
          "with the customer's rating and remark."),
          (*CASE_VARIABLES, AUTHOR, RESOLUTION,
           _v("rating", _l("The customer's satisfaction from 1 to 5 (0 when they gave none)."), 4),
           _v("remark", _l("What the customer wrote when accepting (empty when nothing)."),
              "Quick and friendly, thanks!"))),
    Event("case_resolution_rejected", _l("Resolution rejected"),
          _l("The customer rejected the proposed resolution."),
          (*CASE_VARIABLES, AUTHOR, REASON)),
    Event("case_reopened", _l("Case reopened"),
          _l("A closed or resolved case was opened again."),
          (*CASE_VARIABLES, AUTHOR, REASON)),
    Event("case_closed", _l("Case closed"),
          _l("The case was closed, with its resolution: the customer side is told, and the assignee when "
          "someone else closed it (an accepted resolution tells them through “Resolution accepted”)."),
          (*CASE_VARIABLES,
           _v("closed_by", _l("Who closed the case."), "Aga Agent"),
           RESOLUTION, FOR_STAFF)),
    Event("case_assigned", _l("Case assigned"),
          _l("A case was assigned: the new assignee hears who gave it to them; the customer that the team is "
          "handling it (the team name and the assignee's display name only)."),
          (*CASE_VARIABLES,
           _v("assignee_name", _l("The display name of the staff member now handling the case."), "Aga Agent"),
           _v("for_assignee", _l("True in the message to the assignee, false in the one to the customer."), True),
           _v("assigned_by", _l("Who assigned the case (empty in the customer's message)."), "Sue Supervisor"),
           _v("priority", _l("The case's priority."), "High"))),
    Event("case_escalated", _l("Case escalated"),
          _l("A case was escalated to its type's escalation workgroup; its members and supervisors are told."),
          (*CASE_VARIABLES,
           _v("reason", _l("Why the case was escalated."), "Third outage this month; needs an engineer."),
           _v("escalated_by", _l("Who escalated the case."), "Aga Agent"),
           _v("from_team", _l("The workgroup the case came from (empty when none)."), "Service desk"),
           _v("priority", _l("The case's priority."), "Urgent"))),
    Event("sla_warning", _l("Service-level target at risk"),
          _l("A case reached the warning share of a service-level target (first response, next response, "
          "resolution, or the escalation workgroup's own target): its assignee is told, or its workgroup while "
          "nobody is assigned."),
          (*CASE_VARIABLES, SLA_TARGET, SLA_DUE, PRIORITY)),
    Event("sla_breached", _l("Service-level target missed"),
          _l("A case missed a service-level target: its assignee (or its workgroup) and the supervisors are told; "
          "the case is escalated to its type's escalation workgroup, which hears of that too."),
          (*CASE_VARIABLES, SLA_TARGET, SLA_DUE, PRIORITY)),
    Event("task_assigned", _l("Task assigned"),
          _l("A follow-up task on a case was given to a member of staff."),
          (*CASE_VARIABLES, _v("task_title", _l("What needs doing."), "Call the customer back about the replacement"),
           _v("due_date", _l("When it is due (empty when there is no due date)."), "12 Mar 2025"),
           _v("assigned_by", _l("Who created or reassigned the task."), "Sue Supervisor"))),
    Event("password_reset", _l("Password reset"),
          _l("Someone asked to reset the password of an account (security: always sent)."),
          (USER_NAME, _v("reset_url", _l("The one-time link to choose a new password."),
                         "https://portal.example.com/reset-password/sample-token"), EXPIRES)),
    Event("email_verification", _l("Email address verification"),
          _l("A new account must confirm its email address (security: always sent)."),
          (USER_NAME, _v("verify_url", _l("The one-time link that confirms the address."),
                         "https://portal.example.com/verify-email/sample-token"), EXPIRES)),
    Event("signup_existing_account", _l("Sign-up with an existing address"),
          _l("Someone tried to sign up with an address that already has an account (security: always sent)."),
          (USER_NAME,
           _v("sign_in_url", _l("Link to the sign-in page."), "https://portal.example.com/login"),
           _v("reset_url", _l("Link to reset the password."), "https://portal.example.com/reset-password"))),
    Event("invitation", _l("Invitation"),
          _l("An administrator invited a member of staff, or an account manager a colleague, to the portal: "
          "the link lets them choose a password (security: always sent)."),
          (USER_NAME, _v("invitation_url", _l("The one-time link to accept the invitation and choose a password."),
                         "https://portal.example.com/invitation/sample-token"), EXPIRES,
           _v("expires_in_days", _l("How many days the link stays valid."), 7),
           _v("invited_by", _l("Who sent the invitation."), "Ada Admin"),
           _v("role", _l("What the invitee will be in the portal."), "Agent"))),
    Event("webhook_paused", _l("Webhook endpoint paused"),
          _l("A webhook endpoint kept failing, so its deliveries were paused: the administrator who "
          "registered it (or every administrator, when that one is gone) is told, with a link to resume it."),
          (USER_NAME,
           _v("endpoint_url", _l("The endpoint's URL."), "https://crm.example.com/hooks/caseport"),
           _v("endpoint_description", _l("The endpoint's description (empty when none)."), "CRM sync"),
           _v("reason", _l("Why it was paused: how many attempts failed, and the last error."),
              "10 failed attempts in a row; the last: HTTP 503"),
           _v("endpoint_page_url", _l("Link to the endpoint's page, where it is resumed."),
              "https://portal.example.com/admin/webhooks/3f1c2a9e-0b7d-4c55-9a61-2d8e4f6b7a10"))),
    Event("mail_in_reply", _l("Answer to an email"),
          _l("The portal answered someone's email automatically (held for review, files refused, a link to the "
             "portal, a proxy without a customer ...): its words come from fixed texts in the sender's language, "
             "at most one of each kind an hour; add a greeting or a signature here."),
          (_v("subject", _l("The answer's subject, in the recipient's language."),
              "Your message is waiting for review"),
           _v("body", _l("The answer's text, in the recipient's language."),
              "We received your email, but could not add it to a case yet."))),
    Event("test_message", _l("Test message"),
          _l("A test sent by an administrator to check that mail and text messages get through."),
          (USER_NAME, _v("portal_name", _l("The portal's name."), "Caseport"))),
)

EVENTS: dict[str, Event] = {event.name: event for event in _EVENTS}


def event(name: str) -> Event | None:
    return EVENTS.get(name)


def event_title(name: str) -> str:
    """The human title of an event, also for events the rules know before their templates exist."""
    found = EVENTS.get(name)
    return found.title if found else name.replace("_", " ").capitalize()


def is_security_event(name: str) -> bool:
    return name in SECURITY_EVENTS
