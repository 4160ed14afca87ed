"""Identity providers come from OIDC_* settings, checked when the app starts; what they publish is
checked when first used."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.sso.providers import ProviderUnavailable, forget_metadata, metadata, parse_providers

GOOD = {"OIDC_PROVIDERS": "corp", "OIDC_CORP_ISSUER": "https://id.corp.example/", "OIDC_CORP_CLIENT_ID": "cp",
        "OIDC_CORP_CLIENT_SECRET": "s3cret"}


def test_a_provider_with_defaults():
    (corp,) = parse_providers(GOOD)
    assert (corp.key, corp.name, corp.issuer, corp.scopes) == ("corp", "corp", "https://id.corp.example",
                                                              "openid email profile")
    assert (corp.roles, corp.email_domains, corp.role_map) == (("customer",), (), ())
    assert corp.allows_domain("anyone@anywhere.example")


def test_domains_roles_and_role_map_are_read():
    (corp,) = parse_providers({**GOOD, "OIDC_CORP_ROLES": "agent, admin", "OIDC_CORP_EMAIL_DOMAINS": "@Corp.example",
                               "OIDC_CORP_ROLE_CLAIM": "groups", "OIDC_CORP_ROLE_MAP": "a=b=agent,boss=admin"})
    assert corp.roles == ("agent", "admin") and corp.email_domains == ("corp.example",)
    assert corp.mapped_roles(["x", "a=b", "boss"]) == ["agent", "admin"]
    assert corp.allows_domain("x@CORP.example") and not corp.allows_domain("x@corp.example.evil")


@pytest.mark.parametrize(("change", "message"), [
    ({"OIDC_CORP_CLIENT_ID": ""}, "OIDC_CORP_CLIENT_ID must be set"),
    ({"OIDC_CORP_ISSUER": ""}, "OIDC_CORP_ISSUER must be set"),
    ({"OIDC_CORP_ISSUER": "http://id.corp.example"}, "OIDC_CORP_ISSUER must be an https:// URL"),
    ({"OIDC_CORP_SCOPES": "email profile"}, "OIDC_CORP_SCOPES must include openid"),
    ({"OIDC_CORP_ROLES": "agent,wizard"}, "OIDC_CORP_ROLES: wizard is not a role"),
    ({"OIDC_CORP_ROLE_CLAIM": "groups", "OIDC_CORP_ROLE_MAP": "boss=admin"}, "with a role in OIDC_CORP_ROLES"),
    ({"OIDC_CORP_ROLE_MAP": "boss=customer"}, "OIDC_CORP_ROLE_MAP needs OIDC_CORP_ROLE_CLAIM"),
    ({"OIDC_PROVIDERS": "corp,corp"}, "names 'corp' twice"),
    ({"OIDC_PROVIDERS": "Bad-Key"}, "is not a provider key"),
])
def test_the_app_refuses_to_start_with_a_provider_it_cannot_use(tmp_path, change, message):
    with pytest.raises(ConfigError, match=message):
        create_app({"SECRET_KEY": "x" * 40, "INSTANCE_PATH": str(tmp_path), **GOOD, **change})


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    for key, value in {**GOOD, "OIDC_CORP_CLIENT_ID": ""}.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match="OIDC_CORP_CLIENT_ID must be set"):
        create_app({"SECRET_KEY": "x" * 40, "INSTANCE_PATH": str(tmp_path)})


def test_a_discovery_document_of_another_issuer_is_not_used():
    """OpenID Connect Discovery 4.3: the document must be the configured issuer's own."""
    import json
    import threading

    from werkzeug.serving import make_server

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"issuer": "https://someone-else.example", "authorization_endpoint": "x",
                            "token_endpoint": "y", "jwks_uri": "z"}).encode()]

    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        (corp,) = parse_providers({**GOOD, "OIDC_CORP_ISSUER": f"http://127.0.0.1:{server.server_port}"})
        forget_metadata()
        with pytest.raises(ProviderUnavailable, match="is for issuer"):
            metadata(corp)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        forget_metadata()
