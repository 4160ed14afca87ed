"""Check that keyword search lists the same cases whichever way it finds them, on a big database.

SQLite decides some matches on the cases' stored documents (portal.cases.queries.search.PlainMatch:
a common word's newest matches for staff, a customer's own cases) instead of asking the full-text
index; and the staff search lists a common word's newest matches from a walk of the viewer's newest
cases, uncounted ("More than N cases found"), where the "Count matches" link (count=1) reads the
capped count and lists the page from the index. This script signs in (the real login form, Flask test
client) as the agent, the supervisor, a seeded proxy and the newest seed run's busy customer (the
admin, who signs in with a second factor: through the view's own query, portal.staff.queries.search_page),
searches a set of queries (common word, rare word, two words, prefix, quoted phrase, no match) on
several pages with the document reading on, then again with it off (DECIDE_ON_TEXT = False,
MAX_TEXTS_READ = -1: the statements alone), and compares each page's heading, listed case references
in order and next link; each staff page is also compared with its counted page (count=1): the same
cases and next link (the heading may say more there). Prints one line per viewer and query, and exits
1 on a difference.

    .venv/bin/python tests/bench/check_search.py --database-url sqlite:////tmp/search1m.db
    .venv/bin/python tests/bench/check_search.py \
        --database-url postgresql://caseport:caseport@127.0.0.1:5432/caseport_search1m
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
HEADING = re.compile(r'<h2 id="results-title">(.*?)</h2>', re.S)
REFERENCE = re.compile(r'href="/cases/(\d{8})"')


def summary(html: str) -> tuple:
    """What a search page says: its results heading (staff), the case references it lists in order and
    whether it links a next page."""
    start = html.find('id="results-title"')
    if start < 0:
        start = html.find("<main")
    heading = HEADING.search(html)
    listed = REFERENCE.findall(html[start:])
    return (heading.group(1).strip() if heading else "", tuple(listed), 'rel="next"' in html)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database seeded by `caseport seed`")
    parser.add_argument("--pages", default="1,2,5", help="staff search pages compared")
    args = parser.parse_args()

    from portal import create_app
    from portal.cases.queries import search as keyword_search
    from portal.demo import DEMO_PASSWORD
    from portal.models.cases import Case
    from portal.models.people import Customer, User

    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": SECRET_KEY})
    db = app.extensions["caseport_db"]
    with app.app_context(), db.connection_context():
        seeded = (User.role == "customer") & User.email.endswith("@seed.example.com")
        busy = (User.select().where(seeded & User.email.startswith("busy.customer")).order_by(User.id.desc()).get())
        newest = (Case.select(Case.reference, Customer.last_name).join(Customer)
                  .where(Customer.user == busy.id).order_by(Case.id.desc()).tuples().first())
        seeded_proxy = (User.role == "proxy") & User.email.endswith("@seed.example.com")
        proxy = User.select(User.email).where(seeded_proxy).order_by(User.id).scalar()
        admin = User.get(User.email == "admin@caseport.example.com")
    reference, last_name = newest
    queries = ["printer", "print", "pri", "printer jammed", '"printer jammed"', "zebra", reference,
               last_name.lower(), "invoice refund"]
    viewers = {"agent": "ada.agent@caseport.example.com", "supervisor": "sam.supervisor@caseport.example.com",
               "admin": None, "proxy": proxy, "customer": busy.email}

    def client_for(email):
        client = app.test_client()
        match = CSRF_RE.search(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"csrf_token": match.group(1) or match.group(2), "email": email,
                                               "password": DEMO_PASSWORD})
        assert response.status_code == 302, (email, response.status_code)
        return client

    def admin_page(url, text, number):
        """An admin signs in with a second factor: their search page is read by the same query the view
        calls (portal.staff.queries.search_page), in a request of theirs."""
        from flask_login import login_user

        from portal.staff import queries as staff_queries

        with app.test_request_context(url), db.connection_context():
            login_user(admin)
            page = staff_queries.search_page(admin, text, None, number, counted="count=1" in url)
            total = f"More than {page.more_than:,}" if page.total is None else str(page.total)
            return 200, total, tuple(case.reference for case in page.items), page.has_next

    pages = [int(n) for n in args.pages.split(",")]
    differences = 0
    for who, email in viewers.items():
        client = client_for(email) if email else None
        staff = who not in ("customer", "proxy")
        for text in queries:
            for number in pages if staff else pages[:2]:
                url = (f"/staff/search?q={quote_plus(text)}" if staff else f"/cases?q={quote_plus(text)}") + (
                    f"&page={number}" if number > 1 else "")
                seen = []
                runs = [(True, keyword_search.MAX_TEXTS_READ, url), (False, -1, url)]
                if staff:
                    runs.append((True, keyword_search.MAX_TEXTS_READ, url + "&count=1"))
                for decide, read, asked in runs:
                    saved = keyword_search.DECIDE_ON_TEXT, keyword_search.MAX_TEXTS_READ
                    keyword_search.DECIDE_ON_TEXT, keyword_search.MAX_TEXTS_READ = decide, read
                    try:
                        started = time.perf_counter()
                        if client is None:
                            said = admin_page(asked, text, number)
                        else:
                            response = client.get(asked)
                            said = (response.status_code, *summary(response.get_data(as_text=True)))
                        elapsed = (time.perf_counter() - started) * 1000
                    finally:
                        keyword_search.DECIDE_ON_TEXT, keyword_search.MAX_TEXTS_READ = saved
                    seen.append((said, elapsed))
                if staff:
                    (counted, counted_ms) = seen.pop()
                    if counted[0] != 200 or counted[2:] != seen[0][0][2:]:
                        differences += 1
                        print(f"DIFFERENT  {who:<10} {text!r:<20} page {number} counted: {counted[1]}; "
                              f"{counted[2]} against {seen[0][0][2]}", flush=True)
                    else:
                        print(f"same       {who:<10} {text!r:<20} page {number} counted: {counted[1]} "
                              f"({counted_ms:.0f} ms)", flush=True)
                (now, now_ms), (before, before_ms) = seen
                same = now == before
                differences += not same
                status, heading, listed, more = now
                said = f"{heading or '-'}; {len(listed)} listed{', next' if more else ''}" if status == 200 else (
                    f"answered {status}")
                print(f"{'same' if same else 'DIFFERENT'}  {who:<10} {text!r:<20} page {number}: {said}  "
                      f"({now_ms:.0f} ms, before {before_ms:.0f} ms)", flush=True)
                if not same:
                    print(f"    before: {before}\n    now:    {now}", flush=True)
    print(f"{differences} difference(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
