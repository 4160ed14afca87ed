"""Every route, walked from the URL map: anonymous visitors reach only public pages, and every
state-changing request without a CSRF token is refused. New pages are covered without new tests."""

import pytest

from tests.fixtures import csrf_token_from, post_form

PUBLIC_ENDPOINTS = {
    "static",
    "home.index",  # redirects to sign in
    "accounts.login",
    "accounts.signup",
    "accounts.resend_verification",
    "accounts.verify_email_form",
    "accounts.verify_email",
    "accounts.request_reset",
    "accounts.reset_password",
}
# One-click unsubscribe (RFC 8058) is posted by mail clients without a session: the signed token in
# the URL is the authority, so it is exempt from CSRF (a bad token answers 404).
CSRF_EXEMPT_ENDPOINTS = {"notification_preferences.unsubscribe_now"}
SAMPLE_VALUES = {"token": "not-a-token", "reference": "00000000", "filename": "x.css"}


def concrete_urls(app, method):
    urls = []
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        values = {arg: _sample(rule, arg) for arg in rule.arguments}
        urls.append((rule.endpoint, _build(app, rule, values)))
    return urls


def _sample(rule, arg):
    converter = rule._converters.get(arg)
    if hasattr(converter, "items"):  # any(...) converters accept only their listed words
        return sorted(converter.items)[0]
    if type(converter).__name__ == "IntegerConverter":
        return 1
    return SAMPLE_VALUES.get(arg, "00000000-0000-4000-8000-000000000000")


def _build(app, rule, values):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_anonymous_visitors_are_sent_to_sign_in_from_every_non_public_page(app, client):
    for endpoint, url in concrete_urls(app, "GET"):
        response = client.get(url)
        assert response.status_code in (302, 404), f"{endpoint} {url} answered {response.status_code}"
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], f"{endpoint} redirects elsewhere"


def test_anonymous_posts_change_nothing_anywhere(app, client):
    for endpoint, url in concrete_urls(app, "POST"):
        response = client.post(url, data={})
        assert response.status_code in (302, 400, 404), f"{endpoint} {url} answered {response.status_code}"


def test_signed_in_posts_without_a_csrf_token_are_refused_everywhere(app, client, login, people):
    login(people.admin)
    for endpoint, url in concrete_urls(app, "POST"):
        if endpoint in CSRF_EXEMPT_ENDPOINTS:
            continue
        response = client.post(url, data={})
        assert response.status_code == 400, f"{endpoint} {url} accepted a POST without a CSRF token"


@pytest.mark.parametrize("role", ["customer", "proxy", "agent", "supervisor", "admin"])
def test_no_page_without_parameters_fails_for_any_role(app, client, login, people, role):
    login(people.by_role(role))
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        response = client.get(_build(app, rule, {}))
        assert response.status_code in (200, 302, 404), f"{rule.endpoint} answered {response.status_code} to {role}"


def test_signing_out_works_from_any_page(client, login, people):
    login(people.customer)
    assert post_form(client, "/logout", {}, page="/account").status_code == 302


FIELD_NAMES = [
    "name", "title", "summary", "email", "phone", "body", "reason", "label", "key", "value", "text",
    "subject", "html", "description", "first_name", "last_name", "password", "new_password", "confirm",
    "current_password", "status", "priority", "workgroup", "assignee", "due_on", "channel", "direction",
    "rating", "comment", "resolution", "account", "account_number", "identifier", "pattern",
    "pattern_message", "field_type", "number_kind", "min_value", "max_value", "max_length", "section",
    "required", "action", "target", "source", "language", "variant", "case_reference", "q", "user",
    "customer", "visibility", "display_name", "time_zone", "asset", "template", "state", "default_priority",
    "occurred_at", "category", "position", "options", "customer_description", "admin_description",
    "help_text",
]
HOSTILE = "\x00<script>alert(1)</script>' OR 1=1 --" + "ż" * 3000


@pytest.mark.parametrize("role", ["customer", "agent", "admin"])
def test_hostile_values_in_any_form_never_cause_a_server_error(app, client, login, people, role):
    login(people.by_role(role))
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    junk = {name: HOSTILE for name in FIELD_NAMES}
    for endpoint, url in concrete_urls(app, "POST"):
        if endpoint == "accounts.logout":
            continue
        response = client.post(url, data={"csrf_token": token, **junk})
        assert response.status_code < 500, f"{endpoint} {url} answered {response.status_code}"


@pytest.mark.parametrize("where", ["path", "query", "form"])
def test_nul_bytes_are_refused_with_a_message_before_they_reach_the_database(client, login, people, where):
    login(people.admin)
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    if where == "path":
        response = client.get("/cases/1234%00")
    elif where == "query":
        response = client.get("/notifications/outbox?address=a%00b")
    else:
        response = client.post("/account", data={"csrf_token": token, "display_name": "Ada\x00", "time_zone": "UTC"})
    assert response.status_code == 400
    assert "invisible control characters" in response.get_data(as_text=True)
