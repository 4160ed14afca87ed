"""The feed writes its entries' HTML itself (portal.cases.routes.feed_lines): every value put into
a sentence (names, statuses, workgroups, task titles, customers, ratings) and the actor's name come
out escaped, whatever they hold."""

from __future__ import annotations

import json

import pytest

from portal.cases.queries.case_page import FeedEntry, FeedEvent
from portal.cases.routes.feed_lines import feed_lines

EVIL = '<script>alert("x")</script> & \'q\''
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;"


@pytest.mark.parametrize(("kind", "data"), [
    ("comment", {}),
    ("status_changed", {"from": EVIL, "to": EVIL}),
    ("assigned", {"to": EVIL}),
    ("workgroup_changed", {"from": EVIL, "to": EVIL}),
    ("escalated", {"to": EVIL}),
    ("priority_changed", {"from": EVIL, "to": EVIL}),
    ("resolution_accepted", {"rating": EVIL}),
    ("task_added", {"title": EVIL, "assignee": EVIL}),
    ("customer_linked", {"customer": EVIL}),
    ("contact_logged", {"channel": EVIL, "direction": "inbound"}),
])
def test_every_value_in_a_feed_sentence_is_escaped(app, kind, data):
    # a row as the database gives it: the data as its stored JSON text, the moment as SQLite's text
    event = FeedEvent((1, "0d7c6f3e-0000-4000-8000-000000000001", kind, 7, True, None, json.dumps(data),
                       "2026-12-01 12:00:00", "0d7c6f3e-0000-4000-8000-000000000002", EVIL))
    with app.test_request_context("/cases/12345678"):
        html = str(feed_lines([FeedEntry(event, [])], "12345678", contact_times=False)[0].html)
    assert "<script" not in html
    head = html.split('<p class="feed-head">', 1)[1].split("</p>", 1)[0]
    assert f"<strong>{ESCAPED}</strong>" in head  # the actor's name
    assert head.count(ESCAPED) == 1 + sum(1 for value in data.values() if value == EVIL)
