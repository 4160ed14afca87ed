"""Accounts: signing in and out, sign-up, email verification, profiles, changing and resetting
passwords, server-side sessions and the limits on sign-in and account mail.

    routes/   the pages, and the browser's side of signing in (routes/browser.py)
    forms.py  the forms' shape (lengths, required fields)
    service/  every rule and state change, by area (see its __init__)
"""
