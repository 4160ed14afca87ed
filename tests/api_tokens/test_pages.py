"""The token pages from a browser's side: one's own tokens (make, see once, revoke), and the admins'
service accounts and every token. Real CSRF tokens, real sign-in."""

from __future__ import annotations

import re

import pytest

from portal.models.api import ApiToken
from portal.models.people import User, UserChange
from tests.api.conftest import ApiClient, assert_error
from tests.fixtures import csrf_token_from, post_form

SECRET_RE = re.compile(r'id="secret" type="text" readonly value="(cpt_[^"]+)"')


def make_token(client, name="CRM sync", scopes=("cases:read",), days="30", url="/account/api-tokens", **extra):
    response = post_form(client, url, {"name": name, "scopes": list(scopes), "days": days, **extra},
                         page="/account/api-tokens" if url == "/account/api-tokens" else "/admin/api-tokens")
    return response


def test_a_new_token_secret_is_shown_once_and_works(app, client, login, people):
    login(people.agent)
    response = make_token(client)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    secret = SECRET_RE.search(html).group(1)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Location" not in response.headers and "cpt_" not in response.headers.get("Set-Cookie", "")
    token = ApiToken.get(ApiToken.user == people.agent)
    assert token.name == "CRM sync" and token.scopes == ["cases:read"]
    assert ApiClient(app.test_client(), secret).get("/me").status_code == 200
    # Never again: not on the list, not on a reload of the list.
    listing = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in listing and token.prefix in listing and "CRM sync" in listing
    audit = UserChange.get(UserChange.action == "api_token_issued")
    assert audit.user_id == people.agent.id and audit.actor_id == people.agent.id and secret not in str(audit.new_value)


def test_the_same_form_sent_twice_makes_one_token(app, client, login, people):
    login(people.agent)
    page = client.get("/account/api-tokens").get_data(as_text=True)
    key = re.search(r'name="submission" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_token_from(page), "submission": key, "name": "ivr", "scopes": ["cases:read"],
            "days": "7"}
    assert client.post("/account/api-tokens", data=data).status_code == 200
    again = client.post("/account/api-tokens", data=data)
    assert again.status_code == 302 and again.headers["Location"].endswith("/account/api-tokens")
    assert ApiToken.select().where(ApiToken.user == people.agent).count() == 1
    assert "cpt_" not in client.get("/account/api-tokens").get_data(as_text=True).split("<code>")[0]


@pytest.mark.parametrize("data, field", [
    ({"name": "", "scopes": ["cases:read"], "days": "30"}, "name"),
    ({"name": "x", "days": "30"}, "scopes"),
    ({"name": "x", "scopes": ["root"], "days": "30"}, "scopes"),
    ({"name": "x", "scopes": ["cases:read"], "days": "0"}, "days"),
    ({"name": "x", "scopes": ["cases:read"], "days": "9999"}, "days"),
    ({"name": "x", "scopes": ["cases:read"], "days": "soon"}, "days"),
    ({"name": "x" * 101, "scopes": ["cases:read"], "days": "30"}, "name"),
])
def test_bad_token_forms_are_shown_again_with_the_problem(app, client, login, people, data, field):
    login(people.customer)
    response = post_form(client, "/account/api-tokens", data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert ApiToken.select().count() == 0


def test_a_token_form_without_csrf_is_refused(app, client, login, people):
    login(people.agent)
    response = client.post("/account/api-tokens", data={"name": "x", "scopes": ["cases:read"], "days": "30"})
    assert response.status_code == 400
    assert ApiToken.select().count() == 0


def test_revoking_asks_first_then_works_at_once(app, client, login, people):
    login(people.customer)
    secret = SECRET_RE.search(make_token(client).get_data(as_text=True)).group(1)
    token = ApiToken.get()
    api = ApiClient(app.test_client(), secret)
    assert api.get("/me").status_code == 200
    confirm = client.get(f"/account/api-tokens/{token.uuid}/revoke")
    assert confirm.status_code == 200 and "CRM sync" in confirm.get_data(as_text=True)
    assert ApiToken.get_by_id(token.id).revoked_at is None  # asking changes nothing
    assert client.post(f"/account/api-tokens/{token.uuid}/revoke").status_code == 400  # no CSRF token
    done = post_form(client, f"/account/api-tokens/{token.uuid}/revoke", {})
    assert done.status_code == 302
    assert_error(api.get("/me"), 401, "invalid_token")
    assert UserChange.get(UserChange.action == "api_token_revoked").actor_id == people.customer.id


def test_other_peoples_tokens_are_invisible(app, client, login, people):
    login(people.agent)
    make_token(client, name="Quarterly export")
    token = ApiToken.get()
    other = app.test_client()
    post_form(other, "/login", {"email": people.supervisor.email, "password": "correct horse battery"})
    assert other.get(f"/account/api-tokens/{token.uuid}/revoke").status_code == 404
    assert "Quarterly export" not in other.get("/account/api-tokens").get_data(as_text=True)
    page = other.get("/account/api-tokens").get_data(as_text=True)
    assert other.post(f"/account/api-tokens/{token.uuid}/revoke",
                      data={"csrf_token": csrf_token_from(page)}).status_code == 404
    assert ApiToken.get_by_id(token.id).revoked_at is None
    assert other.get("/admin/api-tokens").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    assert client.get("/account/api-tokens").status_code == 302
    assert client.get("/admin/api-tokens").status_code == 302


def test_an_admin_creates_a_service_account_and_its_token(app, client, login, people):
    login(people.admin)
    created = post_form(client, "/admin/api-tokens/service-accounts", {"name": "IVR", "role": "agent"},
                        page="/admin/api-tokens")
    assert created.status_code == 302
    service = User.get(User.display_name == "IVR")
    assert service.is_service_account and service.role == "agent" and service.email.endswith(".invalid")
    response = make_token(client, name="ivr-prod", scopes=("cases:write", "cases:read"), days="365",
                          url="/admin/api-tokens", account=service.uuid)
    assert response.status_code == 200, response.get_data(as_text=True)
    secret = SECRET_RE.search(response.get_data(as_text=True)).group(1)
    body = ApiClient(app.test_client(), secret).get("/me").get_json()
    assert body["id"] == service.uuid and body["role"] == "agent"
    token = ApiToken.get(ApiToken.user == service)
    assert token.created_by_id == people.admin.id
    listing = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "ivr-prod" in listing and "IVR" in listing and secret not in listing
    actions = {change.action for change in UserChange.select().where(UserChange.user == service)}
    assert actions == {"service_account_created", "api_token_issued"}


def test_a_service_account_cannot_sign_in_or_reset_its_password(app, client, login, people):
    from portal.api_tokens.service_accounts import create_service_account

    service = create_service_account(people.admin, name="CRM", role="supervisor")
    response = post_form(client, "/login", {"email": service.email, "password": "!service"})
    assert response.status_code != 302
    post_form(client, "/reset-password", {"email": service.email}, page="/reset-password")
    from portal.models.people import UserToken
    assert UserToken.select().where(UserToken.user == service).count() == 0


def test_admins_see_every_token_and_may_revoke_any_but_issue_only_for_service_accounts(app, client, login, people):
    from portal.api_tokens.service import issue_token

    issue_token(people.agent, people.agent, name="agent-own", scopes=["cases:read"], days=30)
    login(people.admin)
    listing = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "agent-own" in listing and "Aga Agent" in listing
    token = ApiToken.get(ApiToken.name == "agent-own")
    assert post_form(client, f"/account/api-tokens/{token.uuid}/revoke", {}).status_code == 302
    assert ApiToken.get_by_id(token.id).revoked_at is not None
    # A person is not a service account: no token for them from the admin page.
    response = make_token(client, url="/admin/api-tokens", account=people.agent.uuid)
    assert response.status_code == 400
    assert ApiToken.select().where(ApiToken.user == people.agent).count() == 1


def test_the_admin_page_needs_an_admin(app, client, login, people):
    login(people.supervisor)
    assert client.get("/admin/api-tokens").status_code == 404
    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert client.post("/admin/api-tokens/service-accounts",
                       data={"csrf_token": csrf_token_from(page), "name": "X", "role": "agent"}).status_code == 404
    assert User.select().where(User.display_name == "X").count() == 0


def test_the_token_pages_are_in_german(app, client, login, people):
    User.update(language="de").where(User.id == people.agent.id).execute()
    login(people.agent)
    html = client.get("/account/api-tokens").get_data(as_text=True)
    assert "API-Token" in html
