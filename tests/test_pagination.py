"""One paginator for every list: page numbers from user input never fail, counted lists clamp to their
last page, uncounted ones (the outbox, captured mail) neither skip nor promise an item, and every list
draws the same page links."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

import notifier
from notifier.models import CapturedMessage
from portal.clock import utcnow
from portal.db import database
from portal.models.people import User
from portal.pagination import MAX_PAGE, page_number, paginate, paginate_in_one_statement
from tests import factories


@pytest.mark.parametrize(("value", "number"), [
    (None, 1), ("", 1), ("abc", 1), ("0", 1), ("-3", 1), ("1.5", 1), ("1e3", 1), ("+2", 1), ("0x10", 1),
    ("٣", 1), ("²", 1), ("3\x00", 1), (" 7 ", 7), ("2", 2), (3, 3), (-3, 1), (True, 1), (["2"], 1),
    (str(MAX_PAGE), MAX_PAGE), (str(MAX_PAGE + 1), MAX_PAGE), ("9" * 5000, MAX_PAGE), ("0" * 20 + "5", MAX_PAGE),
])
def test_a_page_number_from_user_input_is_a_whole_number_from_1_to_the_maximum(value, number):
    assert page_number(value) == number


def test_a_list_may_reach_fewer_pages():
    assert page_number("20000", maximum=10_000) == 10_000


@pytest.fixture
def seven_users(app):
    for n in range(7):
        factories.user(display_name=f"Page user {n}")
    return User.select().where(User.display_name.startswith("Page user")).order_by(User.id)


def names(page) -> list[str]:
    return [user.display_name[len("Page user "):] for user in page.items]


def test_a_counted_page_knows_its_neighbours_and_the_total(seven_users):
    page = paginate(seven_users, 2, 3)
    assert names(page) == ["3", "4", "5"]
    assert (page.number, page.pages, page.total, page.has_previous, page.has_next) == (2, 3, 7, True, True)
    assert (page.first_index, page.last_index) == (4, 6)


def test_a_counted_page_past_the_end_is_the_last_page(seven_users):
    page = paginate(seven_users, 99, 3)
    assert names(page) == ["6"] and page.number == 3 and not page.has_next


def test_an_empty_list_is_one_empty_page(app):
    page = paginate(User.select().where(User.id < 0), 5, 3)
    assert (page.items, page.number, page.pages, page.total, page.first_index) == ([], 1, 1, 0, 0)


@pytest.mark.parametrize(("size", "number", "shown", "more"), [(3, 1, ["0", "1", "2"], True),
                                                               (3, 3, ["6"], False),
                                                               (7, 1, ["0", "1", "2", "3", "4", "5", "6"], False),
                                                               (3, 9, [], False)])
def test_an_uncounted_page_reads_one_more_item_to_know_if_another_page_follows(seven_users, sql_log, size,
                                                                                number, shown, more):
    with sql_log() as statements:
        page = paginate(seven_users, number, size, counted=False)
    assert names(page) == shown and page.has_next is more
    assert page.total is None and page.pages is None
    assert len(statements) == 1 and "COUNT" not in statements[0].upper()


def test_the_pages_of_an_uncounted_list_hold_every_item_once(seven_users):
    seen = []
    for number in (1, 2, 3):
        seen += names(paginate(seven_users, number, 3, counted=False))
    assert seen == [str(n) for n in range(7)]


@pytest.mark.parametrize(("number", "shown", "shown_number", "statements_read"), [
    (1, ["0", "1", "2"], 1, 2), (3, ["6"], 3, 2), (9, ["6"], 3, 4)])
def test_a_page_in_one_statement_reads_its_keys_and_total_together(seven_users, sql_log, number, shown,
                                                                    shown_number, statements_read):
    def rows_for(ids):
        return ((user.id, user) for user in User.select().where(User.id.in_(ids)))

    with sql_log() as statements:
        page = paginate_in_one_statement(seven_users, number, 3, key=User.id, rows_for=rows_for)
    assert names(page) == shown and page.number == shown_number and page.total == 7 and page.pages == 3
    # keys and total, rows; past the end: keys, the count, the last page's keys, rows
    assert len(statements) == statements_read


def test_an_empty_list_in_one_statement(app, sql_log):
    with sql_log() as statements:
        page = paginate_in_one_statement(User.select().where(User.id < 0), 1, 3, key=User.id)
    assert (page.items, page.total, page.pages) == ([], 0, 1) and len(statements) == 1


# --- the lists --------------------------------------------------------------------------------------


def captures(count: int) -> None:
    start = utcnow()
    for n in range(count):
        CapturedMessage.create(message_uuid=uuid.uuid4(), channel="email", to_address=f"m{n}@example.com",
                               subject=f"Subject {n:03d}", text="Hello", captured_at=start - timedelta(minutes=n))


def subjects(html: str) -> list[str]:
    return re.findall(r"Subject (\d{3})", html)


def test_captured_mail_pages_hold_every_message_and_link_newer_and_older(client, login, people):
    captures(51)
    login(people.admin)
    first = client.get("/notifications/mailbox").get_data(as_text=True)
    assert subjects(first) == [f"{n:03d}" for n in range(50)]
    assert 'href="/notifications/mailbox?page=2" rel="next">Older</a>' in first and 'rel="prev"' not in first
    second = client.get("/notifications/mailbox?page=2").get_data(as_text=True)
    assert subjects(second) == ["050"]
    assert 'href="/notifications/mailbox" rel="prev">Newer</a>' in second and 'rel="next"' not in second
    assert "<span>Page 2</span>" in second


def test_a_full_last_page_of_captured_mail_offers_no_older_page(client, login, people):
    captures(50)
    login(people.admin)
    page = client.get("/notifications/mailbox").get_data(as_text=True)
    assert len(subjects(page)) == 50 and 'rel="next"' not in page


def test_the_second_outbox_page_starts_right_after_the_first(client, login, people):
    start = utcnow()
    with database.atomic():
        for n in range(51):
            notifier.enqueue("email_verification", [notifier.Recipient("email", f"r{n:03d}@example.com")],
                             {"user_name": "R", "verify_url": "http://portal.test/verify-email/x",
                              "expires_in_minutes": 60},
                             key=f"page-{n}", now=start - timedelta(minutes=n))
    login(people.admin)
    first = client.get("/notifications/outbox?event=email_verification").get_data(as_text=True)
    second = client.get("/notifications/outbox?event=email_verification&page=2").get_data(as_text=True)
    listed = re.findall(r"r(\d{3})@example\.com", first) + re.findall(r"r(\d{3})@example\.com", second)
    assert listed == [f"{n:03d}" for n in range(51)]
    older = re.search(r'href="([^"]+)" rel="next">Older</a>', first).group(1).replace("&amp;", "&")
    assert urlsplit(older).path == "/notifications/outbox"
    assert parse_qs(urlsplit(older).query) == {"event": ["email_verification"], "page": ["2"]}


@pytest.mark.parametrize("url", ["/cases?page=٣", "/staff/?mine_page=99999999999999999999&queue_page=-1",
                                 "/staff/search?q=printer&page=%EF%BC%92", "/notifications/outbox?page=1e309",
                                 "/notifications/mailbox?page=" + "9" * 5000])
def test_no_page_number_breaks_a_list(client, login, people, url):
    login(people.admin)
    assert client.get(url).status_code == 200


def test_staff_lists_link_their_pages_keeping_the_other_lists_page(client, login, people):
    team = factories.workgroup(people.agent, name="Service desk")
    for n in range(30):
        factories.case(people.customer, workgroup=team, assignee=people.agent, title=f"Mine {n}")
    login(people.agent)
    page = client.get("/staff/?queue_page=2").get_data(as_text=True)
    assert 'href="/staff/?queue_page=2&amp;mine_page=2" rel="next">Next</a>' in page
    second = client.get("/staff/?mine_page=2&queue_page=2").get_data(as_text=True)
    assert 'href="/staff/?queue_page=2" rel="prev">Previous</a>' in second
