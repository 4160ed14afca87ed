"""GET /me: who the token acts as, and what it may do."""

from __future__ import annotations

from datetime import datetime

from portal.api.framework import current_token, operation
from portal.api.schemas import Model


class Me(Model):
    id: str
    email: str
    display_name: str
    role: str
    language: str
    time_zone: str
    token: TokenInfo


class TokenInfo(Model):
    id: str
    name: str
    scopes: list[str]
    expires_at: datetime


Me.model_rebuild()


@operation("/me", "GET", scope=None, tag="Account", summary="Who this token acts as",
           response=Me, errors=(401,))
def me() -> Me:
    """The user the token acts as (every call sees what this user sees) and the token's own scopes and expiry."""
    token = current_token()
    user = token.user
    return Me(id=user.uuid, email=user.email, display_name=user.display_name, role=user.role,
              language=user.language, time_zone=user.time_zone,
              token=TokenInfo(id=token.uuid, name=token.name, scopes=token.scopes, expires_at=token.expires_at))
