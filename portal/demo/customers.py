"""Demo data: products/assets for the demo accounts, and profiles without logins, two on one phone line."""

from __future__ import annotations

from portal.customers.service import create_customer_profile
from portal.models.assets import Asset
from portal.models.people import Account, Customer

# account number -> (name, identifier) of its products and assets
ASSETS = {
    "ACC-10041": [("Model X200 printer", "SN-X200-00417"), ("Warehouse handheld scanner", "WH-SCAN-22"),
                  ("Point-of-sale terminal", "POS-NW-03")],
    "ACC-10077": [("Practice management suite licence", "LIC-BB-2024")],
    "ACC-10102": [("Council website hosting", "HOST-HCC-01"), ("Parking meter network", "PM-NET-7")],
}

# (first, last, email, phone, account number): no sign-in. The Millers share a household landline, so
# searching it shows two profiles and what tells them apart.
PROFILES = [
    ("Grace", "Miller", "grace.miller@example.com", "+14155550199", None),
    ("Henry", "Miller", None, "+14155550199", None),
    ("Maria", "Gomez", "m.gomez@bluebird-dental.example.com", "+442079460123", "ACC-10077"),
    ("Ahmed", "Khan", "ahmed.khan@harbourcity.example.com", None, "ACC-10102"),
]


def load_assets_and_profiles() -> list:
    accounts = {a.account_number: a for a in Account.select().where(Account.account_number.in_(list(ASSETS)))}
    for number, assets in ASSETS.items():
        account = accounts.get(number)
        if account is None:
            continue
        for name, identifier in assets:
            Asset.get_or_create(account=account, identifier=identifier, defaults={"name": name})
    for first, last, email, phone, number in PROFILES:
        exists = Customer.select().where((Customer.first_name == first) & (Customer.last_name == last)).exists()
        if not exists:
            create_customer_profile(first_name=first, last_name=last, email=email, phone=phone,
                                    account=accounts.get(number) if number else None)
    return []
