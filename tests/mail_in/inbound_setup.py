"""What the new-case-by-email tests share: an inbound address on a template an email can fill in, in a
workgroup of its own, and ParsedMail built directly (as the parser would give it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from portal.mail_in.message import ParsedMail
from portal.models.configuration import CaseTemplate
from portal.models.inbound_addresses import InboundAddress
from portal.models.teams import Workgroup
from tests import factories
from tests.case_config import factories as config_factories

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@dataclass
class Inbound:
    address: InboundAddress
    template: CaseTemplate
    workgroup: Workgroup
    template_workgroup: Workgroup


@pytest.fixture(name="inbound")
def inbound_fixture(app, people) -> Inbound:
    """support@example.com: the "Email" template (no required fields; its own default workgroup is
    another) in the Mail desk; unknown senders get a link."""
    template_workgroup = factories.workgroup(people.agent, name="Web desk")
    workgroup = factories.workgroup(people.agent, name="Mail desk")
    template = config_factories.template(people.admin, name="Email", default_workgroup=template_workgroup)
    address = InboundAddress.create(address="support@example.com", case_template=template, workgroup=workgroup,
                                    language="de", unknown_senders="link")
    return Inbound(address, template, workgroup, template_workgroup)


def mail(sender: str | None = "cora@example.com", *, subject: str = "Printer shows E42",
         text: str = "Hello,\n\nthe printer shows E42 since this morning.\n\n> old quote\n",
         reply_text: str | None = None, to=("support@example.com",), cc=(), message_id: str = "m1@mail.example.com",
         **extra) -> ParsedMail:
    return ParsedMail(message_id=message_id, sender=sender, sender_name=extra.pop("sender_name", ""), to=tuple(to),
                      cc=tuple(cc), subject=subject, date=NOW, text=text,
                      reply_text=text.split("\n>")[0].strip() if reply_text is None else reply_text, **extra)
