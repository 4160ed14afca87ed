"""The webhook admin pages: admins only, CSRF on every change, refusals as form errors, the secret
shown once, every change in the audit log, and the pages in German and Spanish."""

from __future__ import annotations

import re

import pytest

from notifier.models import Message
from portal.models.webhooks import WebhookChange, WebhookEndpoint
from tests import factories
from tests.fixtures import csrf_token_from, post_form

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


def _register(client, receiver, **extra):
    data = {"url": receiver.url, "description": "CRM sync", "event_types": ["case.created", "case.closed"],
            "case_template": "", "active": "y", **extra}
    return post_form(client, "/admin/webhooks/new", data)


@pytest.mark.parametrize("role", ["customer", "proxy", "agent", "supervisor"])
def test_only_admins_reach_the_webhook_pages(webhook_app, client, login, admin, make_endpoint, role):
    endpoint, _ = make_endpoint()
    login(factories.user(role=role))
    for url in ("/admin/webhooks/", "/admin/webhooks/new", f"/admin/webhooks/{endpoint.uuid}",
                f"/admin/webhooks/{endpoint.uuid}/edit"):
        assert client.get(url).status_code == 404, url
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    for action in ("pause", "rotate", "delete", "test"):
        response = client.post(f"/admin/webhooks/{endpoint.uuid}/{action}", data={"csrf_token": token})
        assert response.status_code == 404, action
    assert WebhookEndpoint.get_by_id(endpoint.id).paused_at is None
    assert WebhookChange.select().count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(webhook_app, client):
    response = client.get("/admin/webhooks/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_registering_shows_the_secret_once(webhook_app, client, login, admin, receiver):
    login(admin)
    response = _register(client, receiver)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(response.get_data(as_text=True)).group(0)
    endpoint = WebhookEndpoint.get()
    assert endpoint.secret == secret and endpoint.event_types == ["case.created", "case.closed"]
    assert endpoint.created_by_id == admin.id
    page = client.get(f"/admin/webhooks/{endpoint.uuid}").get_data(as_text=True)
    assert secret not in page and "CRM sync" in page
    assert secret not in str(WebhookChange.get().new_value)


def test_a_change_without_the_csrf_token_is_refused(webhook_app, client, login, admin, make_endpoint, receiver):
    endpoint, _ = make_endpoint()
    login(admin)
    assert client.post(f"/admin/webhooks/{endpoint.uuid}/pause").status_code == 400
    assert client.post("/admin/webhooks/new", data={"url": receiver.url}).status_code == 400
    assert WebhookEndpoint.get_by_id(endpoint.id).paused_at is None


@pytest.mark.parametrize("extra, field_text", [
    ({"url": "https://10.0.0.5/hooks"}, "non-public address"),
    ({"url": "javascript:alert(1)"}, "must start with https://"),
    ({"url": ""}, "Enter the URL"),
    ({"url": "https://exa mple.com/"}, "without spaces"),
    ({"event_types": ["case.nonsense"]}, "Choose event types from the list"),
    ({"case_template": "not-a-template"}, "Choose a case template from the list"),
    ({"description": "x" * 500}, "200"),
])
def test_bad_input_is_a_form_error_not_a_crash(webhook_app, client, login, admin, receiver, extra, field_text):
    login(admin)
    response = _register(client, receiver, **extra)
    assert response.status_code == 400
    assert field_text in response.get_data(as_text=True)
    assert WebhookEndpoint.select().count() == 0


def test_an_unknown_endpoint_or_delivery_is_not_found(webhook_app, client, login, admin, make_endpoint):
    endpoint, _ = make_endpoint()
    login(admin)
    assert client.get("/admin/webhooks/not-a-uuid").status_code == 404
    assert client.get("/admin/webhooks/3f1c2a9e-0b7d-4c55-9a61-2d8e4f6b7a10").status_code == 404
    response = post_form(client, f"/admin/webhooks/{endpoint.uuid}/deliveries/nope/redeliver", {},
                         page=f"/admin/webhooks/{endpoint.uuid}")
    assert response.status_code == 404


def test_the_buttons_change_the_endpoint_and_are_audited(webhook_app, client, login, admin, make_endpoint,
                                                         receiver, run_until_idle):
    endpoint, old = make_endpoint()
    login(admin)
    page = f"/admin/webhooks/{endpoint.uuid}"
    assert post_form(client, f"{page}/test", {}, page=page).status_code == 302
    run_until_idle()
    assert "webhook.test" in client.get(page).get_data(as_text=True)
    message = Message.get()
    assert post_form(client, f"{page}/deliveries/{message.uuid}/redeliver", {}, page=page).status_code == 302
    rotated = post_form(client, f"{page}/rotate", {}, page=page)
    assert rotated.status_code == 200 and "24" in rotated.get_data(as_text=True)
    new = SECRET.search(rotated.get_data(as_text=True)).group(0)
    assert new != old and WebhookEndpoint.get_by_id(endpoint.id).previous_secret == old
    assert post_form(client, f"{page}/pause", {}, page=page).status_code == 302
    assert WebhookEndpoint.get_by_id(endpoint.id).paused_at is not None
    again = post_form(client, f"{page}/pause", {}, page=page, follow_redirects=True)
    assert "paused already" in again.get_data(as_text=True)
    assert post_form(client, f"{page}/resume", {}, page=page).status_code == 302
    edit = post_form(client, f"{page}/edit", {"url": receiver.url, "description": "Renamed",
                                               "event_types": ["case.closed"], "case_template": ""})
    assert edit.status_code == 302
    endpoint = WebhookEndpoint.get_by_id(endpoint.id)
    assert endpoint.description == "Renamed" and not endpoint.active
    assert post_form(client, f"{page}/delete", {}, page=page).status_code == 302
    assert WebhookEndpoint.select().count() == 0
    actions = [c.action for c in WebhookChange.select().order_by(WebhookChange.id)]
    assert actions == ["created", "test_sent", "redelivered", "secret_rotated", "paused", "resumed", "edited",
                       "deleted"]
    assert all(c.actor_id == admin.id for c in WebhookChange.select())


def test_the_admin_navigation_links_the_webhooks(webhook_app, client, login, admin):
    login(admin)
    assert 'href="/admin/webhooks/"' in client.get("/admin/webhooks/").get_data(as_text=True)


@pytest.mark.parametrize("language, words", [("de", "Endpunkt"), ("es", "endpoint")])
def test_the_pages_are_translated(webhook_app, client, login, admin, make_endpoint, receiver, language, words):
    endpoint, _ = make_endpoint()
    admin.language = language
    admin.save()
    login(admin)
    headers = {"Accept-Language": language}
    index = client.get("/admin/webhooks/", headers=headers).get_data(as_text=True)
    detail = client.get(f"/admin/webhooks/{endpoint.uuid}", headers=headers).get_data(as_text=True)
    assert "Register an endpoint" not in index and "Send a test event" not in detail
    assert words in index


def test_webhook_deliveries_are_in_the_admins_outbox_and_not_in_an_agents(webhook_app, client, login, admin,
                                                                          make_endpoint, event_on):
    from tests.webhooks.conftest import new_case

    make_endpoint()
    case = new_case()
    event_on(case)
    message = Message.get(Message.channel == "webhook")
    from portal import policy

    # A delivery may carry internal events: staff other than admins never see it (no topic, no recipient).
    assert not policy.can_read_message(factories.user(role="agent"), message)
    assert not policy.can_read_message(factories.user(role="supervisor"), message)
    login(admin)
    assert client.get(f"/notifications/outbox/{message.uuid}").status_code == 200
    assert client.get("/notifications/outbox").status_code == 200
