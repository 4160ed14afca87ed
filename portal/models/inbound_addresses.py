"""Email in, new cases: the inbound addresses admins configure (each opens cases of one template in
one workgroup), the audit log of their changes, and the throttle of the answers sent to senders."""

import peewee

from portal.models.base import BaseModel, JSONField, UTCDateTimeField, utcnow, uuid_field
from portal.models.configuration import CaseTemplate
from portal.models.people import User
from portal.models.teams import Workgroup

# What mail from an address nobody has an account for does (InboundAddress.unknown_senders).
OPEN_FOR_UNKNOWN = "open"  # a customer profile and sign-in (no password yet, an invitation link) and the case
LINK_FOR_UNKNOWN = "link"  # no case: the sender is answered with a link to the portal
UNKNOWN_SENDER_CHOICES = (OPEN_FOR_UNKNOWN, LINK_FOR_UNKNOWN)


class InboundAddress(BaseModel):
    """One address mail to which opens cases, e.g. support@example.com. Stored lower-cased; the
    unique index makes an address configurable once, whatever its case."""

    uuid = uuid_field()
    address = peewee.CharField(max_length=254, unique=True)
    case_template = peewee.ForeignKeyField(CaseTemplate, backref="inbound_addresses", on_delete="RESTRICT")
    workgroup = peewee.ForeignKeyField(Workgroup, null=True, backref="inbound_addresses", on_delete="SET NULL")
    # The language of people this address makes (unknown senders) and of the answers to strangers.
    language = peewee.CharField(max_length=16, default="en")
    unknown_senders = peewee.CharField(max_length=10, default=LINK_FOR_UNKNOWN)
    active = peewee.BooleanField(default=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "inbound_address"

    def __str__(self):
        return self.address


class InboundAddressChange(BaseModel):
    """The audit log of inbound addresses: one row per change (created, edited), who made it and the
    values before and after (UUIDs and names as they were)."""

    uuid = uuid_field()
    inbound_address = peewee.ForeignKeyField(InboundAddress, backref="changes", on_delete="CASCADE")
    actor = peewee.ForeignKeyField(User, null=True, backref="inbound_address_changes", on_delete="SET NULL")
    action = peewee.CharField(max_length=40)
    old_value = JSONField(null=True)
    new_value = JSONField(null=True)
    created_at = UTCDateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "inbound_address_change"


class AutoReplySlot(BaseModel):
    """When a sender last got an automatic answer of one kind (portal/mail_in/replies.py): one row per
    (address, kind), claimed by a conditional insert-or-update, so at most one answer per hour goes
    out however many messages arrive at once."""

    address_key = peewee.CharField(max_length=254)
    kind = peewee.CharField(max_length=40)
    sent_at = UTCDateTimeField()

    class Meta:
        table_name = "auto_reply_slot"
        indexes = ((("address_key", "kind"), True),)


MODELS = [InboundAddress, InboundAddressChange, AutoReplySlot]
