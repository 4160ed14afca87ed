"""The feed keeps each entry's markup between requests (portal/cases/routes/feed_lines.py, _LINES), but
the words of its relative time: a kept entry must never show another page's state. Every feed below is
the feed written with nothing kept, for the customer and an agent, in two languages and at three
"now"s; and what an entry is made of (its actor's name, the viewer's zone, its files) changes the
feed as it changes one written afresh."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage

import portal.clock
from portal.cases.routes import feed_lines
from portal.cases.service import conversation, lifecycle
from portal.clock import utcnow
from portal.models.people import User
from portal.staff.service import contacts, handling
from tests.fixtures import sign_in
from tests.staff.conftest import reload

_FEED = re.compile(r'<ol class="feed".*?</ol>', re.S)


def _feed(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return _FEED.search(response.get_data(as_text=True)).group(0)


def _afresh(client, path: str) -> str:
    feed_lines._LINES.clear()
    return _feed(client, path)


@pytest.fixture
def busy_case(people, teams, case):
    """A case with an entry of most kinds: comments with files, an internal note, a logged contact,
    an assignment, a priority change, a status change and a proposed resolution."""
    pdf = FileStorage(stream=io.BytesIO(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), filename="invoice <1>.pdf")
    conversation.add_comment(people.customer, case, "It jams <b>again</b> & again.", uploads=[pdf])
    conversation.add_comment(people.agent, reload(case), "Checked the logs.", public=False)
    contacts.log_contact(people.agent, reload(case), channel="phone", direction="outbound",
                         summary="Called back.", contacted_at=utcnow() - timedelta(hours=2))
    handling.take_case(people.agent, reload(case))
    handling.set_priority(people.agent, reload(case), "high")
    lifecycle.propose_resolution(people.agent, reload(case), "Replaced the roller.")
    return reload(case)


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = utcnow()

    monkeypatch.setattr(portal.clock, "utcnow", lambda: Clock.now)
    return Clock


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_kept_entries_are_the_entries_written_afresh(client, people, busy_case, clock, role):
    user = people.by_role(role)
    sign_in(client, user)
    path = f"/cases/{busy_case.reference}"
    start = clock.now
    _feed(client, path)
    for language in ("en", "de", "en"):
        User.update(language=language).where(User.id == user.id).execute()
        for later in (timedelta(0), timedelta(hours=3), timedelta(days=2)):
            clock.now = start + later
            assert feed_lines._LINES, "nothing was kept: the test did not exercise the memo"
            kept = _feed(client, path)  # with what the previous language and "now" kept
            fresh = _afresh(client, path)
            assert kept == fresh, (language, later)
            assert _feed(client, path) == fresh, (language, later)
    assert ("Checked the logs." in fresh) is (role == "agent")


def test_a_new_name_zone_or_file_shows_as_it_does_afresh(client, people, busy_case, clock):
    sign_in(client, people.agent)
    path = f"/cases/{busy_case.reference}"
    before = _feed(client, path)
    _feed(client, path)  # kept

    User.update(display_name="Cora Renamed").where(User.id == people.customer.id).execute()
    renamed = _feed(client, path)
    assert "Cora Renamed" in renamed and renamed != before
    assert renamed == _afresh(client, path)

    User.update(time_zone="Asia/Tokyo").where(User.id == people.agent.id).execute()
    _feed(client, path)
    elsewhere = _feed(client, path)
    assert elsewhere != renamed and "+0900" in elsewhere
    assert elsewhere == _afresh(client, path)

    picture = FileStorage(stream=io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 64), filename="photo.png")
    conversation.add_comment(people.customer, reload(busy_case), "A photo.", uploads=[picture])
    with_photo = _feed(client, path)
    assert "photo.png" in with_photo and with_photo == _afresh(client, path)


def test_the_kept_entries_stay_within_their_bounds(client, people, busy_case, monkeypatch):
    monkeypatch.setattr(feed_lines, "_LINES_CHARS", 5_000)
    conversation.add_comment(people.customer, reload(busy_case), "long " * 900)  # 4,500 characters
    sign_in(client, people.agent)
    path = f"/cases/{busy_case.reference}"
    fresh = _afresh(client, path)
    for _ in range(3):
        assert _feed(client, path) == fresh
        assert 0 < feed_lines._LINES.chars <= 5_000
        assert feed_lines._LINES.chars == sum(len(kept[0]) + len(kept[1]) for kept in feed_lines._LINES.values())
    monkeypatch.setattr(feed_lines, "_LINES_KEPT", 3)
    assert _feed(client, path) == fresh and len(feed_lines._LINES) <= 3
