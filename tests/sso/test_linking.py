"""Who a provider's answer signs in: linking only by a vouched, allowed address; new customers only
with sign-up on; staff only when invited (or provisioned by an explicit role mapping); deactivated
users never; roles set by admins never changed."""

from __future__ import annotations

from portal.models.people import User, UserChange, UserToken
from portal.models.sso import SsoIdentity
from portal.people.rules import Invitation
from portal.people.service import invite_staff
from tests import factories
from tests.sso.provider import provider_settings, sign_in_with_provider


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_an_unverified_address_links_nobody(client, sso_app, oidc_provider):
    existing = factories.user(role="customer", email="gus@corp.example")
    oidc_provider.put_user("x-1", email="gus@corp.example", email_verified=False)
    response = sign_in_with_provider(client, "x-1")
    assert response.status_code == 403
    assert "Corp ID has not confirmed your email address" in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert SsoIdentity.select().count() == 0
    assert User.get_by_id(existing.id).has_password


def test_an_address_the_provider_sends_without_email_verified_gets_no_account(client, sso_app, oidc_provider):
    # oidc-provider-mock's default user: {"email": sub}, no email_verified claim at all
    response = sign_in_with_provider(client, "hal@corp.example")
    assert response.status_code == 403
    assert User.select().where(User.email == "hal@corp.example").count() == 0


def test_an_address_outside_the_allowed_domains_is_refused(client, sso_app, oidc_provider):
    factories.user(role="agent", email="ivy@elsewhere.example")
    oidc_provider.put_user("x-2", email="ivy@elsewhere.example", email_verified=True)
    response = sign_in_with_provider(client, "x-2")
    assert response.status_code == 403
    assert "Addresses at elsewhere.example cannot sign in with Corp ID." in response.get_data(as_text=True)
    assert SsoIdentity.select().count() == 0


def test_a_deactivated_user_is_refused_at_the_first_and_every_later_sign_in(client, sso_app, oidc_provider):
    user = factories.user(role="customer", email="jan@corp.example")
    oidc_provider.put_user("x-3", email="jan@corp.example", email_verified=True)
    assert sign_in_with_provider(client, "x-3").status_code == 302
    User.update(active=False).where(User.id == user.id).execute()
    later = sso_app.test_client()
    response = sign_in_with_provider(later, "x-3")
    assert response.status_code == 403
    assert "This account has been deactivated." in response.get_data(as_text=True)
    assert not _signed_in(later)
    assert not _signed_in(client)  # the session opened before ends at once, as for any deactivation

    other = factories.user(role="customer", email="kai@corp.example", active=False)
    oidc_provider.put_user("x-4", email="kai@corp.example", email_verified=True)
    assert sign_in_with_provider(sso_app.test_client(), "x-4").status_code == 403
    assert SsoIdentity.select().where(SsoIdentity.user == other).count() == 0


def test_staff_without_an_invitation_get_no_account(client, app, oidc_provider):
    app.config.update({"OIDC_PROVIDERS": "corp", **provider_settings(oidc_provider, ROLES="agent,supervisor,admin")})
    oidc_provider.put_user("x-5", email="lea@corp.example", email_verified=True)
    response = sign_in_with_provider(client, "x-5")
    assert response.status_code == 403
    assert "There is no account for lea@corp.example here." in response.get_data(as_text=True)
    assert User.select().where(User.email == "lea@corp.example").count() == 0


def test_with_sign_up_off_nobody_new_gets_an_account(client, sso_app, oidc_provider):
    sso_app.config["SIGNUP_ENABLED"] = False
    oidc_provider.put_user("x-6", email="max@corp.example", email_verified=True)
    assert sign_in_with_provider(client, "x-6").status_code == 403
    assert User.select().where(User.email == "max@corp.example").count() == 0


def test_a_user_whose_role_the_provider_is_not_for_is_refused(client, app, oidc_provider, people):
    app.config.update({"OIDC_PROVIDERS": "corp", **provider_settings(oidc_provider, ROLES="customer")})
    User.update(email="ada@corp.example").where(User.id == people.admin.id).execute()
    oidc_provider.put_user("x-7", email="ada@corp.example", email_verified=True)
    response = sign_in_with_provider(client, "x-7")
    assert response.status_code == 403
    assert "Your account cannot sign in with Corp ID." in response.get_data(as_text=True)


def test_an_invited_agent_accepts_the_invitation_by_signing_in(client, app, oidc_provider, people):
    app.config.update({"OIDC_PROVIDERS": "corp", **provider_settings(oidc_provider, ROLES="agent,supervisor,admin")})
    invitee = invite_staff(people.admin, Invitation(email="nora@corp.example", display_name="Nora New", role="agent"))
    oidc_provider.put_user("x-8", email="nora@corp.example", email_verified=True)
    response = sign_in_with_provider(client, "x-8")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    invitee = User.get_by_id(invitee.id)
    assert (invitee.invitation_pending, invitee.has_password, invitee.role) == (False, False, "agent")
    assert UserToken.select().where((UserToken.user == invitee) & UserToken.used_at.is_null()).count() == 0
    actions = [c.action for c in UserChange.select().where(UserChange.user == invitee).order_by(UserChange.id)]
    assert actions == ["invited", "invitation_accepted"]


def test_a_role_claim_maps_a_new_user_to_an_allowed_role_only(client, app, oidc_provider):
    app.config.update({"OIDC_PROVIDERS": "corp", **provider_settings(
        oidc_provider, ROLES="customer,agent", ROLE_CLAIM="groups", ROLE_MAP="cp-agents=agent")})
    oidc_provider.put_user("x-9", email="ola@corp.example", email_verified=True, groups=["staff", "cp-agents"])
    assert sign_in_with_provider(client, "x-9").status_code == 302
    assert User.get(User.email == "ola@corp.example").role == "agent"
    oidc_provider.put_user("x-10", email="pam@corp.example", email_verified=True, groups=["cp-admins"])
    assert sign_in_with_provider(app.test_client(), "x-10").status_code == 302
    assert User.get(User.email == "pam@corp.example").role == "customer"  # unmapped value: a customer


def test_a_role_claim_never_changes_an_existing_users_role(client, app, oidc_provider):
    app.config.update({"OIDC_PROVIDERS": "corp", **provider_settings(
        oidc_provider, ROLES="customer,agent,admin", ROLE_CLAIM="groups", ROLE_MAP="cp-admins=admin")})
    agent = factories.user(role="agent", email="quinn@corp.example")
    oidc_provider.put_user("x-11", email="quinn@corp.example", email_verified=True, groups=["cp-admins"])
    assert sign_in_with_provider(client, "x-11").status_code == 302
    assert User.get_by_id(agent.id).role == "agent"


def test_linking_an_unconfirmed_sign_up_drops_its_unproven_password(client, sso_app, oidc_provider):
    """Someone signed up with another person's address and chose the password; when the address's
    owner signs in through the provider, that password must not keep working."""
    squatter = factories.user(role="customer", email="rita@corp.example", verified=False)
    oidc_provider.put_user("x-12", email="rita@corp.example", email_verified=True)
    assert sign_in_with_provider(client, "x-12").status_code == 302
    rita = User.get_by_id(squatter.id)
    assert not rita.has_password and rita.email_verified_at is not None
    stranger = sso_app.test_client()
    from tests.fixtures import post_form

    response = post_form(stranger, "/login", {"email": "rita@corp.example", "password": factories.PASSWORD})
    assert response.status_code == 401
