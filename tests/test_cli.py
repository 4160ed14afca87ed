"""The caseport command."""

import pytest

from portal.cli import main


def test_db_upgrade_applies_migrations_once(cli_env):
    first = cli_env.invoke(main, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "applied 0001_initial" in first.output
    again = cli_env.invoke(main, ["db", "upgrade"])
    assert "0 migrations applied" in again.output


def test_create_user_makes_an_admin_who_can_sign_in(cli_env):
    result = cli_env.invoke(main, ["create-user", "--role", "admin", "--email", "Boss@Example.com", "--name",
                                   "The Boss", "--password", "a fine admin passphrase"])
    assert result.exit_code == 0, result.output
    from portal import create_app

    app = create_app()
    with app.app_context():
        from portal.accounts.service import authenticate

        assert authenticate("boss@example.com", "a fine admin passphrase", "127.0.0.1").role == "admin"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--email", "nope", "--name", "X", "--password", "a fine admin passphrase"], "valid email"),
        (["--email", "a@example.com", "--name", "X", "--password", "short"], "at least 10"),
        (["--email", "a@example.com", "--name", "", "--password", "a fine admin passphrase"], "Enter your name"),
    ],
)
def test_create_user_explains_bad_input(cli_env, args, message):
    result = cli_env.invoke(main, ["create-user", "--role", "agent", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_create_user_refuses_a_duplicate_email(cli_env):
    args = ["create-user", "--role", "agent", "--email", "a@example.com", "--name", "A", "--password",
            "a fine agent passphrase"]
    assert cli_env.invoke(main, args).exit_code == 0
    again = cli_env.invoke(main, [*args[:4], "A@EXAMPLE.com", *args[5:]])
    assert again.exit_code != 0 and "already exists" in again.output


def test_makemigration_has_nothing_to_write_when_migrations_cover_every_model(cli_env):
    result = cli_env.invoke(main, ["db", "makemigration", "nothing_new"])
    assert result.exit_code == 0
    assert "nothing to write" in result.output


def test_demo_data_loads_idempotently(app):
    from portal.demo import load_demo_data
    from portal.models.people import Customer, User

    logins = load_demo_data()
    counts = (User.select().count(), Customer.select().count())
    assert load_demo_data() == logins
    assert (User.select().count(), Customer.select().count()) == counts
    assert {role for role, _, _ in logins} == {"customer", "proxy", "agent", "supervisor", "admin"}


def test_every_printed_demo_login_signs_in(app):
    from portal.accounts.service import authenticate
    from portal.demo import DEMO_PASSWORD, load_demo_data

    for role, email, _ in load_demo_data():
        assert authenticate(email, DEMO_PASSWORD, "127.0.0.1").role == role


def test_the_demo_banner_marks_logins_whose_password_was_changed(cli_env, monkeypatch):
    import portal.cli
    from portal.accounts.service.password_changes import change_password
    from portal.demo import DEMO_PASSWORD
    from portal.models.people import User

    served = []
    monkeypatch.setattr(portal.cli, "_serve", lambda app, host, port, notifier: served.append(app))
    first = cli_env.invoke(main, ["demo", "--no-notifier"])
    assert first.exit_code == 0, first.output
    assert "(password changed" not in first.output and f"password: {DEMO_PASSWORD}" in first.output
    assert "development server" in first.output and "gunicorn" in first.output
    with served[0].extensions["caseport_db"].connection_context():
        ada = User.get(User.role == "agent")
        change_password(ada, DEMO_PASSWORD, "a-new-and-long-passphrase-2026")
    again = cli_env.invoke(main, ["demo", "--no-notifier"])
    marked = [line for line in again.output.splitlines() if "(password changed" in line]
    assert len(marked) == 1 and ada.email in marked[0]


def test_the_demo_asks_no_second_factor_unless_the_environment_does(cli_env, monkeypatch):
    import portal.cli

    served = []
    monkeypatch.setattr(portal.cli, "_serve", lambda app, host, port, notifier: served.append(app))
    monkeypatch.delenv("MFA_REQUIRED_FOR", raising=False)
    result = cli_env.invoke(main, ["demo", "--no-notifier"])
    assert result.exit_code == 0, result.output
    assert served[-1].config["MFA_REQUIRED_FOR"] == "nobody" and "No second factor is required" in result.output
    monkeypatch.setenv("MFA_REQUIRED_FOR", "admin")
    result = cli_env.invoke(main, ["demo", "--no-notifier"])
    assert served[-1].config["MFA_REQUIRED_FOR"] == "admin" and "No second factor" not in result.output


def test_the_command_speaks_the_operators_language(cli_env, monkeypatch):
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    cli_env.invoke(main, ["db", "upgrade"])
    again = cli_env.invoke(main, ["db", "upgrade"])
    assert again.exit_code == 0, again.output
    assert "0 Migrationen angewendet; das Schema ist aktuell." in again.output


def test_without_a_shipped_operator_language_the_command_speaks_the_default_language(cli_env, monkeypatch):
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "es")
    result = cli_env.invoke(main, ["create-user", "--role", "agent", "--email", "not-an-address", "--name", "X",
                                   "--password", "a fine agent passphrase"])
    assert result.exit_code != 0
    assert "Error: Corrija los campos" in result.output
    assert "email: Introduzca un correo electrónico válido" in result.output
