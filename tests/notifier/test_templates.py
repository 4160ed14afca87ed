import pytest

from notifier.models import Template, TemplateVersion
from notifier.settings import DEFAULT_TEMPLATES_DIR
from notifier.templates import TemplateError, active_template, save_version, seed_defaults, versions
from tests.notifier.factories import T0


def test_seed_defaults_inserts_the_shipped_templates(notifier_db):
    inserted = seed_defaults(DEFAULT_TEMPLATES_DIR, now=T0)
    assert {
        ("email_verification", "email"),
        ("password_reset", "email"),
        ("test_message", "email"),
        ("test_message", "sms"),
    } <= {(event, channel) for event, channel, language in inserted if not language}
    reset = active_template("password_reset", "email")
    assert set(reset.parts) == {"subject", "text", "html"}
    assert reset.template.variables == ["user_name", "reset_url", "expires_in_minutes"]


def test_seed_defaults_is_idempotent_and_keeps_staff_edits(notifier_db):
    seeded = len(seed_defaults(DEFAULT_TEMPLATES_DIR, now=T0))
    save_version("password_reset", "email", {"subject": "Edited", "text": "{{ reset_url }}"}, author="staff")
    assert seed_defaults(DEFAULT_TEMPLATES_DIR, now=T0) == []
    assert Template.select().count() == seeded
    assert TemplateVersion.select().count() == seeded + 1
    assert active_template("password_reset", "email").parts["subject"] == "Edited"


def test_seed_defaults_reads_what_is_there_in_one_statement_and_fills_only_a_missing_slot(notifier_db, monkeypatch):
    """Every app start and every test seeds: with nothing to insert it is one statement, not one per slot."""
    seeded = seed_defaults(DEFAULT_TEMPLATES_DIR, now=T0)
    gone = Template.get((Template.event == "password_reset") & (Template.channel == "email")
                        & (Template.language == "de"))
    TemplateVersion.delete().where(TemplateVersion.template == gone).execute()
    assert seed_defaults(DEFAULT_TEMPLATES_DIR, now=T0) == [("password_reset", "email", "de")]
    statements = []
    execute_sql = notifier_db.execute_sql
    monkeypatch.setattr(notifier_db, "execute_sql",
                        lambda sql, *args, **kwargs: statements.append(sql) or execute_sql(sql, *args, **kwargs))
    assert seed_defaults(DEFAULT_TEMPLATES_DIR, now=T0) == []
    assert len(statements) == 1
    assert TemplateVersion.select().count() == len(seeded)


def test_saving_keeps_every_version_newest_first(notifier_db):
    for n in range(3):
        save_version("case_created", "sms", {"text": f"v{n} {{{{ ref }}}}"}, author=f"agent{n}", now=T0)
    history = list(versions("case_created", "sms"))
    assert [v.number for v in history] == [3, 2, 1]
    assert [v.author for v in history] == ["agent2", "agent1", "agent0"]
    assert active_template("case_created", "sms").version.number == 3


def test_active_template_falls_back_from_variant_and_language_to_default(notifier_db):
    save_version("case_created", "sms", {"text": "default"}, author="a")
    save_version("case_created", "sms", {"text": "german"}, author="a", language="de")
    save_version("case_created", "sms", {"text": "special"}, author="a", variant="tmpl-7")
    assert active_template("case_created", "sms", "de", "tmpl-7").parts["text"] == "german"
    assert active_template("case_created", "sms", "fr", "tmpl-7").parts["text"] == "special"
    assert active_template("case_created", "sms", "fr", "other").parts["text"] == "default"
    assert active_template("nothing", "sms") is None


def test_invalid_version_is_refused_and_nothing_saved(notifier_db):
    seed_defaults(DEFAULT_TEMPLATES_DIR, now=T0)
    with pytest.raises(TemplateError, match="unknown variable.*password"):
        save_version("password_reset", "email", {"subject": "x", "text": "{{ password }}"}, author="eve")
    with pytest.raises(TemplateError, match="line 1"):
        save_version("password_reset", "email", {"subject": "{{ x", "text": "y"}, author="eve")
    assert versions("password_reset", "email").count() == 1
