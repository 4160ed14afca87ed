"""Single sign-on with OpenID Connect: the authorization code flow with PKCE (S256), state and nonce,
and who an identity provider's answer signs in. Callable from the web or tests; none trusts its caller.

Who a first sign-in becomes (an identity not seen before):
- a user whose address the provider vouches for (email_verified true) and the provider's
  OIDC_<KEY>_EMAIL_DOMAINS allow: that user, linked for good by (issuer, subject). An invitee who has
  not accepted yet accepts this way; a self-signed-up customer who never confirmed their address loses
  the unproven password (someone else may have chosen it) and signs in with the provider only;
- no such user: a new customer, if sign-up is on and the provider may sign in customers; a new user
  with the role the provider's role claim maps to (OIDC_<KEY>_ROLE_MAP), the operator's explicit choice
  to let that provider provision staff; else refused (staff need an invitation).
Roles of existing users are never changed by a provider: an admin sets them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import peewee
import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.urls import add_params_to_uri
from authlib.integrations.requests_client import OAuth2Session

from portal import policy
from portal.accounts.service import sessions
from portal.clock import utcnow
from portal.contact import ContactError, normalize_email
from portal.customers.service import attach_verified_user
from portal.db import database
from portal.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from portal.i18n import _l
from portal.links import absolute
from portal.models.people import NO_PASSWORD, ROLES, User, UserToken
from portal.models.sso import SsoIdentity, SsoLogin
from portal.people.service.audit import record
from portal.settings import current, setting
from portal.sso.id_tokens import InvalidIdToken, check_id_token
from portal.sso.providers import Provider, ProviderUnavailable, metadata, parse_providers

# From the button to the provider's answer: long enough to type a password and a second factor there.
LOGIN_MINUTES = 10
DEACTIVATED = _l("This account has been deactivated. Contact your administrator.")


class SignInFailed(ValidationFailed):
    """The provider's answer does not sign anyone in (forged or used state, bad token, provider down)."""

    default_message = _l("Signing in with your organisation did not work. Please start again.")


def providers() -> tuple[Provider, ...]:
    """The configured identity providers, in the order of their buttons."""
    return parse_providers(current().config)


def provider(key: str) -> Provider:
    """Raises NotFound for a key no provider has."""
    found = next((p for p in providers() if p.key == key), None)
    if found is None:
        raise NotFound()
    return found


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _client(prov: Provider, document: dict) -> OAuth2Session:
    # How the client proves itself at the token endpoint: HTTP Basic, the default of OAuth 2.0 and
    # OpenID Connect, unless the provider says it takes only the secret in the form.
    offered = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_post" if "client_secret_basic" not in offered and "client_secret_post" in offered \
        else "client_secret_basic"
    return OAuth2Session(prov.client_id, prov.client_secret, scope=prov.scopes,
                         redirect_uri=absolute("sso.callback", key=prov.key), code_challenge_method="S256",
                         token_endpoint_auth_method=method)


def _metadata(prov: Provider) -> dict:
    try:
        return metadata(prov)
    except ProviderUnavailable as exc:
        raise SignInFailed(_l("%(provider)s cannot be reached just now. Try again in a few minutes.",
                              provider=prov.name)) from exc


def begin_sign_in(key: str, *, next_url: str = "", now: datetime | None = None) -> tuple[str, str]:
    """Start a sign-in with provider `key`: returns (state, the provider's authorization URL). The
    caller keeps state in the browser's session; finish_sign_in accepts the answer only with it.
    Raises NotFound (no such provider), SignInFailed (provider unreachable)."""
    prov = provider(key)
    document = _metadata(prov)
    now = now or utcnow()
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    with database.atomic():
        SsoLogin.create(state_hash=_hash(state), provider=prov.key, nonce=nonce, code_verifier=verifier,
                        next_url=(next_url or "")[:500], created_at=now)
    url, _ = _client(prov, document).create_authorization_url(document["authorization_endpoint"], state=state,
                                                    nonce=nonce, code_verifier=verifier)
    return state, url


def _claim_login(prov: Provider, state: str, browser_state: str | None, now: datetime) -> SsoLogin:
    """Take the sign-in `state` names, once: only in the browser that started it (login CSRF), only
    within LOGIN_MINUTES, and never twice (a replayed callback), even when racing."""
    if not state or not browser_state or not hmac.compare_digest(state, browser_state):
        raise SignInFailed()
    claimed = (
        SsoLogin.update(used_at=now)
        .where((SsoLogin.state_hash == _hash(state)) & SsoLogin.used_at.is_null()
               & (SsoLogin.provider == prov.key) & (SsoLogin.created_at > now - timedelta(minutes=LOGIN_MINUTES)))
        .execute()
    )
    if not claimed:
        raise SignInFailed()
    return SsoLogin.get(SsoLogin.state_hash == _hash(state))


def finish_sign_in(key: str, *, state: str, browser_state: str | None, code: str | None, error: str | None = None,
                   now: datetime | None = None) -> tuple[User, SsoLogin]:
    """The provider's answer (the callback's state, code or error) for the sign-in this browser started
    (browser_state): exchanges the code with the PKCE verifier, checks the ID token and returns the
    user it signs in with the sign-in's record. Raises NotFound, SignInFailed, NotAllowed (refused)."""
    prov = provider(key)
    now = now or utcnow()
    with database.atomic():
        login = _claim_login(prov, state, browser_state, now)
    if error or not code:
        raise SignInFailed(_l("%(provider)s did not sign you in.", provider=prov.name))
    document = _metadata(prov)
    try:
        token = _client(prov, document).fetch_token(document["token_endpoint"], code=code,
                                                    code_verifier=login.code_verifier,
                                                    grant_type="authorization_code", timeout=30)
        claims = check_id_token(prov, token.get("id_token"), nonce=login.nonce,
                                access_token=token.get("access_token"), now=now)
    except (AuthlibBaseError, requests.RequestException, InvalidIdToken, ProviderUnavailable, ValueError) as exc:
        raise SignInFailed() from exc
    user = sign_in_identity(prov, claims, now=now)
    with database.atomic():
        SsoLogin.update(user=user, id_token=token["id_token"]).where(SsoLogin.id == login.id).execute()
    login.user, login.id_token = user, token["id_token"]
    return user, login


def _may_sign_in(prov: Provider, user: User) -> None:
    if not user.active:
        raise NotAllowed(DEACTIVATED)
    if not policy.can_sign_in_with_provider(user, prov.roles):
        raise NotAllowed(_l("Your account cannot sign in with %(provider)s.", provider=prov.name))


def _display_name(claims: dict, email: str) -> str:
    name = claims.get("name") or " ".join(str(claims.get(part) or "") for part in ("given_name", "family_name"))
    name = " ".join(str(name).split())
    return (name or email.partition("@")[0])[:120]


def _new_user_role(prov: Provider, claims: dict) -> str | None:
    if prov.role_claim:
        mapped = prov.mapped_roles(claims.get(prov.role_claim))
        if mapped:
            role = max(mapped, key=ROLES.index)
            return role if role != "customer" or setting("SIGNUP_ENABLED") else None
    if "customer" in prov.roles and setting("SIGNUP_ENABLED"):
        return "customer"
    return None


def _vouched_email(prov: Provider, claims: dict) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        raise NotAllowed(_l("%(provider)s has not confirmed your email address, so it cannot sign you in here.",
                            provider=prov.name))
    try:
        normalized = normalize_email(email)
    except ContactError as exc:
        raise NotAllowed(_l("%(provider)s has not confirmed your email address, so it cannot sign you in here.",
                            provider=prov.name)) from exc
    if not prov.allows_domain(normalized):
        raise NotAllowed(_l("Addresses at %(domain)s cannot sign in with %(provider)s.",
                            domain=normalized.rpartition("@")[2], provider=prov.name))
    return normalized


def _link_existing(prov: Provider, user: User, now: datetime) -> None:
    if user.invitation_pending:
        # The invitation is accepted by signing in: the provider vouched for the invited address.
        user.email_verified_at = now
        (UserToken.update(used_at=now)
         .where((UserToken.user == user) & (UserToken.purpose == "invitation") & UserToken.used_at.is_null())
         .execute())
        record(None, user, "invitation_accepted", now, new={"sso": prov.key})
    elif user.email_verified_at is None:
        # Signed up, never confirmed: whoever chose the password never proved the address was theirs.
        user.password_hash = NO_PASSWORD
        user.email_verified_at = now
        sessions.end_all_sessions(user, now=now)
        if user.role == "customer":
            attach_verified_user(user)


def sign_in_identity(prov: Provider, claims: dict, *, now: datetime | None = None) -> User:
    """The user checked ID token claims from `prov` sign in (see the module's docstring), linking or
    creating them on first use, with last sign-in recorded. Raises NotAllowed (refused, deactivated)."""
    now = now or utcnow()
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    identity = (
        SsoIdentity.select(SsoIdentity, User)
        .join(User)
        .where((SsoIdentity.issuer == issuer) & (SsoIdentity.subject == subject))
        .first()
    )
    if identity is not None:
        user = identity.user
        _may_sign_in(prov, user)
        with database.atomic():
            SsoIdentity.update(last_used_at=now).where(SsoIdentity.id == identity.id).execute()
            User.update(last_login_at=now).where(User.id == user.id).execute()
        return user
    email = _vouched_email(prov, claims)
    try:
        with database.atomic():
            user = User.get_or_none(User.email == email)
            if user is not None:
                _may_sign_in(prov, user)
                _link_existing(prov, user, now)
            else:
                role = _new_user_role(prov, claims)
                if role is None:
                    raise NotAllowed(_l("There is no account for %(email)s here. Ask your administrator for an "
                                        "invitation.", email=email))
                user = User.create(email=email, display_name=_display_name(claims, email), role=role,
                                   password_hash=NO_PASSWORD, time_zone=setting("DEFAULT_TIME_ZONE"),
                                   language=setting("DEFAULT_LANGUAGE"), email_verified_at=now, created_at=now)
                if role == "customer":
                    attach_verified_user(user)
            user.last_login_at = now
            user.save()
            SsoIdentity.create(user=user, issuer=issuer, subject=subject, provider=prov.key, email=email,
                               created_at=now, last_used_at=now)
    except peewee.IntegrityError as exc:
        # The same identity (or a new user's address) was linked by a sign-in racing this one.
        raise Conflict(_l("You were signed in from another window meanwhile. Please start again.")) from exc
    return user


def sign_out_url(state: str | None, user: User) -> tuple[str, str] | None:
    """(provider name, URL) of RP-initiated logout at the provider that signed this browser in (the
    sign-in `state`), if it offers it (end_session_endpoint); None otherwise or when unreachable."""
    if not state:
        return None
    login = SsoLogin.get_or_none((SsoLogin.state_hash == _hash(state)) & (SsoLogin.user == user))
    if login is None or not login.id_token:
        return None
    try:
        prov = provider(login.provider)
        endpoint = metadata(prov).get("end_session_endpoint")
    except (NotFound, ProviderUnavailable):
        return None
    if not isinstance(endpoint, str) or not endpoint:
        return None
    params = [("id_token_hint", login.id_token), ("client_id", prov.client_id),
              ("post_logout_redirect_uri", absolute("accounts.login"))]
    return prov.name, add_params_to_uri(endpoint, params)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def authorization_origins(found: tuple[Provider, ...]) -> tuple[str, ...]:
    """The issuers' origins, where their sign-in buttons lead (a page's CSP form-action)."""
    return tuple(dict.fromkeys(origin(prov.issuer) for prov in found))


def has_identity(user: User) -> bool:
    return SsoIdentity.select().where(SsoIdentity.user == user).exists()


def prune_sso_logins(*, now: datetime | None = None) -> int:
    """Delete sign-in records no session can need any more (run by the scheduler)."""
    now = now or utcnow()
    with database.atomic():
        return (SsoLogin.delete()
                .where(SsoLogin.created_at < now - timedelta(hours=setting("SESSION_MAX_HOURS")))
                .execute())
