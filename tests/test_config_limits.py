"""The session, proxy and throttling settings: read from the environment, refused when they make no sense."""

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import create_app
from portal.config import ConfigError, load_config


def test_session_and_throttle_settings_have_helpdesk_defaults(tmp_path):
    config = load_config({}, tmp_path)
    assert config["SESSION_IDLE_MINUTES"] == 120 and config["SESSION_MAX_HOURS"] == 12
    assert config["TRUSTED_PROXIES"] == 0
    assert config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"] == 5 and config["LOGIN_SLOWDOWN_MAX_SECONDS"] == 60
    assert config["ACCOUNT_MAIL_MAX_PER_ADDRESS"] == 3 and config["ACCOUNT_MAIL_WINDOW_SECONDS"] == 3600


def test_the_settings_are_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    config = load_config({}, tmp_path)
    assert config["SESSION_IDLE_MINUTES"] == 30 and config["TRUSTED_PROXIES"] == 2


@pytest.mark.parametrize("key, value", [
    ("SESSION_IDLE_MINUTES", 0),
    ("SESSION_MAX_HOURS", -1),
    ("TRUSTED_PROXIES", -1),
    ("LOGIN_MAX_FAILURES_PER_ADDRESS", 0),
    ("ACCOUNT_MAIL_MAX_PER_ADDRESS", 0),
    ("LOGIN_SLOWDOWN_MAX_SECONDS", "60"),
    ("TRUSTED_PROXIES", True),
])
def test_limits_that_would_lock_everyone_out_or_switch_a_check_off_are_refused(tmp_path, key, value):
    with pytest.raises(ConfigError, match=key):
        load_config({key: value}, tmp_path)


def test_proxy_headers_are_trusted_only_when_configured(database_url, tmp_path):
    plain = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 40})
    assert not isinstance(plain.wsgi_app, ProxyFix)
    proxied = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 40,
                          "TRUSTED_PROXIES": 2})
    assert isinstance(proxied.wsgi_app, ProxyFix)
    assert (proxied.wsgi_app.x_for, proxied.wsgi_app.x_proto, proxied.wsgi_app.x_host) == (2, 2, 0)
