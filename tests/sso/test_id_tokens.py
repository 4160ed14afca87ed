"""The ID token check on its own, fed genuine, foreign, expired, tampered and forged tokens."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from portal.sso.id_tokens import LEEWAY_SECONDS, InvalidIdToken, check_id_token
from portal.sso.providers import parse_providers
from tests.sso.provider import fetch_id_token, provider_settings, start_provider


def corp(provider, **extra):
    return parse_providers({"OIDC_PROVIDERS": "corp", **provider_settings(provider, **extra)})[0]


@pytest.fixture
def genuine(oidc_provider):
    oidc_provider.put_user("u-1", email="ida@corp.example", email_verified=True)
    return fetch_id_token(oidc_provider, "u-1", nonce="nonce-1")


def _claims(raw: str) -> dict:
    payload = raw.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_genuine_token_gives_its_claims(oidc_provider, genuine):
    claims = check_id_token(corp(oidc_provider), genuine["id_token"], nonce="nonce-1",
                            access_token=genuine["access_token"])
    assert (claims["sub"], claims["email"], claims["iss"]) == ("u-1", "ida@corp.example", oidc_provider.issuer)


def test_another_nonce_is_refused(oidc_provider, genuine):
    with pytest.raises(InvalidIdToken):
        check_id_token(corp(oidc_provider), genuine["id_token"], nonce="someone-elses-nonce")


def test_a_token_for_another_client_is_refused(oidc_provider):
    oidc_provider.put_user("u-2", email="jo@corp.example", email_verified=True)
    foreign = fetch_id_token(oidc_provider, "u-2", client_id="another-app", nonce="nonce-1")
    assert _claims(foreign["id_token"])["aud"] in ("another-app", ["another-app"])
    with pytest.raises(InvalidIdToken, match="aud"):
        check_id_token(corp(oidc_provider), foreign["id_token"], nonce="nonce-1")


def test_an_expired_token_is_refused_after_the_leeway(oidc_provider, genuine):
    expiry = datetime.fromtimestamp(_claims(genuine["id_token"])["exp"], UTC)
    check_id_token(corp(oidc_provider), genuine["id_token"], nonce="nonce-1",
                   now=expiry + timedelta(seconds=LEEWAY_SECONDS - 5))
    with pytest.raises(InvalidIdToken, match="exp"):
        check_id_token(corp(oidc_provider), genuine["id_token"], nonce="nonce-1",
                       now=expiry + timedelta(seconds=LEEWAY_SECONDS + 5))


def test_a_token_of_another_issuer_is_refused(oidc_provider):
    second = start_provider()
    try:
        second.put_user("u-3", email="kim@corp.example", email_verified=True)
        other = fetch_id_token(second, "u-3", nonce="nonce-1")
        with pytest.raises(InvalidIdToken):
            check_id_token(corp(oidc_provider), other["id_token"], nonce="nonce-1")
    finally:
        second.stop()


def test_a_tampered_token_fails_the_signature_check(oidc_provider, genuine):
    header, payload, signature = genuine["id_token"].split(".")
    claims = _claims(genuine["id_token"])
    claims["sub"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidIdToken, match="[Ss]ignature"):
        check_id_token(corp(oidc_provider), f"{header}.{forged}.{signature}", nonce="nonce-1")


def test_a_token_signed_with_a_key_the_provider_does_not_publish_is_refused(oidc_provider, genuine):
    claims = _claims(genuine["id_token"])  # every claim right: only the key is wrong
    forged = jwt.encode({"alg": "RS256"}, claims, RSAKey.generate_key(2048))
    with pytest.raises(InvalidIdToken):
        check_id_token(corp(oidc_provider), forged, nonce="nonce-1")


def test_unsigned_and_shared_secret_tokens_are_refused(oidc_provider, genuine):
    claims = _claims(genuine["id_token"])
    unsigned = ".".join(base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
                        for part in ({"alg": "none"}, claims)) + "."
    hs256 = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key("caseport-secret"))
    for token in (unsigned, hs256):
        with pytest.raises(InvalidIdToken):
            check_id_token(corp(oidc_provider), token, nonce="nonce-1")


def test_a_missing_token_is_refused(oidc_provider):
    with pytest.raises(InvalidIdToken):
        check_id_token(corp(oidc_provider), "", nonce="nonce-1")
    with pytest.raises(InvalidIdToken):
        check_id_token(corp(oidc_provider), "not.a.jwt", nonce="nonce-1")
