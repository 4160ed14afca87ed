"""Server-side request forgery: private, loopback, link-local ... targets are refused when an
endpoint is registered and again when sending, unless WEBHOOK_ALLOW_PRIVATE_TARGETS allows them; the
connection goes to the address that was checked."""

from __future__ import annotations

import socket

import pytest

from notifier.channels.webhook import check_target
from notifier.models import DEAD, Message
from portal.errors import ValidationFailed
from portal.models.webhooks import WebhookEndpoint
from portal.webhooks import service
from tests.webhooks.conftest import new_case

REFUSED = [
    "https://10.1.2.3/hooks",
    "https://192.168.1.10/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://localhost/hooks",
    "https://127.0.0.1/hooks",
    "https://0.0.0.0/hooks",
    "https://[fe80::1]/hooks",
    "https://224.0.0.1/hooks",
    "https://100.64.0.1/hooks",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_non_public_target_is_refused_at_registration(app, url):
    from tests import factories

    admin = factories.user(role="admin")
    with pytest.raises(ValidationFailed) as refused:
        service.create_endpoint(admin, service.EndpointInput(url=url, event_types=("case.created",)))
    assert "url" in refused.value.fields
    assert WebhookEndpoint.select().count() == 0


@pytest.mark.parametrize("url", ["ftp://example.com/x", "https://user:pw@example.com/", "https:///nohost",
                                 "not a url", "https://example.com:99999/", "https://example.com/#frag"])
def test_malformed_urls_are_refused(url):
    with pytest.raises(ValueError):
        check_target(url, "")


def test_plain_http_is_only_for_allowed_private_targets():
    with pytest.raises(ValueError, match="https"):
        check_target("http://93.184.215.14/hooks", "")
    assert check_target("http://127.0.0.1:8080/hooks", "127.0.0.0/8").ip == "127.0.0.1"


def test_the_allow_setting_lets_only_its_networks_through():
    assert check_target("https://127.0.0.1/x", "127.0.0.1").ip == "127.0.0.1"
    assert check_target("https://[::ffff:127.0.0.1]/x", "127.0.0.1").ip == "::ffff:127.0.0.1"
    with pytest.raises(ValueError):
        check_target("https://10.0.0.1/x", "127.0.0.1")


def test_a_target_that_became_private_is_refused_when_sending(webhook_app, receiver, make_endpoint, event_on,
                                                              run_until_idle):
    make_endpoint()
    event_on(new_case())
    webhook_app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = ""
    run_until_idle()
    assert receiver.requests == []
    message = Message.get(Message.channel == "webhook")
    assert message.status == DEAD and "target refused" in message.last_error


def test_the_connection_goes_to_the_checked_address(webhook_app, receiver, make_endpoint, event_on, run_until_idle,
                                                    monkeypatch):
    """A host resolved once, checked, and connected to by that address: a second lookup (DNS
    rebinding) would fail here, as the name exists nowhere but in this test."""
    real = socket.getaddrinfo
    lookups = []

    def resolve(host, *args, **kwargs):
        if host == "hooks.rebind.test":
            lookups.append(host)
            if len(lookups) > 1:
                raise socket.gaierror("second lookup")
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    make_endpoint(url=f"http://hooks.rebind.test:{receiver.port}/hooks")
    lookups.clear()
    event_on(new_case())
    run_until_idle()
    assert len(receiver.delivered()) == 1
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.rebind.test:{receiver.port}"
    assert lookups == ["hooks.rebind.test"]
