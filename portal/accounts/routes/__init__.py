"""The accounts pages: the accounts blueprint, with each area's views registered explicitly.

    sign_in.py         signing in and out, and out everywhere
    sign_up.py         self sign-up and confirming an email address
    profile.py         one's own details, signed-in browsers and password
    password_reset.py  asking for a reset link, and setting a new password with it
    browser.py         the browser's side of signing in: the session token in Flask's cookie, the
                       user loader the app factory installs, and the known-browser cookie
"""

from flask import Blueprint

from portal.accounts.routes import password_reset, profile, sign_in, sign_up

bp = Blueprint("accounts", __name__)
for area in (sign_in, sign_up, profile, password_reset):
    area.register(bp)

__all__ = ["bp"]
