"""The HTML (and headers) of many pages for many viewers and languages, to check that a speed-up
changed nothing anyone sees: take a snapshot with the code before and one with the code after, then
compare them.

Each language (en, de, es) gets a fresh copy of a seeded SQLite database with every user's language
set to it; each viewer (the busy customer, another customer, a proxy, an agent, a supervisor, the
admin; staff also with MFA_REQUIRED_FOR=nobody, so the admin's pages are not all the second-factor
setup) signs in through the login form and loads the dashboard (sorted, filtered, searched, paged,
with bad values), a case page, the new-case form, the account page, the staff and admin pages, a
missing page; a signed-out visitor loads the sign-in pages. The clock is frozen, so relative times
and every date come out the same; what is random per request (CSRF tokens, submission ids, a new
authenticator secret and its QR code) is masked when comparing.

    git archive main | tar -x -C /tmp/before && cp portal/translations/*/LC_MESSAGES/messages.mo ...
    .venv/bin/python tests/bench/page_snapshots.py snapshot /tmp/before /tmp/snap-before --database /tmp/seeded10k.db
    .venv/bin/python tests/bench/page_snapshots.py snapshot . /tmp/snap-after --database /tmp/seeded10k.db
    .venv/bin/python tests/bench/page_snapshots.py compare /tmp/snap-before /tmp/snap-after

(the code root's compiled catalogues, portal/translations/*/LC_MESSAGES/messages.mo, must exist: copy
them into an unpacked archive.)
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import sqlite3
import sys
from datetime import UTC, datetime

FROZEN = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)
PAGES = ["/cases", "/cases?sort=title&order=asc", "/cases?category=open", "/cases?q=printer", "/cases?page=3",
         "/cases?status=bogus&template=x", "/cases?page=999", "{case}", "/cases/new", "/account", "/staff/",
         "/admin/", "/reports/", "/no/such/page", "/customers/", "/account/colleagues", "/",
         "/account/second-factor", "/staff/search?q=printer", "/notifications/outbox", "/nav/../cases"]
SIGNED_OUT_PAGES = ["/login", "/cases", "/no/such/page", "/signup", "/password-reset"]
STAFF = ["pat.proxy@caseport.example.com", "ada.agent@caseport.example.com", "sam.supervisor@caseport.example.com",
         "admin@caseport.example.com"]
TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
MASKS = [
    (re.compile(r'(name="[\w-]*csrf_token" type="hidden" value=")[^"]+'), r"\1X"),
    (re.compile(r'(name="[\w-]*csrf_token" value=")[^"]+'), r"\1X"),
    (re.compile(r'(name="[\w-]*submission" type="hidden" value=")[^"]+'), r"\1X"),
    (re.compile(r'<img src="data:image/svg\+xml[^"]*"'), "<img QR"),
    (re.compile(r'(class="totp-secret" id="totp-secret">)[^<]+'), r"\1X"),
    (re.compile(r'(name="secret" type="hidden" value=")[^"]+'), r"\1X"),
]


def snapshot(root: str, out: str, database: str) -> None:
    sys.path.insert(0, os.path.abspath(root))
    import portal.clock

    real_utcnow = portal.clock.utcnow
    portal.clock.utcnow = lambda: FROZEN
    from portal import create_app
    from portal.demo import DEMO_PASSWORD

    def freeze_everywhere():  # modules that imported utcnow by name
        for module in list(sys.modules.values()):
            if module is not None and getattr(module, "utcnow", None) is real_utcnow:
                module.utcnow = portal.clock.utcnow

    os.makedirs(out, exist_ok=True)
    with sqlite3.connect(database) as con:
        busy = con.execute("SELECT email FROM user WHERE email LIKE 'busy.customer%' ORDER BY id DESC").fetchone()[0]
        plain = con.execute("SELECT u.email FROM user u JOIN customer c ON c.user_id = u.id WHERE u.role = 'customer' "
                            "AND u.email LIKE '%seed.example.com' AND u.email NOT LIKE 'busy%' "
                            "ORDER BY u.id DESC LIMIT 1").fetchone()[0]
        case = con.execute('SELECT c.reference FROM "case" c JOIN customer cu ON cu.id = c.customer_id '
                           "JOIN user u ON u.id = cu.user_id WHERE u.email = ? ORDER BY c.id LIMIT 1",
                           (busy,)).fetchone()[0]
    pages = [page.replace("{case}", f"/cases/{case}") for page in PAGES]

    def save(name: str, response) -> None:
        headers = {k: v for k, v in response.headers.items() if k not in ("Set-Cookie", "Date", "Content-Length")}
        with open(os.path.join(out, re.sub(r"[^A-Za-z0-9_.@-]+", "_", name) + ".html"), "w") as f:
            f.write(f"{response.status_code}\n{json.dumps(headers, sort_keys=True)}\n{response.get_data(as_text=True)}")

    for language in ("en", "de", "es"):
        copy = os.path.join(out, f"_{language}.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(copy + suffix):
                os.remove(copy + suffix)
        shutil.copy(database, copy)
        with sqlite3.connect(copy) as con:
            con.execute("UPDATE user SET language = ?", (language,))
        for mfa in ("admin", "nobody"):
            app = create_app({"DATABASE_URL": f"sqlite:///{copy}", "MFA_REQUIRED_FOR": mfa,
                              "SECRET_KEY": "snapshot-secret-key-0123456789-abcdef"})
            freeze_everywhere()
            for who in ([busy, plain, *STAFF] if mfa == "admin" else STAFF[1:]):
                client = app.test_client()
                token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
                answer = client.post("/login", data={"csrf_token": token, "email": who, "password": DEMO_PASSWORD})
                assert answer.status_code == 302, (who, answer.status_code)
                for page in pages:
                    save(f"{language}__{mfa}__{who.split('@')[0]}__{page}", client.get(page))
            client = app.test_client()
            for page in SIGNED_OUT_PAGES:
                save(f"{language}__{mfa}__signed-out__{page}", client.get(page))
            app.extensions["caseport_db"].close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(copy + suffix):
                os.remove(copy + suffix)
    print(f"{len(os.listdir(out))} pages in {out}")


def _masked(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def compare(before: str, after: str) -> int:
    names = sorted(set(os.listdir(before)) | set(os.listdir(after)))
    different = 0
    for name in names:
        try:
            with open(os.path.join(before, name)) as a, open(os.path.join(after, name)) as b:
                old, new = _masked(a.read()), _masked(b.read())
        except FileNotFoundError:
            old, new = "missing", ""
        if old != new:
            different += 1
            if different <= 5:
                print(f"DIFFERENT {name}")
                print("".join(list(difflib.unified_diff(old.splitlines(True), new.splitlines(True), n=1))[:30]))
    print(f"identical {len(names) - different}, different {different}")
    return 1 if different else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("snapshot")
    take.add_argument("root", help="the code to run (a checkout or an unpacked archive)")
    take.add_argument("out")
    take.add_argument("--database", required=True, help="a seeded SQLite database (caseport seed), not changed")
    check = commands.add_parser("compare")
    check.add_argument("before")
    check.add_argument("after")
    args = parser.parse_args()
    if args.command == "snapshot":
        snapshot(args.root, args.out, args.database)
    else:
        sys.exit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
