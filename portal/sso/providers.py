"""Identity providers from the configuration, and what each one publishes (discovery, signing keys).

    OIDC_PROVIDERS=corp,partners            the providers' keys, in the order of their buttons
    OIDC_CORP_ISSUER=https://id.corp.example
    OIDC_CORP_CLIENT_ID=...   OIDC_CORP_CLIENT_SECRET=...
    OIDC_CORP_NAME=Corp ID                  the button says "Sign in with Corp ID" (default: the key)
    OIDC_CORP_SCOPES=openid email profile   (the default; "openid" is required)
    OIDC_CORP_ROLES=agent,supervisor,admin  the roles whose users may sign in with it (default: customer)
    OIDC_CORP_EMAIL_DOMAINS=corp.example    addresses that may be linked or get an account (default: any)
    OIDC_CORP_ROLE_CLAIM=groups             optional: a claim whose values choose a new user's role
    OIDC_CORP_ROLE_MAP=cp-agents=agent,cp-admins=admin   claim value=role, only roles in _ROLES

The configuration is checked when the app starts (load_config); the provider's discovery document and
keys are fetched on first use and kept in memory, so a provider that is down does not stop the portal.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from portal.models.people import ROLES

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DEFAULT_SCOPES = "openid email profile"
HTTP_TIMEOUT = 10
METADATA_SECONDS = 3600  # discovery and keys are fetched again after this; sooner on an unknown key id


class ProviderConfigError(ValueError):
    """The OIDC_* settings are not usable; the message names the setting."""


class ProviderUnavailable(RuntimeError):
    """The provider's discovery document or keys could not be fetched or make no sense."""


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    roles: tuple[str, ...]
    email_domains: tuple[str, ...]
    role_claim: str = ""
    role_map: tuple[tuple[str, str], ...] = ()

    def allows_domain(self, email: str) -> bool:
        if not self.email_domains:
            return True
        domain = email.rpartition("@")[2].lower()
        return domain in self.email_domains

    def mapped_roles(self, claim_value) -> list[str]:
        """The roles the role claim's value(s) map to (only roles this provider is allowed for)."""
        values = claim_value if isinstance(claim_value, list) else [claim_value]
        mapping = dict(self.role_map)
        return [mapping[value] for value in values if isinstance(value, str) and value in mapping]


def _list(raw: object) -> list[str]:
    return [part.strip() for part in str(raw or "").split(",") if part.strip()]


def parse_providers(config: Mapping[str, object]) -> tuple[Provider, ...]:
    """The providers the configuration names. Raises ProviderConfigError with the setting at fault."""
    keys = [key.lower() for key in _list(config.get("OIDC_PROVIDERS"))]
    providers = []
    for key in keys:
        if not _KEY.match(key):
            raise ProviderConfigError(f"OIDC_PROVIDERS: {key!r} is not a provider key (letters, digits, _)")
        if keys.count(key) > 1:
            raise ProviderConfigError(f"OIDC_PROVIDERS names {key!r} twice")
        prefix = f"OIDC_{key.upper()}_"

        def value(name: str, default: str | None = None, prefix=prefix, key=key) -> str:
            raw = str(config.get(prefix + name) or "").strip()
            if raw:
                return raw
            if default is None:
                raise ProviderConfigError(f"{prefix}{name} must be set (OIDC_PROVIDERS names {key!r})")
            return default

        issuer = value("ISSUER").rstrip("/")
        parts = urlsplit(issuer)
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and local):
            raise ProviderConfigError(f"{prefix}ISSUER must be an https:// URL, not {issuer!r}")
        scopes = value("SCOPES", DEFAULT_SCOPES)
        if "openid" not in scopes.split():
            raise ProviderConfigError(f"{prefix}SCOPES must include openid, not {scopes!r}")
        roles = tuple(_list(value("ROLES", "customer")))
        unknown = [role for role in roles if role not in ROLES]
        if unknown:
            raise ProviderConfigError(f"{prefix}ROLES: {', '.join(unknown)} is not a role ({', '.join(ROLES)})")
        domains = tuple(domain.lower().lstrip("@") for domain in _list(config.get(prefix + "EMAIL_DOMAINS")))
        role_claim = value("ROLE_CLAIM", "")
        role_map = []
        for pair in _list(config.get(prefix + "ROLE_MAP")):
            claim_value, sep, role = pair.rpartition("=")
            if not sep or not claim_value or role not in roles:
                raise ProviderConfigError(
                    f"{prefix}ROLE_MAP: {pair!r} must be value=role with a role in {prefix}ROLES ({', '.join(roles)})")
            role_map.append((claim_value, role))
        if role_map and not role_claim:
            raise ProviderConfigError(f"{prefix}ROLE_MAP needs {prefix}ROLE_CLAIM (the claim it reads)")
        providers.append(Provider(key=key, name=value("NAME", key), issuer=issuer, client_id=value("CLIENT_ID"),
                                  client_secret=value("CLIENT_SECRET"), scopes=scopes, roles=roles,
                                  email_domains=domains, role_claim=role_claim, role_map=tuple(role_map)))
    return tuple(providers)


# --- what the providers publish --------------------------------------------------------------------

_cache: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {exc}") from exc
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return document


def _cached(url: str, *, force: bool = False) -> dict:
    now = time.monotonic()
    with _lock:
        hit = _cache.get(url)
    if hit and not force and now - hit[0] < METADATA_SECONDS:
        return hit[1]
    document = _get_json(url)
    with _lock:
        _cache[url] = (now, document)
    return document


def metadata(provider: Provider) -> dict:
    """The provider's discovery document (.well-known/openid-configuration), checked: it must be the
    configured issuer's (OpenID Connect Discovery 1.0, section 4.3) and name the endpoints used here."""
    document = _cached(f"{provider.issuer}/.well-known/openid-configuration")
    if str(document.get("issuer", "")).rstrip("/") != provider.issuer:
        raise ProviderUnavailable(f"{provider.key}: the discovery document is for issuer "
                                  f"{document.get('issuer')!r}, not {provider.issuer!r}")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(name), str):
            raise ProviderUnavailable(f"{provider.key}: the discovery document has no {name}")
    return document


def signing_keys(provider: Provider, *, force: bool = False) -> dict:
    """The provider's JSON Web Key Set (force: fetch again, for a key id not seen yet)."""
    return _cached(metadata(provider)["jwks_uri"], force=force)


def forget_metadata() -> None:
    """Drop every cached document (tests start providers on new ports)."""
    with _lock:
        _cache.clear()
