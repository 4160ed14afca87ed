"""The notifier's boundaries: no portal or Flask imports, settings from a plain mapping."""

import subprocess
import sys

import pytest

from notifier.settings import Settings


def test_notifier_imports_neither_portal_nor_flask():
    code = (
        "import sys, notifier, notifier.dispatcher, notifier.scheduler, notifier.outbox, "
        "notifier.templates, notifier.channels.devsink;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('portal', 'flask'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_have_safe_defaults_and_convert_types():
    settings = Settings.from_mapping({"SMTP_PORT": "2525", "MAIL_BACKEND": "SMTP", "UNRELATED": 1})
    assert settings.SMTP_PORT == 2525 and settings.MAIL_BACKEND == "smtp"
    assert settings.NOTIFIER_MAX_ATTEMPTS == 8 and settings.NOTIFIER_INTERVAL_SECONDS == 1
    assert (settings.SMTP_COMMAND_TIMEOUT, settings.SMTP_DATA_TIMEOUT) == (300, 600)  # RFC 5321 §4.5.3.2
    assert settings.SMTP_SECURITY == "none" and settings.SMTP_USERNAME == ""
    assert Settings.from_mapping({"MAIL_FROM": "Desk <desk@example.org>"}).message_id_domain == "example.org"


@pytest.mark.parametrize(("key", "value"), [("MAIL_BACKEND", "pigeon"), ("SMTP_PORT", "many")])
def test_settings_refuse_unknown_choices_and_non_numbers(key, value):
    with pytest.raises(ValueError, match=key):
        Settings.from_mapping({key: value})
