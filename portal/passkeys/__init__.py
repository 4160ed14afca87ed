"""Passkeys (WebAuthn, with py_webauthn): registering them on the account page, signing in with one and
no password, and (with portal/mfa) using one as the second factor after a password.

    rules.py       pure rules: names, the signature counter, how recent a proof must be
    challenges.py  single-use, short-lived challenges, one per ceremony
    service.py     registering, renaming, removing, and checking an assertion (sign-in, second factor)
    routes.py      the account page's forms and the JSON options the browser's script asks for
"""
