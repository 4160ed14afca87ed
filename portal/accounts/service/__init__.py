"""Accounts: signing in, signing up, verifying an address, profiles, changing and resetting passwords,
server-side sessions and the limits on sign-in and account mail. Every function is callable from the
web, the CLI, jobs or tests; none trusts its caller's checks.

    sign_in.py           authenticate(): the password check, throttled
    users.py             creating a user of any role; a user's own profile
    sign_up.py           self sign-up and email verification
    password_changes.py  changing one's password; resetting a forgotten one by emailed link
    tokens.py            single-use tokens of emailed links
    sessions.py          server-side sessions: start, resume on every request, end, prune
    limits.py            how often sign-in may fail and account mail may go out (OWASP)
    throttle.py          race-free sliding-window rate limits that limits.py is built on

The functions of the first four are re-exported here (`from portal.accounts import service`);
sessions, limits and throttle are used as modules (`service.sessions.end_all_sessions(...)`).
"""

from portal.accounts.service.password_changes import (
    change_password,
    check_reset_token,
    request_password_reset,
    reset_password,
)
from portal.accounts.service.sign_in import SIGN_IN_FAILED, AuthenticationFailed, EmailNotVerified, authenticate
from portal.accounts.service.sign_up import resend_verification, sign_up_customer, verify_email
from portal.accounts.service.users import NewUser, create_user, update_profile

__all__ = [
    "SIGN_IN_FAILED",
    "AuthenticationFailed",
    "EmailNotVerified",
    "NewUser",
    "authenticate",
    "change_password",
    "check_reset_token",
    "create_user",
    "request_password_reset",
    "resend_verification",
    "reset_password",
    "sign_up_customer",
    "update_profile",
    "verify_email",
]
