"""A second factor for signing in: TOTP (authenticator apps), single-use recovery codes and remembered
browsers; more factors (passkeys) plug in through factors.py and the verify page's method panels.

    factors.py   which second factors a user has: factors_for(user) -> ["totp", "recovery", ...]
    totp.py      the TOTP arithmetic (RFC 6238): secrets, codes per 30 s step, ±1 step of drift
    service.py   enrolment, checking codes (throttled, each code once), recovery codes, turning the
                 factor off, an admin's reset; every change audited (portal.people.service.audit)
    devices.py   remembered browsers: hashed tokens with an expiry, listed and revoked
    pending.py   the browser's side: the short-lived "password right, second factor pending" state in
                 the signed session, and completing the sign-in once a factor succeeded
    routes.py    the verify page, the mandatory enrolment page and the account's second-factor pages
"""
