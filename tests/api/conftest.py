"""API test helpers: tokens for real users, and a client that sends them."""

from __future__ import annotations

import pytest

from portal.api_tokens.service import SCOPES, issue_token


class ApiClient:
    """The Flask test client with a bearer token on every call (no cookie session)."""

    def __init__(self, client, secret: str | None):
        self.client, self.secret = client, secret

    def _headers(self, headers: dict | None) -> dict:
        merged = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        merged.update(headers or {})
        return merged

    def get(self, path: str, *, headers: dict | None = None, **kwargs):
        return self.client.get("/api/v1" + path, headers=self._headers(headers), **kwargs)

    def post(self, path: str, json=None, *, headers: dict | None = None, **kwargs):
        return self.client.post("/api/v1" + path, json=json, headers=self._headers(headers), **kwargs)

    def patch(self, path: str, json=None, *, headers: dict | None = None, **kwargs):
        return self.client.patch("/api/v1" + path, json=json, headers=self._headers(headers), **kwargs)

    def put(self, path: str, json=None, *, headers: dict | None = None, **kwargs):
        return self.client.put("/api/v1" + path, json=json, headers=self._headers(headers), **kwargs)

    def delete(self, path: str, *, headers: dict | None = None, **kwargs):
        return self.client.delete("/api/v1" + path, headers=self._headers(headers), **kwargs)


@pytest.fixture
def token_for(app):
    """token_for(user, scopes=...) -> the secret of a fresh token acting as user."""

    def make(user, scopes=None, days: int = 30) -> str:
        return issue_token(user, user, name="test", scopes=list(scopes or SCOPES), days=days)[1]

    return make


@pytest.fixture
def api_as(app, token_for):
    """api_as(user, scopes=...) -> an ApiClient acting as user through a real token."""

    def make(user, scopes=None) -> ApiClient:
        return ApiClient(app.test_client(), token_for(user, scopes))

    return make


def assert_error(response, status: int, code: str) -> dict:
    """The response is the documented error shape with this status and code; returns the error."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error
