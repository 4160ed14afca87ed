"""The one authorization policy. Services call these; views and templates only mirror them.

What a user may not see answers 404 (NotFound), so pages never confirm that something exists.
"""

from __future__ import annotations

from datetime import timedelta

from portal import case_scope as scopes
from portal import request_memo
from portal.case_scope import case_scope
from portal.clock import utcnow
from portal.errors import NotAllowed, NotFound
from portal.i18n import _l
from portal.models.people import STAFF_ROLES, User
from portal.settings import setting


def has_role(user: User | None, *roles: str) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in roles)


def is_staff(user: User | None) -> bool:
    return has_role(user, *STAFF_ROLES)


def require_role(user: User | None, *roles: str, hide: bool = False) -> None:
    """Raise unless user has one of roles. hide=True answers NotFound, for things others must not know of."""
    if not has_role(user, *roles):
        raise NotFound() if hide else NotAllowed()


def require_admin(user: User | None) -> None:
    require_role(user, "admin")


def can_manage_customers(user: User | None) -> bool:
    """Customer profiles, accounts and assets are staff tools; customers and proxies never see them."""
    return is_staff(user)


def case_visibility(user: User | None, *, found_by_id: bool = False):
    """A condition on Case selecting exactly the cases user may see; combine it with any case query.

    - admin: every case;
    - agent, supervisor: the cases of their workgroups and the cases assigned to them;
    - customer: cases where their profile is the primary or a linked customer, and, when their
      profile manages its account, every case of that account;
    - proxy: the cases where they are the internal contact;
    - anyone else: none.

    Flat conditions on the viewer's ids, resolved once per request (see case_scope). found_by_id=True
    when the query already names a short list of case ids (a keyword search): the database then
    looks those cases up by id instead of walking every case the viewer may see.
    """
    from portal.models.cases import Case

    scope = case_scope(user)
    if scope.kind == "all":
        return Case.id.is_null(False)
    column = scopes.unindexed if found_by_id else (lambda c: c)
    if scope.kind == "staff":
        condition = column(Case.assignee) == scope.user_id
        if scope.workgroup_ids:
            condition |= column(Case.workgroup).in_(sorted(scope.workgroup_ids))
        return condition
    if scope.kind == "proxy":
        return column(Case.internal_contact) == scope.user_id
    if scope.kind == "customer":
        return scopes.customer_condition(scope, column)
    return Case.id.is_null()  # matches nothing: every case has an id


def can_view_case(user: User | None, case) -> bool:
    """Whether user may see case (see case_visibility). Callers answer NotFound when it is False.

    On a request that changes nothing the answer comes from the case as loaded and the viewer's
    resolved ids, without a query; otherwise one fixed statement asks the database."""
    scope = case_scope(user)
    if scope.kind in ("all", "none"):
        return scope.kind == "all"
    if request_memo.read_only():
        answer = scope.sees(case)
        if answer is not None:
            return answer
    return scopes.case_visible(scope, case.id)


def event_visibility(user: User | None):
    """A condition on Event LEFT JOIN Case selecting the typed events user may read (the API's event
    stream, webhooks' test sends): the events of the cases user may see (case_visibility), internal
    ones only for staff, who see every event of a case they see (can_see_internal); events about no
    case only for admins."""
    from portal.models.cases import Case
    from portal.models.events import Event

    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return Event.id.is_null()  # matches nothing: every event has an id
    if has_role(user, "admin"):
        return Event.id.is_null(False)
    condition = Case.id.is_null(False) & case_visibility(user)
    return condition if is_staff(user) else condition & (Event.internal == False)  # noqa: E712


def is_customer_side(user: User | None, case) -> bool:
    """Customers and the proxy who filed it: the people a case is for, as opposed to its handlers."""
    return has_role(user, "customer", "proxy") and can_view_case(user, case)


# --- cases: who may do what to a case ------------------------------------------------------------
#
# Every rule answers "may user do this to this case" in full, seeing the case included, so a page can
# ask it to decide which controls to show and a service can ask it before acting (see require()).
# The rules are about people (roles, workgroups, relations) and the reopening window, not about the
# case's workflow state: whether a closed case takes comments is the service's InvalidTransition.

STAFF_ONLY = _l("Only the team handling a case can do that.")


def require(rule, user: User | None, case, *args, message: str = "") -> None:
    """Raise unless rule(user, case, *args): NotFound when user may not see the case (never
    confirming it exists), NotAllowed(message) when they may see it but not do this."""
    if rule(user, case, *args):
        return
    if rule is can_view_case or not can_view_case(user, case):
        raise NotFound()
    raise NotAllowed(message) if message else NotAllowed()


def is_member(user: User | None, workgroup_id: int | None) -> bool:
    if workgroup_id is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return scopes.is_member(user, workgroup_id)


def supervises(user: User | None, workgroup_id: int | None) -> bool:
    """Admins supervise every workgroup; supervisors the workgroups they are members of."""
    if has_role(user, "admin"):
        return True
    return has_role(user, "supervisor") and is_member(user, workgroup_id)


def can_handle_case(user: User | None, case) -> bool:
    """Staff who may see the case: what every staff action needs before its own rule."""
    return is_staff(user) and can_view_case(user, case)


def can_see_internal(user: User | None, case) -> bool:
    """Internal notes, their files and staff-only details of a case: its handlers only."""
    return can_handle_case(user, case)


def can_comment(user: User | None, case) -> bool:
    """A public comment: everyone who may see the case, both sides."""
    return can_view_case(user, case)


def can_write_internal_note(user: User | None, case) -> bool:
    """An internal note (never shown to the customer side): staff who may see the case."""
    return can_handle_case(user, case)


def can_download_file(user: User | None, case, attachment) -> bool:
    """A file of the case: public ones for everyone who may see the case, internal ones for staff."""
    if attachment is None or attachment.case_id != case.id:
        return False
    return can_see_internal(user, case) if not attachment.public else can_view_case(user, case)


def can_close(user: User | None, case) -> bool:
    """The customer side closes a case it no longer needs; staff close the cases they see."""
    return can_view_case(user, case)


def reopen_deadline(case):
    """Until when the customer side may reopen a closed case (None when it is not closed)."""
    if case.status.category != "closed" or case.last_closed_at is None:
        return None
    return case.last_closed_at + timedelta(days=setting("REOPEN_DAYS"))


def can_reopen(user: User | None, case, now=None) -> bool:
    """A closed case: staff at any time, the customer side within REOPEN_DAYS of its closing (later
    they open a follow-up case). False for a case that is not closed."""
    deadline = reopen_deadline(case)
    if deadline is None or not can_view_case(user, case):
        return False
    return is_staff(user) or (now or utcnow()) <= deadline


def can_answer_resolution(user: User | None, case) -> bool:
    """Accepting or rejecting a proposed resolution: the customer side only, never its handlers."""
    return is_customer_side(user, case)


def can_propose_resolution(user: User | None, case) -> bool:
    return can_handle_case(user, case)


def can_change_status(user: User | None, case) -> bool:
    return can_handle_case(user, case)


def can_take(user: User | None, case) -> bool:
    """Assigning the case to oneself: members of its workgroup, admins any case."""
    return can_handle_case(user, case) and (has_role(user, "admin") or is_member(user, case.workgroup_id))


def can_assign(user: User | None, case, assignee: User | None = None) -> bool:
    """Assigning the case to someone else (or to nobody): supervisors of its workgroup and admins.
    Choosing oneself is taking it (can_take), which agents may do too."""
    if assignee is not None and user is not None and assignee.id == user.id:
        return can_take(user, case)
    return can_handle_case(user, case) and supervises(user, case.workgroup_id)


def can_move(user: User | None, case, workgroup_id: int | None = None) -> bool:
    """Moving the case to another workgroup (workgroup_id, or any when None): admins anywhere,
    supervisors from a workgroup they supervise (or none) to one they supervise."""
    if not can_handle_case(user, case):
        return False
    if has_role(user, "admin"):
        return True
    if not has_role(user, "supervisor"):
        return False
    source_ok = case.workgroup_id is None or supervises(user, case.workgroup_id)
    return source_ok and (workgroup_id is None or supervises(user, workgroup_id))


def can_escalate(user: User | None, case) -> bool:
    return can_handle_case(user, case)


def can_deescalate(user: User | None, case) -> bool:
    return can_handle_case(user, case)


def can_set_priority(user: User | None, case) -> bool:
    return can_handle_case(user, case)


def can_edit_details(user: User | None, case) -> bool:
    return can_handle_case(user, case)


def can_manage_tasks(user: User | None, case) -> bool:
    return can_handle_case(user, case)


def can_link_customers(user: User | None, case) -> bool:
    return can_handle_case(user, case)


def can_update_all_customers(user: User | None, case) -> bool:
    """One public update to everyone on the customer side: a staff reply."""
    return can_handle_case(user, case)


def can_log_contact(user: User | None, case) -> bool:
    return can_handle_case(user, case)


def can_read_case_messages(user: User | None, case) -> bool:
    """Whether user may read the messages about this case (case_message_visibility matches them all)."""
    return can_use_outbox(user) and can_view_case(user, case)


# The case rules pages may call by name (registered as template globals by portal.cases.routes.case_page).
CASE_RULES = (
    can_view_case, can_handle_case, is_customer_side, can_see_internal, can_comment, can_write_internal_note,
    can_download_file, can_close, can_reopen, can_answer_resolution, can_propose_resolution, can_change_status,
    can_take, can_assign, can_move, can_escalate, can_deescalate, can_set_priority, can_edit_details,
    can_manage_tasks, can_link_customers, can_update_all_customers, can_log_contact, can_read_case_messages,
)


# --- notifier records: the outbox, its attempts and the demo's captured mail --------------------
#
# Who may read a message (list, detail, counts, filters, the case page's tab) and requeue it:
# - customers, proxies, anonymous and inactive users: nothing;
# - admins: every message;
# - agents and supervisors: a message about a case (its `topic` is the case reference) when they may
#   view that case; a message about no case (account mail, test messages) only when it was addressed
#   to them (recipient ref is their UUID, or the address is their email or mobile number).
# Messages that carry a way into an account (SECURITY_EVENTS) never show their content in the outbox,
# to anyone: metadata only. Captured mail (the demo's dev sink) holds complete messages, links and
# all: account mail and mail about no case go to its recipient and admins only; mail about a case to
# those who may view the case.


def _visible_case_references(user: User):
    from portal.models.cases import Case

    return Case.select(Case.reference).where(case_visibility(user))


def _addressed_to(user: User, address, channel):
    """A condition: a message or capture whose (lower-cased) `address` on `channel` is user's email or mobile."""
    from notifier.models import EMAIL, SMS

    to_user = (channel == EMAIL) & (address == (user.email or "").lower())
    if user.phone:
        to_user |= (channel == SMS) & (address == user.phone)
    return to_user


def can_use_outbox(user: User | None) -> bool:
    """The outbox and the captured mail are staff screens: customers and proxies get NotFound."""
    return is_staff(user) and bool(user.active)


def can_review_inbound_mail(user: User | None) -> bool:
    """The inbound mail queue (held and failed messages: read, retry, discard): supervisors and admins. The
    messages are raw mail from anyone, about any case, so agents (who see their workgroups' cases only) do not."""
    return has_role(user, "supervisor", "admin") and bool(user.active)


def message_visibility(user: User | None):
    """A condition on notifier's Message selecting exactly the messages user may read (rules above).
    Lists, counts, filters and details all combine it with their own conditions, so they agree."""
    from notifier.models import Message

    if not can_use_outbox(user):
        return Message.id.is_null()  # matches nothing: every message has an id
    if user.role == "admin":
        return Message.id.is_null(False)
    about_visible_case = Message.topic.is_null(False) & Message.topic.in_(_visible_case_references(user))
    addressed_to_user = (Message.ref == str(user.uuid)) | _addressed_to(user, Message.address_key, Message.channel)
    own_non_case = Message.topic.is_null() & addressed_to_user
    return about_visible_case | own_non_case


def case_message_visibility(user: User | None, case):
    """message_visibility(user) narrowed to the messages about one case (topic = its reference), for
    a caller that loaded the case: the messages about a case user may see are all ones user may read
    (the first rule of message_visibility), so the condition is the topic itself, not a list of the
    reference of every case user may see (for staff of a large workgroup that list cost the database
    over half a second on each case page)."""
    from notifier.models import Message

    if not can_read_case_messages(user, case):
        return Message.id.is_null()  # matches nothing
    return Message.topic == case.reference



def can_read_message(user: User | None, message) -> bool:
    """Whether user may see this outbox message at all (its metadata). Callers answer NotFound."""
    from notifier.models import Message

    if not can_use_outbox(user):
        return False
    if user.role == "admin":
        return True
    return Message.select(Message.id).where((Message.id == message.id) & message_visibility(user)).exists()


def message_carries_account_access(event: str) -> bool:
    """Password reset, address verification, sign-up of a registered address: their content is a way
    into an account, so the outbox never shows it (nor error text that may quote it)."""
    from portal.notify.catalogue import is_security_event

    return is_security_event(event)


def can_read_message_content(user: User | None, message) -> bool:
    """Whether the outbox may show user the rendered subject and text of message: never for account
    mail, otherwise whoever may read the message."""
    return not message_carries_account_access(message.event) and can_read_message(user, message)


def can_requeue_message(user: User | None, message) -> bool:
    """Sending a dead or failed message again: the staff who may read it."""
    return can_read_message(user, message)


def capture_visibility(user: User | None):
    """A condition on CapturedMessage LEFT JOIN Message (on the message UUID) selecting the captured
    mail user may read in the demo mailbox (rules above)."""
    import peewee

    from notifier.models import CapturedMessage, Message
    from portal.notify.catalogue import SECURITY_EVENTS

    if not can_use_outbox(user):
        return CapturedMessage.id.is_null()
    if user.role == "admin":
        return CapturedMessage.id.is_null(False)
    about_case = Message.topic.is_null(False) & Message.event.not_in(tuple(SECURITY_EVENTS))
    recipient = (Message.ref == str(user.uuid)) | _addressed_to(
        user, peewee.fn.LOWER(CapturedMessage.to_address), CapturedMessage.channel)
    return (about_case & Message.topic.in_(_visible_case_references(user))) | (~about_case & recipient)


# --- people administration: users, invitations, the audit log, account managers' colleagues --------
# Active admins manage every user (never deactivating themselves; the last active admin is the
# service's rule, portal.people.service.changes). A customer whose profile manages an account
# (Customer.is_account_manager, set by staff) invites colleagues into it and sees who has access.

INVITABLE_ROLES = ("proxy", "agent", "supervisor", "admin")


def can_sign_in_with_provider(user: User, provider_roles: tuple[str, ...]) -> bool:
    """An identity provider (portal/sso) signs in only the roles its configuration names."""
    return user.active and user.role in provider_roles


def can_administer_people(user: User | None) -> bool:
    """The users pages, invitations (sent again too), reactivation and the audit log: active admins."""
    return has_role(user, "admin") and bool(user.active)


def can_invite(user: User | None, role: str) -> bool:
    """Admins invite staff and proxies; customers sign up or are invited by their account manager."""
    return can_administer_people(user) and role in INVITABLE_ROLES


def can_change_role(user: User | None, subject: User, role: str) -> bool:
    """Admins, between the staff-side roles only (a customer's profile and cases make no sense for staff)."""
    return can_administer_people(user) and subject.role in INVITABLE_ROLES and role in INVITABLE_ROLES


def can_set_workgroups(user: User | None, subject: User) -> bool:
    return can_administer_people(user) and subject.role in STAFF_ROLES


def can_deactivate(user: User | None, subject: User) -> bool:
    return can_administer_people(user) and subject.id != user.id


def requires_second_factor(user: User | None) -> bool:
    """Who must sign in with a second factor (portal/mfa): admins, and all staff when
    MFA_REQUIRED_FOR=staff (nobody with MFA_REQUIRED_FOR=nobody, refused in production)."""
    required = setting("MFA_REQUIRED_FOR")
    if user is None or required == "nobody":
        return False
    return user.role == "admin" or (required == "staff" and user.role in STAFF_ROLES)


def can_reset_second_factor(user: User | None, subject: User) -> bool:
    """Admins, for someone else (one's own factor is changed on one's account page, with a code)."""
    return can_administer_people(user) and subject.id != user.id


def can_unlink_identity(user: User | None, subject: User) -> bool:
    """Admins unlink a user's single sign-on identities (the service keeps one way to sign in)."""
    return can_administer_people(user)


def managed_account_id(user: User | None) -> int | None:
    """The account user's customer profile manages, or None."""
    from portal.models.people import Customer

    if not has_role(user, "customer") or not user.active:
        return None
    profile = (
        Customer.select(Customer.account)
        .where((Customer.user == user.id) & Customer.is_account_manager & Customer.account.is_null(False))
        .first()
    )
    return profile.account_id if profile else None


def can_invite_colleagues(user: User | None) -> bool:
    """An account manager invites colleagues into their account and sees who of it has access.
    Read from the viewer's case scope (resolved once per request; its colleagues are those of the
    account the profile manages), the same answer as managed_account_id(user) is not None."""
    scope = case_scope(user)
    return scope.kind == "customer" and scope.manages_account


# --- many people at once: who among them may see a case (notifications) -------------------------


def viewers_of_case(users, case) -> set[int]:
    """The ids of those among users who may see case: can_view_case for many people at once, in at
    most two queries however many they are (notifications ask it for every recipient). The same
    rules as case_visibility, stated for one case."""
    from portal.models.cases import CaseCustomerLink
    from portal.models.people import Customer
    from portal.models.teams import WorkgroupMember

    active = [u for u in users if u is not None and getattr(u, "is_authenticated", False) and u.active]
    viewers = {u.id for u in active if u.role == "admin"
               or (u.role in ("agent", "supervisor") and u.id == case.assignee_id)
               or (u.role == "proxy" and u.id == case.internal_contact_id)}
    staff = [u.id for u in active if u.role in ("agent", "supervisor") and u.id not in viewers]
    if staff and case.workgroup_id is not None:
        members = (
            WorkgroupMember.select(WorkgroupMember.user)
            .where((WorkgroupMember.workgroup == case.workgroup_id) & WorkgroupMember.user.in_(staff))
            .tuples()
        )
        viewers.update(user_id for (user_id,) in members)
    customers = [u.id for u in active if u.role == "customer"]
    if customers:
        linked = CaseCustomerLink.select(CaseCustomerLink.customer).where(CaseCustomerLink.case == case.id)
        case_account = Customer.select(Customer.account).where(Customer.id == case.customer_id)
        profiles = (
            Customer.select(Customer.user)
            .where(
                Customer.user.in_(customers)
                & ((Customer.id == case.customer_id)
                   | Customer.id.in_(linked)
                   | (Customer.is_account_manager & Customer.account.in_(case_account)))
            )
            .tuples()
        )
        viewers.update(user_id for (user_id,) in profiles)
    return viewers


# --- API tokens -----------------------------------------------------------------------------------


def can_issue_token(user: User | None, owner: User) -> bool:
    """Anyone signed in makes tokens for themselves; an admin also for a service account (a staff
    account an integration runs as, which nobody signs in to). Never for another person: a token
    acts as its user, so an admin minting one for a colleague could act as that colleague."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active or not owner.active:
        return False
    if user.id == owner.id:
        return not owner.is_service_account
    return has_role(user, "admin") and owner.role in STAFF_ROLES and owner.is_service_account


def can_manage_token(user: User | None, token) -> bool:
    """A token's own user sees and revokes it; so do admins, for every token (revoking one that
    leaked must not wait for its user, and revoking lets nobody act as anyone)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return token.user_id == user.id or has_role(user, "admin")


def can_manage_service_accounts(user: User | None) -> bool:
    """Creating service accounts and seeing every API token with its owner: admins."""
    return has_role(user, "admin") and bool(getattr(user, "active", False))


# --- email in: the inbound addresses mail to which opens cases ---------------------------------------


def can_manage_inbound_addresses(user: User | None) -> bool:
    """Which addresses open cases, with which template, workgroup and language: active admins."""
    return has_role(user, "admin") and bool(getattr(user, "active", False))


# --- reports --------------------------------------------------------------------------------------


def can_view_reports(user: User | None) -> bool:
    """Supervisors (their workgroups) and admins (everything) read the reports."""
    return has_role(user, "supervisor", "admin")


def reportable_workgroups(user: User | None) -> frozenset[int] | None:
    """The workgroups whose cases user's reports count: None for every case (admins), else the
    workgroups a supervisor belongs to (cases in no workgroup are nobody's but the admins')."""
    if has_role(user, "admin"):
        return None
    if not can_view_reports(user):
        return frozenset()
    return case_scope(user).workgroup_ids
# --- webhooks: endpoints that receive typed events (internal ones included) -------------------------
# Only active admins register, change, pause, test and redeliver them, and see their deliveries.


def can_manage_webhooks(user: User | None) -> bool:
    return has_role(user, "admin") and bool(user.active)


def require_webhook_admin(user: User | None) -> None:
    """NotFound for everyone but active admins: the webhook pages are not there for them."""
    from portal.errors import NotFound

    if not can_manage_webhooks(user):
        raise NotFound()


# --- passkeys: each user's own WebAuthn credentials (portal/passkeys) --------------------------------
# Only the owner sees, adds, renames and removes them (an admin resets second factors, never adds one).


def can_add_passkey(user: User | None) -> bool:
    """Any active person who signs in; service accounts (integrations) never sign in."""
    return user is not None and bool(user.active) and not user.is_service_account


def can_manage_passkey(user: User | None, passkey) -> bool:
    return can_add_passkey(user) and passkey.user_id == user.id
