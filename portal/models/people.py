"""People: accounts (customer organisations), users who sign in, customer profiles."""

from __future__ import annotations

import peewee

from portal.i18n import _l
from portal.models.base import BaseModel, JSONField, UTCDateTimeField, utcnow
from portal.models.base import uuid_field as _uuid

ROLES = ("customer", "proxy", "agent", "supervisor", "admin")
STAFF_ROLES = ("agent", "supervisor", "admin")
NO_PASSWORD = ""  # User.password_hash of a user without a password
# Shown on pages: marked with _l, put into words in the reader's language when shown.
ROLE_LABELS = {
    "customer": _l("Customer"),
    "proxy": _l("Proxy employee"),
    "agent": _l("Agent"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}


# The password hash of a service account: not an argon2 hash, so verify_password accepts no password for it.
SERVICE_ACCOUNT_PASSWORD = "!service"  # noqa: S105 - a marker that matches no password


class Account(BaseModel):
    uuid = _uuid()
    name = peewee.CharField(max_length=200)
    account_number = peewee.CharField(max_length=40, unique=True)
    created_at = UTCDateTimeField(default=utcnow)

    def __str__(self):
        return self.name


class User(BaseModel):
    uuid = _uuid()
    # Stored lower-cased, so the unique index makes addresses unique regardless of case.
    email = peewee.CharField(max_length=254, unique=True)
    display_name = peewee.CharField(max_length=120)
    # NO_PASSWORD ("") while the user has none: invited and not accepted yet, or signing in only with
    # single sign-on (portal/sso). No password is ever accepted for it (portal.passwords).
    password_hash = peewee.CharField(max_length=255)
    role = peewee.CharField(max_length=20, index=True)
    time_zone = peewee.CharField(max_length=64, default="UTC")
    language = peewee.CharField(max_length=16, default="en")
    phone = peewee.CharField(max_length=20, null=True)  # E.164
    active = peewee.BooleanField(default=True)
    email_verified_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    last_login_at = UTCDateTimeField(null=True)
    # Set when someone invited this user (portal/people): until they accept, they have no password.
    invited_at = UTCDateTimeField(null=True)

    # Flask-Login protocol, kept here so the model needs no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Which browser is signed in is the UserSession's business (checked on every request), not the id's.
        return self.uuid

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def is_service_account(self) -> bool:
        """A staff account an integration runs as (portal.api_tokens): no password, no sign-in."""
        return self.password_hash == SERVICE_ACCOUNT_PASSWORD

    @property
    def has_password(self) -> bool:
        return self.password_hash != NO_PASSWORD

    @property
    def invitation_pending(self) -> bool:
        """Invited, and the invitation not accepted yet (accepting it verifies the address)."""
        return self.invited_at is not None and self.email_verified_at is None

    def __str__(self):
        return self.display_name


class Customer(BaseModel):
    """A customer profile (a person). It may or may not have a User to sign in with."""

    uuid = _uuid()
    customer_number = peewee.CharField(max_length=20, unique=True)
    first_name = peewee.CharField(max_length=100)
    last_name = peewee.CharField(max_length=100, default="")
    email = peewee.CharField(max_length=254, null=True, index=True)
    phone = peewee.CharField(max_length=20, null=True, index=True)  # E.164
    account = peewee.ForeignKeyField(Account, null=True, backref="customers", on_delete="SET NULL")
    # A customer who manages their account sees every case of it.
    is_account_manager = peewee.BooleanField(default=False)
    user = peewee.ForeignKeyField(User, null=True, unique=True, backref="customer_profiles", on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __str__(self):
        return self.full_name


class UserToken(BaseModel):
    """A one-time token sent by email (password reset, address verification). Only its hash is stored."""

    user = peewee.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    purpose = peewee.CharField(max_length=32)
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField()
    used_at = UTCDateTimeField(null=True)


class UserSession(BaseModel):
    """One signed-in browser. Its cookie holds a random token; only the token's hash is stored, so this
    table alone signs nobody in. A revoked, idle or too old session signs nobody in either."""

    token_hash = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = UTCDateTimeField(default=utcnow)
    # Written at most once a minute per session (see portal/accounts/service/sessions.py), for the idle limit.
    last_seen_at = UTCDateTimeField(default=utcnow, index=True)
    revoked_at = UTCDateTimeField(null=True)
    user_agent = peewee.CharField(max_length=200, default="")
    client_address = peewee.CharField(max_length=64, default="")


class ThrottleSlot(BaseModel):
    """One use of a rate limit (a failed sign-in, an account email). A scope key has at most `limit`
    slots; a slot is taken by an insert (unique) or by a conditional update of one whose use is older
    than the window, so requests racing each other can never take more than the limit."""

    scope_key = peewee.CharField(max_length=300)
    slot = peewee.IntegerField()
    used_at = UTCDateTimeField(index=True)

    class Meta:
        indexes = ((("scope_key", "slot"), True),)


class FormSubmission(BaseModel):
    """A form a user sent that must act once (portal.submissions): its random key, taken in the same
    transaction as the change, and what it made, for a second sending of the same form."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE", index=False)  # the unique (user, key) serves
    key = peewee.CharField(max_length=36)
    result = peewee.CharField(max_length=100, default="")
    created_at = UTCDateTimeField(index=True)

    class Meta:
        indexes = ((("user", "key"), True),)


class UserChange(BaseModel):
    """The audit log of people administration: one row per change to a user (invited, role,
    workgroups, deactivated ...), who made it (None: the system), when, and the old and new values
    (codes and names as they were, never rewritten)."""

    uuid = _uuid()
    user = peewee.ForeignKeyField(User, backref="changes", on_delete="CASCADE")
    actor = peewee.ForeignKeyField(User, null=True, backref="changes_made", on_delete="SET NULL")
    action = peewee.CharField(max_length=40)
    old_value = JSONField(null=True)
    new_value = JSONField(null=True)
    created_at = UTCDateTimeField(default=utcnow, index=True)


MODELS = [Account, User, Customer, UserToken, UserSession, ThrottleSlot, FormSubmission, UserChange]
