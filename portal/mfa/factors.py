"""Which second factors a user has. The one place that knows the list: the sign-in asks it whether a
second step is due, the verify page which method panels to show, turning a factor off whether another
one remains. A new factor (passkeys) adds its name and its check here."""

from __future__ import annotations

from portal.models.mfa import RecoveryCode, TotpFactor
from portal.models.passkeys import Passkey
from portal.models.people import User

# Factors that prove possession of something on their own; "recovery" only stands in for a lost one.
PRIMARY_FACTORS = ("passkey", "totp")


def factors_for(user: User) -> list[str]:
    """The user's second factors, in the order the verify page offers them: "passkey" (portal/passkeys),
    "totp" (an authenticator app), "recovery" (unused recovery codes left)."""
    found = []
    if Passkey.select().where(Passkey.user == user).exists():
        found.append("passkey")
    if TotpFactor.select().where(TotpFactor.user == user).exists():
        found.append("totp")
    if RecoveryCode.select().where((RecoveryCode.user == user) & RecoveryCode.used_at.is_null()).exists():
        found.append("recovery")
    return found


def has_second_factor(user: User) -> bool:
    """Whether signing in asks this user for a second step (a recovery code alone is no factor)."""
    return any(name in PRIMARY_FACTORS for name in factors_for(user))
