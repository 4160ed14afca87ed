"""The API's edge from outside: bearer tokens only, scopes, the error shape, the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

from portal.api_tokens.service import issue_token, revoke_token
from portal.clock import utcnow
from portal.models.api import ApiToken
from portal.models.people import User
from tests.api.conftest import ApiClient, assert_error


def test_a_token_acts_as_its_user(app, api_as, people):
    response = api_as(people.agent).get("/me")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == people.agent.uuid and body["role"] == "agent"
    assert set(body["token"]["scopes"]) >= {"cases:read"}
    assert response.headers["Cache-Control"] == "no-store"


def test_no_token_is_401_with_a_bearer_challenge(app, client):
    response = client.get("/api/v1/me")
    assert_error(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_browser_session_is_not_accepted(app, client, login, people):
    login(people.admin)
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")


def test_unknown_expired_revoked_and_deactivated_tokens_are_refused(app, people, token_for):
    client = app.test_client()
    assert_error(ApiClient(client, "cpt_not-a-real-token").get("/me"), 401, "invalid_token")
    assert_error(ApiClient(client, "Basic abc").get("/me"), 401, "invalid_token")

    secret = token_for(people.agent)
    token = ApiToken.get(ApiToken.user == people.agent)
    ApiToken.update(expires_at=utcnow() - timedelta(seconds=1)).where(ApiToken.id == token.id).execute()
    assert_error(ApiClient(client, secret).get("/me"), 401, "invalid_token")

    token, secret = issue_token(people.customer, people.customer, name="cli", scopes=["cases:read"], days=1)
    assert ApiClient(client, secret).get("/me").status_code == 200
    revoke_token(people.customer, token.uuid)
    assert_error(ApiClient(client, secret).get("/me"), 401, "invalid_token")

    secret = token_for(people.proxy)
    User.update(active=False).where(User.id == people.proxy.id).execute()
    assert_error(ApiClient(client, secret).get("/me"), 401, "invalid_token")


def test_only_the_hash_of_a_secret_is_stored(app, people):
    token, secret = issue_token(people.agent, people.agent, name="ci", scopes=["cases:read"], days=7)
    stored = ApiToken.get_by_id(token.id)
    assert secret not in (stored.token_hash, stored.prefix) and secret.startswith(stored.prefix)


def test_last_use_is_noted(app, api_as, people):
    api = api_as(people.agent)
    assert ApiToken.get(ApiToken.user == people.agent).last_used_at is None
    api.get("/me")
    assert ApiToken.get(ApiToken.user == people.agent).last_used_at is not None


def test_an_admin_issues_tokens_for_staff_accounts_but_not_for_customers(app, people):
    token, _ = issue_token(people.admin, people.agent, name="ivr", scopes=["cases:write"], days=30)
    assert token.user_id == people.agent.id and token.created_by_id == people.admin.id
    from portal.errors import NotAllowed
    for actor, owner in ((people.admin, people.customer), (people.agent, people.supervisor),
                         (people.customer, people.other_customer)):
        try:
            issue_token(actor, owner, name="x", scopes=["cases:read"], days=1)
        except NotAllowed:
            continue
        raise AssertionError(f"{actor.role} issued a token for {owner.role}")


def test_bad_token_requests_are_form_errors(app, people):
    from portal.errors import ValidationFailed
    for kwargs, field in ((dict(name="", scopes=["cases:read"], days=1), "name"),
                          (dict(name="x", scopes=[], days=1), "scopes"),
                          (dict(name="x", scopes=["root"], days=1), "scopes"),
                          (dict(name="x", scopes=["cases:read"], days=0), "days"),
                          (dict(name="x", scopes=["cases:read"], days=10_000), "days")):
        try:
            issue_token(people.agent, people.agent, **kwargs)
        except ValidationFailed as exc:
            assert field in exc.fields
        else:
            raise AssertionError(kwargs)
    assert ApiToken.select().count() == 0


def test_unknown_paths_and_methods_answer_the_error_shape(app, api_as, people):
    api = api_as(people.agent)
    assert_error(api.get("/no-such-thing"), 404, "not_found")
    assert_error(api.post("/me", json={}), 405, "method_not_allowed")


def test_errors_before_a_token_is_read_speak_the_clients_language(app, client):
    english = assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")["message"]
    german = assert_error(client.get("/api/v1/no-such-thing", headers={"Accept-Language": "de"}), 404,
                          "not_found")["message"]
    assert german != english and "Seite" in german


def test_the_openapi_document_is_public_and_describes_every_operation(app, client):
    from portal.api.framework import OPERATIONS

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    operation_ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert operation_ids == {op.name for op in OPERATIONS}
    assert document["paths"]["/api/v1/me"]["get"]["security"] == [{"token": []}]
    assert "ErrorBody" in document["components"]["schemas"]


def test_the_reference_page_lists_every_operation_and_schema(app, client):
    from portal.api.framework import OPERATIONS

    response = client.get("/api/v1/reference")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for op in OPERATIONS:
        assert f'id="op-{op.name}"' in page
    assert 'id="schema-ErrorBody"' in page and "Idempotency-Key" in page
