"""Driving the second factor like a person with an authenticator app: pyotp computes the codes from the
secret the enrolment page shows."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pyotp

from portal.clock import utcnow
from tests.fixtures import csrf_token_from, post_form

SECRET_RE = re.compile(r'<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)</code>')
RECOVERY_RE = re.compile(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code></li>")


def secret_on(page: str) -> str:
    match = SECRET_RE.search(page)
    assert match, "the page shows no secret"
    return match.group(1).replace(" ", "")


def code(secret: str, at: datetime | None = None) -> str:
    return pyotp.TOTP(secret).at(at or utcnow())


def next_step_code(secret: str, after: datetime | None = None) -> str:
    """The code of the following 30 s step (accepted as drift, and never used yet)."""
    return code(secret, (after or utcnow()) + timedelta(seconds=30))


def enrol(client, url: str = "/account/second-factor") -> tuple[str, list[str]]:
    """Set up the authenticator app on url's page; returns (secret, recovery codes)."""
    page = client.get(url).get_data(as_text=True)
    secret = secret_on(page)
    response = client.post(url, data={"csrf_token": csrf_token_from(page), "code": code(secret)})
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = RECOVERY_RE.findall(response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def password_step(client, user, password: str):
    return post_form(client, "/login", {"email": user.email, "password": password})


def verify(client, value: str, *, remember: bool = False):
    data = {"code": value}
    if remember:
        data["remember"] = "y"
    return post_form(client, "/sign-in/second-factor/code", data, page="/sign-in/second-factor")


def verify_recovery(client, value: str):
    return post_form(client, "/sign-in/second-factor/recovery", {"recovery_code": value},
                     page="/sign-in/second-factor")
