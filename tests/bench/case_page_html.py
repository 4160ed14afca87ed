"""The case page's HTML for many viewers and cases, written to files, to check that a change to the
page's code shows everyone the same page (issue 12: a faster page that shows something different is a
regression).

    # once: a database with the demo data, plus comments, notes, files, links, a proposed resolution,
    # a closed case and a seeded 10,000-case database's busiest cases (copy it first)
    .venv/bin/python tests/bench/case_page_html.py build /tmp/pages.db
    # before the change (e.g. from a checkout of main) and after it, each on a fresh copy
    cp /tmp/pages.db /tmp/pages-a.db && python tests/bench/case_page_html.py dump /tmp/pages-a.db /tmp/html-before
    cp /tmp/pages.db /tmp/pages-b.db && python tests/bench/case_page_html.py dump /tmp/pages-b.db /tmp/html-after
    .venv/bin/python tests/bench/case_page_html.py compare /tmp/html-before /tmp/html-after

Every case page of the database's demo cases (and up to --seeded of its seeded ones) is loaded by the
admin, a supervisor, two agents, the case's customer and the proxy, in English and German, with the
clock frozen (relative times stay the same between runs). "compare" masks the CSRF tokens and the
one-time submission ids, then reports pages that differ byte for byte and pages that differ even
in what a browser shows (runs of whitespace as one space, none next to a block element's tags).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
FROZEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _freeze_clock() -> None:
    import portal.clock

    portal.clock.utcnow = lambda: FROZEN
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith(("portal", "notifier")) and \
                getattr(module, "utcnow", None) is not None and module.__name__ != "portal.clock":
            module.utcnow = lambda: FROZEN


def _app(path: Path, uploads: Path):
    from portal import create_app

    return create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": SECRET_KEY, "UPLOAD_DIR": str(uploads),
                       # the admin signs in with a password only here (a second factor is not what is compared)
                       "MFA_REQUIRED_FOR": "nobody"})


def build(path: Path) -> None:
    from werkzeug.datastructures import FileStorage

    from portal.bootstrap import prepare_database
    from portal.cases.service import conversation, lifecycle
    from portal.demo import load_demo_data
    from portal.demo.seed import seed
    from portal.models.cases import Case, CaseEvent
    from portal.models.people import Customer, User
    from portal.staff.service import contacts, handling

    app = _app(path, path.parent / "uploads")
    prepare_database(app)
    db = app.extensions["caseport_db"]
    with app.app_context(), db.connection_context():
        load_demo_data()
        seed(cases=300, random_seed=7)
        _freeze_clock()
        user = {u.email.split("@")[0]: u for u in User.select()}
        ada, li, sam = user["ada.agent"], user["li.agent"], user["sam.supervisor"]
        cases = {c.title: c for c in Case.select().where(Case.title.contains(" "))}
        dashboard = cases["Dashboard times out every morning"]
        export = cases["Can we export our cases to a spreadsheet?"]
        crash = cases["Mobile app crashes at sign-in"]
        maria = User.get(User.email == "maria.garcia@northwind.example.com")
        lena = User.get(User.email == "lena.fischer@example.com")
        pdf = FileStorage(io.BytesIO(b"%PDF-1.4\n% a small file\n"), filename="log <1>.pdf",
                          content_type="application/pdf")
        conversation.add_comment(maria, dashboard, "It happened again today at 8:15 <b>sharp</b>.", uploads=[pdf])
        conversation.add_comment(ada, dashboard, "Checking the load balancer logs.", public=False)
        conversation.add_comment(ada, dashboard, "We found the cause & are testing a fix.")
        tom = Customer.get(Customer.email == "tom.becker@northwind.example.com")
        contacts.link_customer(sam, dashboard, tom.uuid)
        lifecycle.propose_resolution(li, export, "Use Reports → Export (CSV), monthly.")
        handling.set_priority(sam, crash, "high")
        lifecycle.close_case(ada, Case.get_by_id(crash.id), "Fixed in 4.2.1")
        conversation.add_comment(lena, Case.get_by_id(export.id), "Thanks, I will try it.")
        # events of every kind the feed words, as the services and jobs record them
        kinds = [
            ("escalated", {"automatically": "missed_target", "to": "Escalations <team>"}, None),
            ("closed", {"automatically": "unanswered_resolution"}, None),
            ("reopened", {}, ada),
            ("field_changed", {"changes": [{"field": "Colour", "old": "", "new": "Red & <b>"},
                                           {"field": "Size", "old": "S", "new": None}]}, sam),
            ("assigned", {"from": "Li Wei", "to": None, "reason": "deactivated"}, None),
            ("assigned", {"from": "Li Wei", "reason": "left_staff"}, None),
            ("assigned", {}, sam),
            ("priority_changed", {"from": "Low", "to": "Urgent"}, sam),
            ("priority_changed", {"from": "Low", "to": "Someday"}, sam),
            ("contact_logged", {"channel": "Chat", "direction": "outbound", "summary": "x",
                                "contacted_at": "2026-11-30T09:15:00+00:00"}, li),
            ("contact_logged", {"channel": "Carrier pigeon", "direction": "inbound"}, li),
            ("workgroup_changed", {"from": "Service desk", "to": "Billing"}, sam),
            ("deescalated", {"to": "Service desk"}, sam),
            ("status_changed", {"from": "Open", "to": "Waiting <on you>"}, ada),
            ("resolution_accepted", {"rating": 4}, maria),
            ("task_added", {"title": "Call <back>", "assignee": "Ada"}, sam),
            ("task_completed", {"title": "Call back"}, ada),
            ("customer_linked", {"customer": "Tom Becker"}, sam),
            ("created", {"channel": "email"}, maria),
            ("comment", {"channel": "api"}, maria),
            ("something_new", {}, ada),
        ]
        for i, (kind, data, actor) in enumerate(kinds):
            CaseEvent.create(case=dashboard, kind=kind, actor=actor, public=i % 4 != 1, body="" if i % 3 else "Text",
                             data=data or None, created_at=FROZEN - timedelta(hours=30 - i))
    print(f"built {path}")


def _viewers(case, users):
    """Who loads this case's page: staff of every role, the case's customer (when they sign in) and the proxy."""
    from portal.models.people import Customer

    people = [users["admin"], users["sam.supervisor"], users["ada.agent"], users["li.agent"], users["pat.proxy"]]
    customer = Customer.get_by_id(case.customer_id)
    if customer.user_id:
        people.append(customer.user)
    return people


def dump(path: Path, out: Path, seeded: int) -> None:
    from portal.demo import DEMO_PASSWORD
    from portal.models.cases import Case
    from portal.models.people import User

    _freeze_clock()
    app = _app(path, path.parent / "uploads")
    out.mkdir(parents=True, exist_ok=True)
    db = app.extensions["caseport_db"]
    with app.app_context(), db.connection_context():
        users = {u.email.split("@")[0]: u for u in User.select().where(User.email.endswith("example.com")
                                                                          & ~User.email.endswith("seed.example.com"))}
        demo = list(Case.select().where(~Case.title.startswith("Seed")).order_by(Case.id))
        cases = [c for c in demo if c.created_by.email.endswith(".example.com")
                 and not c.created_by.email.endswith("seed.example.com")]
        cases += [c for c in demo if c not in cases][:seeded]
        plan = [(f"/cases/{case.reference}", viewer.email, viewer.role) for case in cases
                for viewer in _viewers(case, users)]
        # the staff's customer search on the page, for the demo cases
        plan += [(f"/cases/{case.reference}?link_q={q}", viewer.email, viewer.role) for case in cases[:6]
                 for viewer in _viewers(case, users)[:4] for q in ("maria", "zzz-nobody")]
    clients: dict = {}
    written = 0
    for path, email, role in plan:
        for language in ("en", "de"):
            key = (email, language)
            if key not in clients:
                client = app.test_client()
                page = client.get("/login", headers={"Accept-Language": language}).get_data(as_text=True)
                match = CSRF_RE.search(page)
                response = client.post("/login", data={"csrf_token": match.group(1) or match.group(2), "email": email,
                                                       "password": DEMO_PASSWORD},
                                       headers={"Accept-Language": language})
                assert response.status_code == 302, (email, response.status_code)
                clients[key] = client
            response = clients[key].get(path, headers={"Accept-Language": language})
            name = f"{path[7:].replace('?link_q=', '-find-')}-{role}-{email.split('@')[0]}-{language}.html"
            (out / name).write_text(f"<!-- {response.status_code} -->\n" + response.get_data(as_text=True))
            written += 1
    print(f"wrote {written} pages to {out}")


MASKS = [  # what differs on every load: CSRF tokens (by name and value), one-time submission ids
    (re.compile(r'(name="[a-z]*-?csrf_token"( type="hidden")? value=")[^"]+'), r"\1CSRF"),
    (re.compile(r'(name="[a-z]*-?submission" type="hidden" value=")[^"]+'), r"\1SUBMISSION"),
]
SPACES = re.compile(r"\s+")
# Whitespace next to a block's tags shows as nothing; elsewhere a run of it shows as one space.
AROUND_BLOCKS = re.compile(r" ?(<(?:/?(?:html|head|body|title|meta|link|script|style|main|nav|header|footer|section|"
                           r"div|p|ol|ul|li|dl|dt|dd|form|fieldset|legend|h[1-6]|details|summary|table|thead|tbody|"
                           r"tr|td|th|select|option|textarea)\b[^>]*)>|<!--.*?-->|<!doctype html>) ?", re.I | re.S)


def _as_shown(text: str) -> str:
    return AROUND_BLOCKS.sub(r"\1", SPACES.sub(" ", text))


def _masked(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def compare(before: Path, after: Path) -> int:
    names = sorted(p.name for p in before.glob("*.html"))
    missing = [n for n in names if not (after / n).exists()]
    exact = same_shown = 0
    differing = []
    for name in names:
        if name in missing:
            continue
        a, b = _masked((before / name).read_text()), _masked((after / name).read_text())
        if a == b:
            exact += 1
            continue
        if _as_shown(a) == _as_shown(b):
            same_shown += 1
        else:
            differing.append(name)
    print(f"{len(names)} pages: {exact} identical byte for byte, {same_shown} differ only in whitespace a browser "
          f"shows the same (next to block tags, or a run of it for one space), {len(differing)} differ, "
          f"{len(missing)} missing")
    for name in differing[:20]:
        print("  differs:", name)
    return 1 if differing or missing else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build").add_argument("database", type=Path)
    dumping = sub.add_parser("dump")
    dumping.add_argument("database", type=Path)
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--seeded", type=int, default=12, help="seeded cases to load besides the demo's")
    comparing = sub.add_parser("compare")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "build":
        build(args.database.resolve())
    elif args.command == "dump":
        dump(args.database.resolve(), args.out, args.seeded)
    else:
        raise SystemExit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
