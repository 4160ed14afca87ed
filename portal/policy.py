"""The one authorization policy. Services call these; views and templates only mirror them.

What a user may not see answers 404 (NotFound), so pages never confirm that something exists.
"""

from __future__ import annotations

from portal.errors import NotAllowed, NotFound
from portal.models.people import STAFF_ROLES, User


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


def case_visibility(user: User | None):
    """A condition on Case selecting exactly the cases user may see; combine it with any case query.

    - admin: every case;
    - agent, supervisor: the cases of their workgroups and the cases assigned to them;
    - customer: cases where their profile is the primary or a linked customer, and, when their
      profile manages its account, every case of that account;
    - proxy: the cases where they are the internal contact;
    - anyone else: none.
    """
    from portal.models.cases import Case, CaseCustomerLink
    from portal.models.people import Customer
    from portal.models.teams import WorkgroupMember

    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return Case.id.is_null()  # matches nothing: every case has an id
    if user.role == "admin":
        return Case.id.is_null(False)
    if user.role in ("agent", "supervisor"):
        workgroups = WorkgroupMember.select(WorkgroupMember.workgroup).where(WorkgroupMember.user == user.id)
        return Case.workgroup.in_(workgroups) | (Case.assignee == user.id)
    if user.role == "proxy":
        return Case.internal_contact == user.id
    if user.role == "customer":
        own = Customer.select(Customer.id).where(Customer.user == user.id)
        linked = (
            CaseCustomerLink.select(CaseCustomerLink.case)
            .join(Customer)
            .where(Customer.user == user.id)
        )
        managed_accounts = (
            Customer.select(Customer.account)
            .where((Customer.user == user.id) & Customer.is_account_manager & Customer.account.is_null(False))
        )
        account_customers = Customer.select(Customer.id).where(Customer.account.in_(managed_accounts))
        return Case.customer.in_(own) | Case.id.in_(linked) | Case.customer.in_(account_customers)
    return Case.id.is_null()


def can_view_case(user: User | None, case) -> bool:
    """Whether user may see case (see case_visibility). Callers answer NotFound when it is False."""
    from portal.models.cases import Case

    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == "admin":
        return True
    return Case.select(Case.id).where((Case.id == case.id) & case_visibility(user)).exists()


def is_customer_side(user: User | None, case) -> bool:
    """Customers and the proxy who filed it: the people a case is for, as opposed to its handlers."""
    return has_role(user, "customer", "proxy") and can_view_case(user, case)


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
    from portal.notification_admin.catalogue import is_security_event

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
    from portal.notification_admin.catalogue import SECURITY_EVENTS

    if not can_use_outbox(user):
        return CapturedMessage.id.is_null()
    if user.role == "admin":
        return CapturedMessage.id.is_null(False)
    about_case = Message.topic.is_null(False) & Message.event.not_in(tuple(SECURITY_EVENTS))
    recipient = (Message.ref == str(user.uuid)) | _addressed_to(
        user, peewee.fn.LOWER(CapturedMessage.to_address), CapturedMessage.channel)
    return (about_case & Message.topic.in_(_visible_case_references(user))) | (~about_case & recipient)
