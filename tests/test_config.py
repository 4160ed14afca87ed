"""Configuration from the environment, with safe defaults and refusals in production."""

import pytest

from portal import create_app
from portal.config import ConfigError, load_config


def test_demo_defaults_keep_a_generated_secret_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = load_config({}, tmp_path)
    second = load_config({}, tmp_path)
    assert len(first["SECRET_KEY"]) >= 48 and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path / 'caseport.db'}"


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("CASEPORT_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        load_config({}, tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_environment_values_are_typed_and_bad_numbers_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNUP_ENABLED", "false")
    monkeypatch.setenv("UPLOAD_MAX_FILES", "3")
    config = load_config({}, tmp_path)
    assert config["SIGNUP_ENABLED"] is False and config["UPLOAD_MAX_FILES"] == 3
    monkeypatch.setenv("UPLOAD_MAX_FILES", "three")
    with pytest.raises(ConfigError, match="UPLOAD_MAX_FILES"):
        load_config({}, tmp_path)


def test_https_base_url_makes_the_session_cookie_secure(tmp_path):
    config = load_config({"BASE_URL": "https://help.example.com"}, tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_creating_the_app_has_no_side_effect_on_import_and_sets_security_headers(app, client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_unexpected_errors_show_a_friendly_500_page(database_url, tmp_path):
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 40})

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)


def test_notifier_backoff_timeouts_and_worker_id_are_read_from_the_environment(tmp_path, monkeypatch):
    from notifier import Settings

    values = {
        "NOTIFIER_BACKOFF_BASE_SECONDS": "5", "NOTIFIER_BACKOFF_CAP_SECONDS": "600",
        "NOTIFIER_CHANNEL_BACKOFF_BASE_SECONDS": "2", "NOTIFIER_CHANNEL_BACKOFF_CAP_SECONDS": "20",
        "SMTP_COMMAND_TIMEOUT": "120", "SMTP_DATA_TIMEOUT": "900", "SMS_RESPONSE_TIMEOUT": "30",
        "NOTIFIER_WORKER_ID": "notifier-1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_mapping(load_config({}, tmp_path))
    assert {name: str(getattr(settings, name)).removesuffix(".0") for name in values} == values
    monkeypatch.setenv("NOTIFIER_CHANNEL_BACKOFF_CAP_SECONDS", "0")
    with pytest.raises(ConfigError, match="NOTIFIER_CHANNEL_BACKOFF_CAP_SECONDS must be more than 0"):
        load_config({}, tmp_path)
