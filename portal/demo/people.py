"""Demo people: organisations, their contacts (some of whom sign in), and staff of every role.

Idempotent: whoever exists already (by email or account number) is left as it is.
"""

from __future__ import annotations

from portal.accounts.service import NewUser, create_user
from portal.customers.service import create_customer_profile
from portal.models.people import Account, Customer, User
from portal.passwords import verify_password

# Not a secret: the demo runs on 127.0.0.1 with made-up people, and the logins are printed.
DEMO_PASSWORD = "caseport-demo-2026"  # noqa: S105

ACCOUNTS = [
    ("Northwind Traders", "ACC-10041"),
    ("Bluebird Dental Group", "ACC-10077"),
    ("Harbour City Council", "ACC-10102"),
]

STAFF = [
    ("admin", "admin@caseport.example.com", "Alex Morgan", "Europe/London"),
    ("supervisor", "sam.supervisor@caseport.example.com", "Samira Haddad", "Europe/London"),
    ("agent", "ada.agent@caseport.example.com", "Ada Okafor", "Europe/London"),
    ("agent", "li.agent@caseport.example.com", "Li Wei", "Asia/Singapore"),
    ("proxy", "pat.proxy@caseport.example.com", "Pat Quinn", "America/New_York"),
]

# (first, last, email, phone, account index, account manager, signs in)
CUSTOMERS = [
    ("Maria", "Garcia", "maria.garcia@northwind.example.com", "+14155550101", 0, True, True),
    ("Tom", "Becker", "tom.becker@northwind.example.com", "+14155550102", 0, False, True),
    ("Priya", "Natarajan", "priya@bluebird-dental.example.com", "+442079460958", 1, False, True),
    ("James", "O'Connor", "j.oconnor@harbourcity.example.com", "+35312345678", 2, True, False),
    ("Yuki", "Tanaka", "yuki.tanaka@harbourcity.example.com", "+81312345678", 2, False, False),
    ("Lena", "Fischer", "lena.fischer@example.com", "+493012345678", None, False, True),
]


def load_people() -> list[tuple[str, str, str]]:
    accounts = []
    for name, number in ACCOUNTS:
        account, _ = Account.get_or_create(account_number=number, defaults={"name": name})
        accounts.append(account)
    logins = []
    for role, email, name, zone in STAFF:
        if not User.select().where(User.email == email).exists():
            create_user(NewUser(email=email, display_name=name, password=DEMO_PASSWORD, role=role, time_zone=zone))
        logins.append((role, email, name))
    for first, last, email, phone, account_index, manager, signs_in in CUSTOMERS:
        account = accounts[account_index] if account_index is not None else None
        if not Customer.select().where(Customer.email == email).exists():
            create_customer_profile(first_name=first, last_name=last, email=email, phone=phone, account=account,
                                    is_account_manager=manager)
        if signs_in:
            if not User.select().where(User.email == email).exists():
                # Verified: the new user is joined to the profile above by its email address.
                create_user(NewUser(email=email, display_name=f"{first} {last}", password=DEMO_PASSWORD,
                                    role="customer", phone=phone, time_zone="Europe/London"))
            note = " (account manager)" if manager else ""
            logins.append(("customer", email, f"{first} {last}{note}"))
    return logins


def on_demo_password(emails: list[str]) -> set[str]:
    """Which of these demo users still sign in with DEMO_PASSWORD (someone may have changed theirs)."""
    hashes = dict(User.select(User.email, User.password_hash).where(User.email.in_(emails)).tuples())
    return {email for email, password_hash in hashes.items() if verify_password(password_hash, DEMO_PASSWORD)}
