"""How often sign-in may fail and account mail may go out, following OWASP's Authentication Cheat Sheet.

Sign-in, within LOGIN_FAILURE_WINDOW_SECONDS:
- per client address, across accounts: LOGIN_MAX_FAILURES_PER_ADDRESS failures;
- per account from one client: LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT failures, where the client is a
  browser known to the account (portal/accounts/routes/browser.py) or else the client address;
- per account from anywhere: after LOGIN_SLOWDOWN_AFTER_FAILURES failures, a client that is not a
  known browser waits a delay that doubles with each further failure (at most
  LOGIN_SLOWDOWN_MAX_SECONDS) between attempts. Nobody is locked out for long, and the owner's own
  browser not at all, however many attackers elsewhere guess.

Account mail (password reset, verification, sign-up of a registered address), within
ACCOUNT_MAIL_WINDOW_SECONDS: ACCOUNT_MAIL_MAX_PER_ADDRESS emails to one address (beyond it the page
answers as usual and nothing is sent, so it tells nobody whether the address is registered), and
ACCOUNT_MAIL_MAX_PER_CLIENT requests from one client address (beyond it: 429 with a message).

Every limit takes its slot (portal/accounts/service/throttle.py) before the work it guards, so parallel
requests cannot slip past it.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from portal.accounts.service import throttle
from portal.clock import utcnow
from portal.errors import RateLimited
from portal.i18n import LazyText, _l, lazy_ngettext
from portal.settings import setting

# Failures per account remembered for the slowdown: enough for the delay to reach any sensible maximum.
_ACCOUNT_FAILURES_KEPT = 64


class TooManyAttempts(RateLimited):
    """Too many attempts. Try again later."""

    def __init__(self, message: str | LazyText, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after  # seconds, for the Retry-After header


def wait_text(seconds: int) -> LazyText:
    """How long to wait, in words, put into the reader's language when shown ("30 seconds", "3 minutes")."""
    if seconds < 120:
        return lazy_ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = math.ceil(seconds / 60)
    return lazy_ngettext("%(num)d minute", "%(num)d minutes", minutes)


def _take(key: str, limit: int, window: timedelta, now: datetime,
          message: Callable[[LazyText], LazyText]) -> throttle.Ticket:
    """message(wait) is the refusal, marked where it is written, given how long to wait in words."""
    try:
        return throttle.take(key, limit, window, now)
    except throttle.Throttled as exc:
        raise TooManyAttempts(message(wait_text(exc.seconds)), exc.seconds) from None


# --- signing in ---------------------------------------------------------------------------------


def _sign_in_window() -> timedelta:
    return timedelta(seconds=setting("LOGIN_FAILURE_WINDOW_SECONDS"))


def _account_key(email: str) -> str:
    return f"sign-in:{email}"


def _pair_key(email: str, client_address: str, browser: str | None) -> str:
    client = f"browser:{browser}" if browser else f"address:{throttle.client_key(client_address)}"
    return f"sign-in:{email}|{client}"


def take_sign_in_slots(email: str, client_address: str, browser: str | None,
                       now: datetime) -> list[throttle.Ticket]:
    """Claim one sign-in attempt for (normalized) email from this client, before the password is
    checked. Raises TooManyAttempts (having claimed nothing)."""
    window = _sign_in_window()
    tickets = [take_address_slot(client_address, now)]
    try:
        tickets.append(_take(_pair_key(email, client_address, browser),
                             setting("LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"), window, now,
                             lambda wait: _l("Too many failed sign-ins to this account. Wait %(wait)s and try "
                                             "again, or reset your password.", wait=wait)))
        if not browser:
            _slow_down(email, window, now)
    except TooManyAttempts:
        release(tickets)
        raise
    return tickets


def take_address_slot(client_address: str, now: datetime) -> throttle.Ticket:
    """Claim one sign-in attempt from this client address, whatever it signs in with (a password, or a
    passkey, where no account is named before the check). Raises TooManyAttempts."""
    return _take(f"sign-in-from:{throttle.client_key(client_address)}", setting("LOGIN_MAX_FAILURES_PER_ADDRESS"),
                 _sign_in_window(), now,
                 lambda wait: _l("Too many failed sign-ins from your network. Wait %(wait)s and try again.",
                                 wait=wait))


def _slow_down(email: str, window: timedelta, now: datetime) -> None:
    """Past the threshold, one attempt per delay on the account, claimed like any other slot."""
    beyond = throttle.uses(_account_key(email), window, now) - setting("LOGIN_SLOWDOWN_AFTER_FAILURES")
    if beyond < 0:
        return
    delay = min(setting("LOGIN_SLOWDOWN_MAX_SECONDS"), 2 ** min(beyond, 30))
    _take(f"sign-in-slowdown:{email}", 1, timedelta(seconds=delay), now,
          lambda wait: _l("This account has had many failed sign-ins. Wait %(wait)s before trying again, or "
                          "sign in from a browser you have used for it before.", wait=wait))


def release(tickets: list[throttle.Ticket]) -> None:
    """Give back the slots of an attempt that should not count as a failure."""
    for ticket in tickets:
        throttle.release(ticket)


def record_sign_in_failure(email: str, now: datetime) -> None:
    """A wrong password: the attempt keeps its slots, and the account's count for the slowdown grows."""
    with contextlib.suppress(throttle.Throttled):  # when full, it is already as slow as it gets
        throttle.take(_account_key(email), _ACCOUNT_FAILURES_KEPT, _sign_in_window(), now)


def forgive_client_failures(email: str, client_address: str, browser: str | None) -> None:
    """The owner signed in: their own typing mistakes from this client no longer count. The account's
    count stays, so an attacker elsewhere gets no fresh guesses from it."""
    throttle.forget(_pair_key(email, client_address, browser))


# --- second factor ------------------------------------------------------------------------------


def take_second_factor_slots(user_uuid: str, client_address: str, now: datetime) -> list[throttle.Ticket]:
    """Claim one second-factor attempt (a TOTP or recovery code, or the password to turn the factor
    off) for the user, before the code is checked: LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT per account
    from anywhere (whoever types codes knows the password already), and the client address's sign-in
    failures. Release the tickets when the code was right. Raises TooManyAttempts (claimed nothing)."""
    window = _sign_in_window()
    tickets = [_take(f"sign-in-from:{throttle.client_key(client_address)}", setting("LOGIN_MAX_FAILURES_PER_ADDRESS"),
                     window, now,
                     lambda wait: _l("Too many failed sign-ins from your network. Wait %(wait)s and try again.",
                                     wait=wait))]
    try:
        tickets.append(_take(f"second-factor:{user_uuid}", setting("LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"),
                             window, now,
                             lambda wait: _l("Too many wrong codes. Wait %(wait)s and try again.", wait=wait)))
    except TooManyAttempts:
        release(tickets)
        raise
    return tickets


# --- account mail -------------------------------------------------------------------------------


def take_client_mail_slot(client_address: str | None, now: datetime) -> None:
    """Count one account-mail request from a client, for registered and unknown addresses alike, so the
    refusal reveals nothing. Callers without a client (CLI, jobs, tests of services) are not limited.
    Raises TooManyAttempts."""
    if client_address is None:
        return
    _take(f"mail-from:{throttle.client_key(client_address)}", setting("ACCOUNT_MAIL_MAX_PER_CLIENT"),
          timedelta(seconds=setting("ACCOUNT_MAIL_WINDOW_SECONDS")), now,
          lambda wait: _l("Too many requests from your network. Wait %(wait)s and try again.", wait=wait))


def may_mail(address: str, now: datetime) -> bool:
    """Whether one more account email may go to address; call it inside the transaction that enqueues
    the email, so a rolled-back send gives its slot back."""
    try:
        throttle.take(f"mail-to:{address}", setting("ACCOUNT_MAIL_MAX_PER_ADDRESS"),
                      timedelta(seconds=setting("ACCOUNT_MAIL_WINDOW_SECONDS")), now)
    except throttle.Throttled:
        return False
    return True


def prune_throttles(*, now: datetime | None = None) -> int:
    """Forget uses older than every window (run by the scheduler)."""
    longest = max(setting("LOGIN_FAILURE_WINDOW_SECONDS"), setting("ACCOUNT_MAIL_WINDOW_SECONDS"),
                  setting("LOGIN_SLOWDOWN_MAX_SECONDS"))
    return throttle.prune((now or utcnow()) - timedelta(seconds=longest))
