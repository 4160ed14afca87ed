"""A whole exchange by email: the agent answers on the case page, the answer reaches the customer's inbox (a real
SMTP server) with a reply address that threads, the customer answers that email over LMTP, and the reply is on
the case page, marked as written by email."""

from __future__ import annotations

import re
import smtplib

from playwright.sync_api import expect

from portal.mail_in.receive import lmtp_controller
from portal.models.mail_in import DONE, InboundMessage
from tests import factories
from tests.mail_in.core_helpers import MAIL_IN, mime, wait_for
from tests.servers import free_port, smtp_server  # noqa: F401 - the customer's mail server


def test_a_customer_answers_the_agents_email_and_the_reply_appears_on_the_case_page(
        app, page, live_server, people, login_as, smtp_server, deliver):  # noqa: F811
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      SMTP_USERNAME="", **MAIL_IN)
    port = free_port()
    lmtp = lmtp_controller(app.config, app.url_map, "127.0.0.1", port)
    lmtp.start()
    try:
        team = factories.workgroup(people.agent, name="Service desk")
        case = factories.case(people.customer, workgroup=team, assignee=people.agent, title="Label printer")

        login_as(people.agent)
        page.goto(f"{live_server}/cases/{case.reference}")
        page.get_by_label(re.compile("^Your reply or note")).fill("Please try a new label roll.")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("Your comment is added.")).to_be_visible()

        report = deliver()
        assert report.dead == 0, report.errors
        [answer] = [m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == "cora@example.com"]
        assert "Please try a new label roll." in answer.get_body(preferencelist=("plain",)).get_content()
        reply_to = answer["Reply-To"].addresses[0].addr_spec
        assert re.fullmatch(r"cases\+[a-z2-7]{76}@help\.example\.com", reply_to)

        reply = mime(sender="cora@example.com", to=reply_to, subject=f"Re: {answer['Subject']}",
                     in_reply_to=answer["Message-ID"], body="A new roll fixed it, thank you!")
        with smtplib.LMTP("127.0.0.1", port) as client:
            assert client.sendmail("cora@example.com", [reply_to], reply) == {}
        wait_for(lambda: InboundMessage.get().state == DONE)

        page.context.clear_cookies()
        login_as(people.customer)
        page.goto(f"{live_server}/cases/{case.reference}")
        expect(page.get_by_text("A new roll fixed it, thank you!")).to_be_visible()
        expect(page.get_by_text("Cora Customer commented by email")).to_be_visible()
        expect(page.get_by_text("Please try a new label roll.")).to_be_visible()
    finally:
        lmtp.stop()
