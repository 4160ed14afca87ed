"""The request gate: pages read form posts only. A JSON, plain-text or unreadable body sent to any form
endpoint is refused with 415/400 and a message before CSRF and before any view, and changes nothing.
Walked over every POST rule of the URL map, as every role, so new pages are covered without new tests."""

import json

import pytest
from flask import url_for

from portal.models import all_models
from tests.fixtures import csrf_token_from

ROLES = ["anonymous", "customer", "proxy", "agent", "supervisor", "admin"]
UNSUPPORTED = "This page accepts only forms sent from Caseport"
UNREADABLE = "We could not read the form you sent"

# (content type, body, status): what a form endpoint answers to bodies it cannot read.
BODIES = [
    ("application/json", json.dumps({"email": 5, "password": ["x"], "csrf_token": None}), 415),
    ("application/json", json.dumps([1, 2, 3]), 415),
    ("application/json", "{not json", 415),
    ("text/plain", "email=cora@example.com&password=x", 415),
    ("application/xml", "<login/>", 415),
    (None, "email=cora@example.com", 415),  # a body without a content type
    ("multipart/form-data; boundary=xyz", "--xyz\r\ngarbage without headers or an end", 400),
    ("multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n", 400),
    ("application/x-www-form-urlencoded", b"email=\xff\xfe&password=%", 400),
]


def post_urls(app):
    """One URL per POST rule of the pages, with sample values for its parameters (the JSON API under
/api/ takes JSON by design: tests/api covers its bodies)."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "POST" in rule.methods and not rule.endpoint.startswith("api."):
                # (the JSON API takes JSON bodies by design; tests/api walk it)
                values = {arg: _sample(rule, arg) for arg in rule.arguments}
                urls.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return urls


def _sample(rule, arg):
    converter = rule._converters.get(arg)
    if hasattr(converter, "items"):
        return sorted(converter.items)[0]
    if type(converter).__name__ == "IntegerConverter":
        return 1
    return "00000000-0000-4000-8000-000000000000"


def database_contents():
    return {model._meta.table_name: sorted(map(repr, model.select().tuples())) for model in all_models()}


def signed_in_as(client, login, people, role) -> str:
    """Sign in (unless anonymous) and return a valid CSRF token for the header."""
    if role != "anonymous":
        login(people.by_role(role))
        return csrf_token_from(client.get("/account").get_data(as_text=True))
    return csrf_token_from(client.get("/login").get_data(as_text=True))


@pytest.mark.parametrize("role", ROLES)
def test_a_json_body_to_any_form_endpoint_is_refused_and_changes_nothing(app, client, login, people, role):
    token = signed_in_as(client, login, people, role)
    urls = post_urls(app)
    assert len(urls) >= 40  # the walk really covers the application
    before = database_contents()
    for endpoint, url in urls:
        response = client.post(url, data=json.dumps({"csrf_token": token, "email": 5}),
                               content_type="application/json", headers={"X-CSRFToken": token})
        assert response.status_code == 415, f"{endpoint} {url} answered {response.status_code}"
        assert UNSUPPORTED in response.get_data(as_text=True), endpoint
    assert database_contents() == before


@pytest.mark.parametrize("role", ["anonymous", "admin"])
@pytest.mark.parametrize("content_type, body, status", BODIES)
def test_bodies_a_form_cannot_hold_are_refused_everywhere(app, client, login, people, role, content_type, body,
                                                          status):
    token = signed_in_as(client, login, people, role)
    before = database_contents()
    headers = {"X-CSRFToken": token}
    if content_type:
        headers["Content-Type"] = content_type
    for endpoint, url in post_urls(app):
        response = client.post(url, data=body, headers=headers)
        assert response.status_code == status, f"{endpoint} {url} answered {response.status_code}"
        assert (UNSUPPORTED if status == 415 else UNREADABLE) in response.get_data(as_text=True), endpoint
    assert database_contents() == before


def test_a_client_that_asks_for_json_gets_the_refusal_as_json(client, people):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", json={"email": "cora@example.com"},
                           headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert UNSUPPORTED in response.get_json()["error"]["message"]


def test_an_unreadable_form_body_on_a_get_is_refused_not_a_crash(client):
    response = client.get("/login", data="--x\r\ngarbage", content_type="multipart/form-data; boundary=x")
    assert response.status_code == 400
    assert UNREADABLE in response.get_data(as_text=True)


def test_an_empty_post_is_left_to_csrf_as_before(client, login, people):
    login(people.customer)
    response = client.post("/logout")
    assert response.status_code == 400 and "This form has expired" in response.get_data(as_text=True)


def test_paths_under_api_are_left_to_the_api(client):
    # No API exists yet: the gate does not answer for it, routing does.
    assert client.post("/api/cases", json={"title": "x"}).status_code == 404


NUL_REFUSED = "invisible control characters"


@pytest.mark.parametrize("method, path, kwargs", [
    ("GET", "/login?next=%00", {}),
    ("GET", "/login?a%00b=1", {}),
    ("GET", "/log%00in", {}),
    ("POST", "/login", {"data": {"email": "cora\x00@example.com", "password": "x"}}),
    ("POST", "/login", {"data": {"email\x00": "cora@example.com"}}),
    ("POST", "/login", {"data": {"email": "cora@example.com", "note": "a\x00"}, "content_type": "multipart/form-data"}),
])
def test_a_nul_byte_anywhere_in_the_address_or_a_form_is_refused(client, method, path, kwargs):
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == 400
    assert NUL_REFUSED in response.get_data(as_text=True)


def test_a_nul_byte_in_a_body_that_is_no_form_is_left_to_the_api(client):
    """Only forms are read for NUL bytes: a JSON body is refused as no form on pages (415), and under /api/
    the API reads its own bodies."""
    response = client.post("/login", data='{"email": "a\\u0000"}', content_type="application/json")
    assert response.status_code == 415
