"""Fixtures for people administration: the real SMTP server the invitations go through."""

from __future__ import annotations

import pytest

from tests.fixtures import link_in
from tests.servers import smtp_server  # noqa: F401 - a real SMTP server for the invitations


@pytest.fixture
def mail(app, smtp_server, deliver):  # noqa: F811
    """mail(address) delivers the outbox through a real SMTP server (aiosmtpd) and returns the plain
    text of the newest message that reached that address."""
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      SMTP_USERNAME="")

    def _mail(address: str) -> str:
        deliver()
        received = [m for m in smtp_server.messages if address in m["To"]]
        assert received, f"no mail reached {address}"
        return received[-1].get_body(("plain",)).get_content()

    return _mail


@pytest.fixture
def invitation_link(mail):
    """invitation_link(address): the path of the invitation link in the newest mail to address."""
    return lambda address: link_in(mail(address), "/invitation/")
