"""Who reads which notifier records, on every surface that shows them: roles × kinds of message.

Each case sends one kind of message through the service that sends it in real use, delivers it to the
demo sink, signs in as the role and looks at every surface: the outbox list, a message's page, the
counts by state, the filters, the captured mail (list, message, HTML part), the case page's
Notifications tab and requeueing. What a viewer may not read answers 404 or is absent, and the
secret of an account message (the reset link's token) never appears in any outbox response.
"""

from __future__ import annotations

import re

import pytest

from notifier.models import DEAD, CapturedMessage, Message
from tests.fixtures import csrf_token_from
from tests.outbox_views.conftest import send

ROLES = ("customer", "proxy", "agent in the team", "agent elsewhere", "supervisor", "admin", "anonymous")
KINDS = ("case in the team", "case elsewhere", "reset for another admin", "reset for the viewer",
         "test message to another admin")
STAFF = ("agent in the team", "agent elsewhere", "supervisor", "admin")
# What each member of staff may read, in the outbox and in the captured mail alike.
READS = {
    "admin": set(KINDS),
    "agent in the team": {"case in the team", "reset for the viewer"},
    "supervisor": {"case in the team", "reset for the viewer"},
    "agent elsewhere": {"reset for the viewer"},
}
# Who may open which case page (the policy's case visibility, restated for this world).
CASE_PAGES = {
    "case in the team": {"customer", "proxy", "agent in the team", "supervisor", "admin"},
    "case elsewhere": {"admin"},
}
CASE_KINDS = tuple(CASE_PAGES)
SURFACES = ("outbox list", "outbox message", "counts", "filter", "captured list", "captured message",
            "captured html", "case tab", "requeue")
COUNT = re.compile(r'<span class="count">(\d+)</span>')


def expected(role: str, kind: str, sent: int) -> dict:
    if role == "anonymous":
        return dict.fromkeys(SURFACES, "sign in")
    reads = kind in READS.get(role, ())
    listed = "listed" if reads else "hidden"
    outcome = {
        "outbox list": listed,
        "outbox message": "shown" if reads else "404",
        "counts": sent if reads else 0,
        "filter": listed,
        "captured list": listed,
        "captured message": "shown" if reads else "404",
        "captured html": "shown" if reads else "404",
        "requeue": "queued again" if reads else "404",
    }
    if role not in STAFF:
        outcome = dict.fromkeys(outcome, "404")
    page_case = kind if kind in CASE_KINDS else "case in the team"
    if role not in CASE_PAGES[page_case]:
        outcome["case tab"] = "404"
    else:
        outcome["case tab"] = "listed" if reads and kind in CASE_KINDS and role in STAFF else "hidden"
    return outcome


class Observer:
    """Requests the surfaces as the signed-in client and keeps every outbox response body."""

    def __init__(self, client):
        self.client = client
        self.outbox_bodies: list[str] = []

    def get(self, url: str, *, outbox: bool = True):
        response = self.client.get(url)
        if outbox:
            self.outbox_bodies.append(response.get_data(as_text=True))
        return response

    @staticmethod
    def _refused(response) -> str | None:
        if response.status_code == 302 and "/login" in response.headers["Location"]:
            return "sign in"
        if response.status_code == 404:
            return "404"
        assert response.status_code == 200, response.status_code
        return None

    def listing(self, url: str, names: list[str], *, outbox: bool = True) -> str:
        response = self.get(url, outbox=outbox)
        refused = self._refused(response)
        if refused:
            return refused
        page = response.get_data(as_text=True)
        found = [name in page for name in names]
        return "listed" if all(found) else "hidden" if not any(found) else f"partial {found}"

    def page(self, url: str, *, outbox: bool = True) -> str:
        return self._refused(self.get(url, outbox=outbox)) or "shown"

    def counts(self) -> int | str:
        response = self.get("/notifications/outbox")
        return self._refused(response) or sum(map(int, COUNT.findall(response.get_data(as_text=True))))


def observe(client, world, kind: str, messages: list[Message]) -> tuple[dict, Observer]:
    look = Observer(client)
    uuids = [str(m.uuid) for m in messages]
    first = messages[0]
    captures = list(CapturedMessage.select().where(CapturedMessage.message_uuid.in_([m.uuid for m in messages])))
    assert len(captures) == len(messages), "every message was delivered to the demo sink"
    if kind in CASE_KINDS:
        case = world.case_in_team if kind == "case in the team" else world.case_elsewhere
        probe = f"/notifications/outbox?topic={case.reference}"
    else:
        case = world.case_in_team
        probe = f"/notifications/outbox?event={first.event}&address={first.address}"
    seen = {
        "outbox list": look.listing("/notifications/outbox", uuids),
        "outbox message": look.page(f"/notifications/outbox/{first.uuid}"),
        "counts": look.counts(),
        "filter": look.listing(probe, uuids),
        "captured list": look.listing("/notifications/mailbox", [str(c.uuid) for c in captures], outbox=False),
        "captured message": look.page(f"/notifications/mailbox/{captures[0].uuid}", outbox=False),
        "captured html": look.page(f"/notifications/mailbox/{captures[0].uuid}/html", outbox=False),
        "case tab": look.listing(f"/cases/{case.reference}", uuids),
        "requeue": requeue(client, look, first),
    }
    return seen, look


def requeue(client, look: Observer, message: Message) -> str:
    """Stop the message (as a delivery that gave up would), then ask to send it again."""
    Message.update(status=DEAD, last_error="550 5.1.1 mailbox unavailable").where(Message.id == message.id).execute()
    token_page = client.get("/account")
    if token_page.status_code != 200:
        token_page = client.get("/login")
    token = csrf_token_from(token_page.get_data(as_text=True))
    response = client.post(f"/notifications/outbox/{message.uuid}/requeue", data={"csrf_token": token})
    state = Message.get_by_id(message.id).status
    if response.status_code == 302 and "/login" in response.headers["Location"] and state == DEAD:
        return "sign in"
    if response.status_code == 404 and state == DEAD:
        return "404"
    if response.status_code == 302 and state == "queued":
        look.get(response.headers["Location"])
        return "queued again"
    return f"{response.status_code}, message {state}"


def reset_token(message: Message) -> str:
    return message.context["reset_url"].rsplit("/", 1)[1]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_who_reads_which_message_on_every_surface(client, login, world, deliver, role, kind):
    viewer = world.viewer(role)
    messages = send(world, kind, viewer)
    deliver()
    if viewer is not None:
        login(viewer)

    seen, look = observe(client, world, kind, messages)

    assert seen == expected(role, kind, len(messages))
    if kind.startswith("reset"):
        token = reset_token(messages[0])
        assert len(token) >= 40
        assert not [body for body in look.outbox_bodies if token in body], "a reset token reached the outbox"
        if seen["captured message"] == "shown":
            # The demo mailbox stands in for the recipient's inbox: there the link is, as it should be.
            capture = CapturedMessage.get(CapturedMessage.message_uuid == messages[0].uuid)
            assert token in client.get(f"/notifications/mailbox/{capture.uuid}").get_data(as_text=True)
