"""Notifier fixtures: the notifier's tables on the per-test database, seeded templates, settings,
and the local SMTP and SMS servers (each stopped by its fixture)."""

from __future__ import annotations

import pytest

import notifier
from notifier.settings import DEFAULT_TEMPLATES_DIR, Settings
from notifier.templates import seed_defaults
from tests.notifier.factories import T0
from tests.servers import sms_gateway, smtp_server  # noqa: F401 - fixtures shared with other tests


@pytest.fixture
def notifier_db(empty_database):
    notifier.bind_database(empty_database)
    empty_database.create_tables(notifier.MODELS)
    return empty_database


@pytest.fixture
def seeded(notifier_db):
    seed_defaults(DEFAULT_TEMPLATES_DIR, now=T0)
    return notifier_db


def make_settings(**overrides) -> Settings:
    values = {
        "MAIL_BACKEND": "devsink",
        "SMS_BACKEND": "devsink",
        "MAIL_FROM": "Caseport <no-reply@caseport.test>",
        "MAIL_MESSAGE_ID_DOMAIN": "caseport.test",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_TIMEOUT": 5,
        "SMS_TIMEOUT": 5,
        "NOTIFIER_BACKOFF_BASE_SECONDS": 10,
        "NOTIFIER_BACKOFF_CAP_SECONDS": 60,
        "NOTIFIER_MAX_ATTEMPTS": 4,
    }
    values.update(overrides)
    return Settings.from_mapping(values)


@pytest.fixture
def smtp_settings(smtp_server):  # noqa: F811 - the imported fixture
    return make_settings(MAIL_BACKEND="smtp", SMTP_PORT=smtp_server.port)


@pytest.fixture
def sms_settings(sms_gateway):  # noqa: F811 - the imported fixture
    return make_settings(
        SMS_BACKEND="http",
        SMS_BASE_URL=sms_gateway.url,
        SMS_ACCOUNT_SID=sms_gateway.sid,
        SMS_AUTH_TOKEN=sms_gateway.token,
        SMS_FROM="+15005550006",
    )
