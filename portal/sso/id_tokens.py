"""Checking an ID token (OpenID Connect Core 1.0, section 3.1.3.7): signature through the provider's
published keys, issuer, audience, expiry, issue time and nonce. A function of its own, so tests can
hand it any token (tampered, expired, for another client, from another provider).

Authlib's CodeIDToken does the OpenID-specific checks (nonce, azp, at_hash); its defaults alone would
accept an ID token whose audience is another client as long as azp names ours, and would not insist
on iss, so the claims options below make issuer, audience, expiry and nonce essential and exact.
"""

from __future__ import annotations

from datetime import datetime

from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from portal.sso.providers import Provider, ProviderUnavailable, metadata, signing_keys

# Only signatures by the provider's public keys: never "none", never a shared-secret (HS*) algorithm
# that a public key could be passed off as.
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_SECONDS = 60  # clock skew between the provider and this server


class InvalidIdToken(ValueError):
    """The ID token is not one this provider issued for this sign-in (the reason is for the log)."""


def _algorithms(document: dict) -> list[str]:
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    return [alg for alg in offered if alg in ASYMMETRIC] or ["RS256"]


def _decode(raw: str, keys: dict, algorithms: list[str]):
    return jwt.decode(raw, KeySet.import_key_set(keys),
                      registry=JWSRegistry(algorithms=algorithms, strict_check_header=False))


def check_id_token(provider: Provider, raw: str, *, nonce: str, access_token: str | None = None,
                   now: datetime | None = None) -> dict:
    """The claims of `raw` if it is an ID token `provider` signed for this client and this sign-in
    (`nonce`), valid at `now`. Raises InvalidIdToken, ProviderUnavailable (no discovery or keys)."""
    if not raw or not isinstance(raw, str) or not nonce:
        raise InvalidIdToken("no ID token or no nonce")
    document = metadata(provider)
    algorithms = _algorithms(document)
    try:
        try:
            token = _decode(raw, signing_keys(provider), algorithms)
        except InvalidKeyIdError:
            # A key the provider rotated in since the keys were fetched: fetch them once more.
            token = _decode(raw, signing_keys(provider, force=True), algorithms)
        params = {"nonce": nonce, "client_id": provider.client_id}
        if access_token:
            params["access_token"] = access_token
        claims = CodeIDToken(
            token.claims, token.header,
            {
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
                "sub": {"essential": True},
                "exp": {"essential": True},
                "iat": {"essential": True},
                "nonce": {"essential": True, "value": nonce},
            },
            params,
        )
        claims.validate(now=int(now.timestamp()) if now else None, leeway=LEEWAY_SECONDS)
    except ProviderUnavailable:
        raise
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise InvalidIdToken(f"{type(exc).__name__}: {exc}") from exc
    return dict(claims)
