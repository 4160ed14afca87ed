"""caseport reset-second-factor: the operator's way back in for an admin who lost phone and codes."""


from portal.cli import main


def test_the_operator_resets_an_admins_second_factor_audited(cli_env):
    created = cli_env.invoke(main, ["create-user", "--role", "admin", "--email", "boss@example.com", "--name",
                                    "The Boss", "--password", "a fine admin passphrase"])
    assert created.exit_code == 0, created.output
    from portal import create_app
    from portal.models.mfa import RecoveryCode, TotpFactor
    from portal.models.people import User, UserChange

    app = create_app()
    with app.app_context():
        boss = User.get(User.email == "boss@example.com")
        TotpFactor.create(user=boss, secret="JBSWY3DPEHPK3PXP", last_used_step=1)
        RecoveryCode.create(user=boss, code_hash="0" * 64)
    result = cli_env.invoke(main, ["reset-second-factor", "--email", "Boss@example.com"])
    assert result.exit_code == 0, result.output
    assert "The second factor of boss@example.com is reset" in result.output
    with app.app_context():
        assert not TotpFactor.select().exists() and not RecoveryCode.select().exists()
        change = UserChange.get(UserChange.action == "second_factor_reset")
        assert change.actor_id is None and change.old_value == ["totp", "recovery"]
    again = cli_env.invoke(main, ["reset-second-factor", "--email", "boss@example.com"])
    assert again.exit_code == 1 and "has no second factor to reset" in again.output
    unknown = cli_env.invoke(main, ["reset-second-factor", "--email", "ghost@example.com"])
    assert unknown.exit_code == 1 and "There is no user with the address ghost@example.com" in unknown.output
