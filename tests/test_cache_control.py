"""Every response to a signed-in user says Cache-Control: no-store (pages hold personal data), unless the
view chose its own; static files stay cacheable."""

import pytest
from flask import url_for

from portal import create_app
from tests.fixtures import BASE_CONFIG, sign_in

ROLES = ["customer", "proxy", "agent", "supervisor", "admin"]


def pages_without_parameters(app):
    with app.test_request_context():
        return [url_for(rule.endpoint) for rule in app.url_map.iter_rules()
                if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_a_signed_in_user_is_no_store(app, client, login, people, role):
    login(people.by_role(role))
    urls = pages_without_parameters(app) + ["/no-such-page", "/cases/00000000"]
    assert len(urls) >= 20
    statuses = set()
    for url in urls:
        response = client.get(url)
        statuses.add(response.status_code)
        assert response.headers.get("Cache-Control") == "no-store", f"{url} ({response.status_code})"
    assert {200, 404} <= statuses


def test_a_case_page_is_not_cached(app, client, login, people):
    from tests import factories

    case = factories.case(people.customer)
    login(people.customer)
    response = client.get(f"/cases/{case.reference}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable_for_signed_in_users(client, login, people):
    login(people.agent)
    response = client.get("/static/css/caseport.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_public_pages_for_anonymous_visitors_are_not_marked(client):
    assert client.get("/").headers.get("Cache-Control") is None  # a redirect to sign in
    assert client.get("/no-such-page").headers.get("Cache-Control") is None
    assert client.get("/login").headers["Cache-Control"] == "no-store"  # it carries a CSRF token


def test_a_view_that_sets_its_own_cache_control_keeps_it(prepared_database_url, tmp_path):
    app = create_app({**BASE_CONFIG, "DATABASE_URL": prepared_database_url, "INSTANCE_PATH": str(tmp_path)})

    @app.get("/own-cache-control")
    def own_cache_control():
        return "shared report", 200, {"Cache-Control": "private, max-age=60"}

    with app.app_context():
        from tests import factories

        user = factories.user(role="agent")
    client = app.test_client()
    sign_in(client, user)
    assert client.get("/own-cache-control").headers["Cache-Control"] == "private, max-age=60"
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    db = app.extensions["caseport_db"]
    if hasattr(db, "close_all"):
        db.close_all()


def test_headers_a_view_chose_are_kept_and_the_others_added_once(app):
    """portal.web's security headers: each added unless the response has it already (any letter case),
    never twice; the ones a view set keep their values."""
    from flask import make_response

    from portal.web import CONTENT_SECURITY_POLICY, _security_headers

    with app.test_request_context("/login"):
        response = _security_headers(make_response("page"))
        assert [(name, response.headers.getlist(name)) for name in (
            "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy")] == [
            ("X-Content-Type-Options", ["nosniff"]), ("X-Frame-Options", ["DENY"]),
            ("Referrer-Policy", ["same-origin"]), ("Content-Security-Policy", [CONTENT_SECURITY_POLICY])]
        own = make_response("page")
        own.headers["x-frame-options"] = "SAMEORIGIN"
        own.headers["Content-Security-Policy"] = "default-src 'none'"
        own.headers["Cache-Control"] = "private, max-age=60"
        response = _security_headers(own)
        assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
        assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
        assert response.headers.getlist("Cache-Control") == ["private, max-age=60"]
        assert response.headers.getlist("Referrer-Policy") == ["same-origin"]
