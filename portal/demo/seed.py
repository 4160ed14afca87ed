"""A large, realistic data set for load tests and demos: `caseport seed`.

Fast because it writes in bulk: ids are assigned here (so events can point at their case without a
round trip), rows go in with insert_many in chunks, one transaction per chunk of cases, and the
search documents are built from the text in memory rather than read back. Reproducible with a seed.
It adds to whatever exists; each run gets its own account, customer and email numbers.
"""

from __future__ import annotations

import functools
import random
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import peewee

from portal import passwords
from portal.cases.rules import build_documents, display_value, part_tokens, tsvector
from portal.cases.service.search_index import store_documents
from portal.db import database, is_postgres
from portal.demo import load_demo_data
from portal.demo.people import DEMO_PASSWORD
from portal.models.cases import Attachment, Case, CaseEvent, CaseFieldValue
from portal.models.configuration import CaseStatus, CaseTemplate, FieldOption, TemplateField
from portal.models.people import Account, Customer, User
from portal.service_levels.elapsed import calendar_seconds

CASES_PER_CHUNK = 500
ROWS_PER_INSERT = 500
# Parts of documents (titles, sentences, option labels) whose words and stems are kept: the generator's
# texts repeat, so most parts are cut and stemmed once per run instead of once per case.
CACHED_PARTS = 200_000
BUSY_CUSTOMER_CASES = 200
LONG_CASE_EVENTS = 50
SEED_DOMAIN = "seed.example.com"
STATUS_WEIGHTS = {"open": 30, "waiting": 10, "resolved": 10, "closed": 50}

FIRST_NAMES = ["Ana", "Ben", "Chloé", "Dmitri", "Emma", "Farah", "Gustav", "Hana", "Ivan", "Jana", "Kofi", "Lucía",
               "Mateo", "Nora", "Omar", "Priya", "Quentin", "Rosa", "Søren", "Tariq", "Uma", "Viktor", "Wen", "Yara"]
LAST_NAMES = ["Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hughes", "Ito", "Jensen",
              "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Patel", "Rossi", "Schmidt", "Tanaka", "Weber"]
COMPANY_WORDS = ["Northwind", "Contoso", "Bluebird", "Harbour", "Summit", "Evergreen", "Riverside", "Atlas",
                 "Beacon", "Cedar", "Lumen", "Orchid", "Pioneer", "Quartz", "Sterling", "Vertex"]
COMPANY_KINDS = ["Traders", "Dental", "Logistics", "Council", "Bakery", "Clinic", "Studios", "Partners"]
SUBJECTS = ["invoice", "printer", "login", "password reset", "headset", "docking station", "mobile app",
            "dashboard", "export", "VPN", "email sync", "refund", "delivery", "contract", "report", "laptop"]
PROBLEMS = ["does not work", "is very slow", "shows an error", "stopped syncing", "was charged twice",
            "arrived damaged", "keeps crashing", "cannot be found", "needs an update", "is missing"]
SENTENCES = [
    "It started after the latest update.", "We tried restarting it twice.", "Three colleagues see the same.",
    "The error appears every morning around nine.", "Could you please look into this soon?",
    "We attached a screenshot of the message.", "It worked fine until last Tuesday.",
    "This blocks our month-end closing.", "Nothing changed on our side as far as we know.",
    "The reference number from the delivery note is on the box.",
]
AGENT_REPLIES = [
    "Thanks for the details, we are looking into it.", "Could you send us the exact error message?",
    "We reproduced the problem and passed it to the product team.", "A fix is planned for the next release.",
    "We reset the account; please try again.", "The replacement is on its way.",
]
INTERNAL_NOTES = [
    "Checked the logs: timeout on the sync worker.", "Customer is on the legacy plan, check the contract.",
    "Escalate if it happens again this week.", "Possible duplicate of an older case.",
    "Refund approved by billing lead.", "Known issue, workaround in the knowledge base.",
]
RESOLUTIONS = ["We fixed the configuration on our side.", "The firmware update solves it.",
               "We issued a credit note for the double charge.", "We sent a replacement device."]


@dataclass
class SeedReport:
    cases: int = 0
    customers: int = 0
    accounts: int = 0
    events: int = 0
    field_values: int = 0
    attachments: int = 0
    seconds: float = 0.0
    busy_customer_email: str = ""
    logins: list[tuple[str, str]] = field(default_factory=list)  # (role, email)

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


@dataclass
class _Placed:
    field_id: int
    key: str
    field_type: str
    internal: bool
    field: object
    options: list[str]


class _Ids:
    """The next free id of each table, so rows can be written with their ids in bulk."""

    def __init__(self, *models):
        self.next = {m: (m.select(peewee.fn.MAX(m.id)).scalar() or 0) + 1 for m in models}

    def take(self, model, n: int = 1) -> int:
        first = self.next[model]
        self.next[model] += n
        return first


def _insert(model, rows: list[dict]) -> None:
    """Bulk insert rows (dicts with the same keys): COPY on PostgreSQL, plain multi-row INSERTs on
    SQLite (peewee's query builder costs more than the database for this volume; the SQL text is
    built once per batch size). Values go through each field's db_value and the model's defaults fill
    the columns rows leave out, as Model.insert_many would."""
    if not rows:
        return
    given = list(rows[0])
    fields = [model._meta.fields[name] for name in given]
    defaulted = [f for f in model._meta.sorted_fields if f.name not in rows[0] and f.default is not None]
    converters = [(f.name, f.db_value) for f in fields]
    defaults = [f.db_value(f.default() if callable(f.default) else f.default) for f in defaulted]
    columns = ", ".join(f'"{f.column_name}"' for f in fields + defaulted)
    table = model._meta.table_name

    def values(row):
        return [convert(row[name]) for name, convert in converters] + defaults

    if is_postgres(database):
        _copy(f'COPY "{table}" ({columns}) FROM STDIN', (values(row) for row in rows))
        return
    placeholder = "(" + ", ".join(["?"] * (len(fields) + len(defaulted))) + ")"
    for start in range(0, len(rows), ROWS_PER_INSERT):
        batch = rows[start:start + ROWS_PER_INSERT]
        params = [value for row in batch for value in values(row)]
        # Only names from the model and placeholders are formatted in; every value is a parameter.
        sql = f'INSERT INTO "{table}" ({columns}) VALUES {", ".join([placeholder] * len(batch))}'  # noqa: S608
        database.execute_sql(sql, params)


def _copy(statement: str, rows) -> None:
    """PostgreSQL's COPY ... FROM STDIN of rows (lists of values), on the seed's connection and
    inside its transaction: several times faster than INSERTs for a million rows."""
    with database.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _store_documents(documents) -> None:
    if is_postgres(database):
        _copy("COPY case_search (case_id, public_document, staff_document) FROM STDIN",
              ((case_id, tsvector(docs.public), tsvector(docs.staff)) for case_id, docs in documents))
        return
    for start in range(0, len(documents), ROWS_PER_INSERT):
        store_documents(documents[start:start + ROWS_PER_INSERT])


# Tables the seed fills by the million; on PostgreSQL their secondary indexes are built after the load.
BULK_TABLES = ("case", "case_field_value", "case_event", "attachment", "case_search")
# From this many cases a PostgreSQL seed runs as one transaction that rebuilds those indexes at the end.
BULK_INDEX_CASES = 20_000


@contextmanager
def _bulk_load(cases: int):
    """Settings for the seed's own connection while it loads, restored after.

    SQLite: no fsync (synchronous=OFF) and a larger page cache. The journal stays on (WAL), so an
    interrupted seed (Ctrl-C, a killed process) rolls back its unfinished chunk like any transaction
    and keeps every committed chunk; only an operating system crash or power loss during the seed
    could lose or damage recent pages, which a demo/benchmark database can afford.

    PostgreSQL, from BULK_INDEX_CASES cases: one transaction drops the secondary indexes of the bulk
    tables (not primary keys or constraints) and their foreign keys, loads every chunk (COPY, a
    savepoint each) and creates the same indexes and foreign keys again from their stored definitions:
    indexes sorted in bulk and each foreign key checked by one join are several times faster than
    maintaining them row by row (the GIN indexes of the search documents most of all). DDL is
    transactional there, so an interrupted seed leaves the database exactly as it was; other sessions
    wait for those tables until it commits."""
    if is_postgres(database):
        if cases < BULK_INDEX_CASES:
            yield
            return
        with database.atomic():
            database.execute_sql("SET LOCAL maintenance_work_mem = '256MB'")
            indexes = database.execute_sql(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class t ON t.oid = i.indrelid "
                "WHERE t.relname = ANY(%s) AND t.relnamespace = to_regnamespace(current_schema()) "
                "AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                (list(BULK_TABLES),)).fetchall()
            foreign_keys = database.execute_sql(
                "SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' "
                "AND t.relname = ANY(%s) AND t.relnamespace = to_regnamespace(current_schema())",
                (list(BULK_TABLES),)).fetchall()
            # Names and definitions PostgreSQL gave back, nothing typed by anyone.
            for table, name, _definition in foreign_keys:
                database.execute_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            for name, _definition in indexes:
                database.execute_sql(f"DROP INDEX {name}")
            yield
            for _name, definition in indexes:
                database.execute_sql(definition)
            # Checked again over every row, in one join each, before anything commits.
            for table, name, definition in foreign_keys:
                database.execute_sql(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        return
    saved = {name: database.execute_sql(f"PRAGMA {name}").fetchone()[0] for name in ("synchronous", "cache_size")}
    database.execute_sql("PRAGMA synchronous = OFF")
    database.execute_sql("PRAGMA cache_size = -262144")  # 256 MiB: the B-trees of a million rows' indexes
    try:
        yield
    finally:
        for name, value in saved.items():
            database.execute_sql(f"PRAGMA {name} = {int(value)}")  # noqa: S608 (an integer read back)


def _after_load() -> None:
    """Leave the database as fast as an operator's would be after its maintenance, so what a benchmark
    measures on a seeded database is what the product does. SQLite: each full-text index merged into one
    segment ('optimize'; a bulk load leaves many, and a search reads one list per word per segment: 11 s
    each at 1,000,000 cases). PostgreSQL: VACUUM ANALYZE of the bulk tables (planner statistics for the
    new rows, the visibility map the reports' index-only scans need, and an empty GIN pending list)."""
    if is_postgres(database):
        if database.in_transaction():  # VACUUM cannot run in a transaction; a caller's one keeps its own state
            database.execute_sql("ANALYZE " + ", ".join(f'"{table}"' for table in BULK_TABLES))
            return
        database.execute_sql("VACUUM (ANALYZE) " + ", ".join(f'"{table}"' for table in BULK_TABLES))
        return
    for table in ("case_search_public", "case_search_staff"):
        database.execute_sql(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608 (fixed names)


def _ensure_case_settings() -> None:
    if not CaseTemplate.select().where(CaseTemplate.state == "published").exists():
        load_demo_data()


def _run_number() -> int:
    """Each run numbers its accounts, customers and emails apart from earlier runs."""
    return (
        Account.select()
        .where(Account.account_number.startswith("SEED-") & Account.account_number.endswith("-000000"))
        .count()
    )


class _Generator:
    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self.tokens_of = functools.lru_cache(maxsize=CACHED_PARTS)(part_tokens)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, chars: int) -> str:
        return f"{self.rng.getrandbits(chars * 4):0{chars}x}"

    def title(self) -> str:
        return f"{self.rng.choice(SUBJECTS).capitalize()} {self.rng.choice(PROBLEMS)}"

    def text(self, sentences: int) -> str:
        return " ".join(self.rng.choice(SENTENCES) for _ in range(sentences))

    def value(self, placed: _Placed) -> str:
        rng = self.rng
        kind, key = placed.field_type, placed.key
        if kind == "select":
            return rng.choice(placed.options)
        if kind == "boolean":
            return rng.choice(("true", "false"))
        if kind == "date":
            return (self.now - timedelta(days=rng.randint(1, 700))).date().isoformat()
        if kind == "number":
            return str(rng.randint(1, 500))
        if kind == "email":
            return f"billing{rng.randint(1, 9999)}@{rng.choice(COMPANY_WORDS).lower()}.example.com"
        if kind == "phone":
            return f"+44207946{rng.randint(0, 9999):04d}"
        if kind == "url":
            return f"https://{rng.choice(COMPANY_WORDS).lower()}.example.com"
        if kind == "long_text":
            return self.text(2)
        patterns = {"invoice_number": lambda: f"INV-{rng.randint(0, 999_999):06d}",
                    "serial_number": lambda: f"{rng.choice('ABHKMX')}{rng.choice('KLMR')}{rng.randint(0, 999_999):06d}",
                    "membership_number": lambda: f"{rng.randint(0, 99_999_999):08d}"}
        return patterns.get(key, lambda: f"{rng.choice(SUBJECTS)} {rng.randint(1, 999)}")()


def _load_layouts() -> dict[int, tuple[CaseTemplate, list[_Placed]]]:
    templates = {t.id: (t, []) for t in CaseTemplate.select().where(CaseTemplate.state == "published")}
    options: dict[int, list[str]] = {}
    for option in FieldOption.select().where(FieldOption.active):
        options.setdefault(option.field_id, []).append(option.value)
    placed = (
        TemplateField.select(TemplateField, TemplateField.field.rel_model)
        .join(TemplateField.field.rel_model)
        .where(TemplateField.template.in_(list(templates)))
        .order_by(TemplateField.position)
    )
    for row in placed:
        f = row.field
        if not f.active or (f.field_type == "select" and not options.get(f.id)):
            continue
        templates[row.template_id][1].append(_Placed(f.id, f.key, f.field_type, f.is_internal, f,
                                                     options.get(f.id, [])))
    return templates


def seed(*, cases: int = 100_000, customers: int | None = None, random_seed: int | None = None,
         progress: Callable[[int], None] | None = None) -> SeedReport:
    """Generate accounts, customers (a few who sign in, one with 200 cases), cases over the published
    templates with field values, 1-10 events each (some 50), attachment rows and the search index.
    For the `caseport seed` command and benchmarks; not for production databases."""
    started = time.perf_counter()
    with database.atomic():
        _ensure_case_settings()
    run = _run_number()
    # The run number keeps a repeated seed from drawing the same (unique) UUIDs as the run before.
    rng = random.Random(None if random_seed is None else f"{random_seed}-{run}")
    now = datetime.now(UTC).replace(microsecond=0)
    gen = _Generator(rng, now)
    n_customers = max(2, customers if customers is not None else max(10, cases // 20))
    layouts = _load_layouts()
    template_ids = list(layouts)
    statuses = {c: list(CaseStatus.select().where(CaseStatus.category == c)) for c in STATUS_WEIGHTS}
    statuses = {c: s for c, s in statuses.items() if s}
    categories, weights = zip(*[(c, STATUS_WEIGHTS[c]) for c in statuses])
    staff = [u.id for u in User.select(User.id).where(User.role.in_(("agent", "supervisor", "admin")))]
    label_of = {(o.field_id, o.value): o.label for o in FieldOption.select()}
    ids = _Ids(Account, User, Customer, Case, CaseEvent)
    report = SeedReport()

    # People: accounts, customers (a few sign in, the first one is the busy customer), two proxies.
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    with database.atomic():
        n_accounts = max(1, n_customers // 8)
        first_account = ids.take(Account, n_accounts)
        _insert(Account, [{"id": first_account + i, "uuid": gen.uuid(),
                           "name": f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {i + 1}",
                           "account_number": f"SEED-{run:02d}-{i:06d}", "created_at": now} for i in range(n_accounts)])
        signing_in = min(n_customers, 10)
        first_user = ids.take(User, signing_in + 2)
        users, customer_rows = [], []
        for i in range(signing_in + 2):
            role = "customer" if i < signing_in else "proxy"
            local = f"customer{i}" if role == "customer" else f"proxy{i - signing_in + 1}"
            local = "busy.customer" if i == 0 else local
            email = f"{local}.run{run}@{SEED_DOMAIN}" if run else f"{local}@{SEED_DOMAIN}"
            users.append({"id": first_user + i, "uuid": gen.uuid(), "email": email, "role": role,
                          "display_name": local.replace(".", " ").title(), "password_hash": password_hash,
                          "email_verified_at": now, "created_at": now})
            report.logins.append((role, email))
        _insert(User, users)
        proxy_ids = [u["id"] for u in users if u["role"] == "proxy"]
        first_customer = ids.take(Customer, n_customers)
        for i in range(n_customers):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            account = first_account + (i % n_accounts) if rng.random() < 0.85 or i < n_accounts else None
            customer_rows.append({
                "id": first_customer + i, "uuid": gen.uuid(), "customer_number": f"S{run:02d}{i:08d}",
                "first_name": first, "last_name": last, "email": users[i]["email"] if i < signing_in else
                f"{first.lower()}.{i}@{SEED_DOMAIN}", "phone": f"+1415555{i % 10000:04d}", "account": account,
                "is_account_manager": bool(account) and i < n_accounts and rng.random() < 0.3,
                "user": users[i]["id"] if i < signing_in else None, "created_at": now, "updated_at": now})
        _insert(Customer, customer_rows)
    report.accounts, report.customers = n_accounts, n_customers
    report.busy_customer_email = users[0]["email"]
    names = {row["id"]: f"{row['first_name']} {row['last_name']}" for row in customer_rows}
    user_of = {row["id"]: row["user"] for row in customer_rows}

    # Cases, in chunks: the busy customer's 200 first, then random customers.
    busy = min(BUSY_CUSTOMER_CASES, cases)
    references = _fresh_references(rng, cases)
    with _bulk_load(cases):
        done = 0
        while done < cases:
            size = min(CASES_PER_CHUNK, cases - done)
            with database.atomic():
                _write_chunk(gen, report, ids, layouts, template_ids, statuses, categories, weights, staff, proxy_ids,
                             label_of, names, user_of, references[done:done + size],
                             [first_customer if done + k < busy else first_customer + rng.randrange(1, n_customers)
                              for k in range(size)], busy_customer_id=first_customer if done == 0 else None)
            done += size
            if progress:
                progress(size)
    if is_postgres(database):
        for model in (Account, User, Customer, Case, CaseEvent, CaseFieldValue, Attachment):
            table = model._meta.table_name
            database.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                                 f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))")
    _after_load()
    report.cases = cases
    report.seconds = time.perf_counter() - started
    return report


def _fresh_references(rng: random.Random, n: int) -> list[str]:
    taken = {r for (r,) in Case.select(Case.reference).tuples()}
    picked = [str(r) for r in rng.sample(range(10_000_000, 100_000_000), n + len(taken))]
    return [r for r in picked if r not in taken][:n]


def _write_chunk(gen, report, ids, layouts, template_ids, statuses, categories, weights, staff, proxy_ids,
                 label_of, names, user_of, references, customer_ids, busy_customer_id=None) -> None:
    rng, now = gen.rng, gen.now
    case_rows, value_rows, event_rows, attachment_rows, documents = [], [], [], [], []
    first_case = ids.take(Case, len(references))
    for k, reference in enumerate(references):
        case_id, customer_id = first_case + k, customer_ids[k]
        template, placed = layouts[rng.choice(template_ids)]
        category = rng.choices(categories, weights)[0]
        opened = now - timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60))
        by_proxy = bool(proxy_ids) and rng.random() < 0.1
        actor = rng.choice(proxy_ids) if by_proxy else (user_of[customer_id] or rng.choice(staff))
        title, summary = gen.title(), gen.text(rng.randint(1, 4))
        public_texts, internal_texts, public_values, internal_values = [], [], [], []
        for p in placed:
            if p.internal and rng.random() < 0.5:
                continue
            value = gen.value(p)
            value_rows.append({"case": case_id, "field": p.field_id, "value": value})
            shown = display_value(p.field, value, label_of)
            (internal_values if p.internal else public_values).append(shown)
        # The busy customer's first case is always a long one, for benchmarks of the case page.
        long_case = rng.random() < 0.01 or (k == 0 and customer_id == busy_customer_id)
        n_events = LONG_CASE_EVENTS if long_case else rng.randint(1, 10)
        first_event = ids.take(CaseEvent, n_events)
        when = opened
        event_rows.append({"id": first_event, "uuid": gen.uuid(), "case": case_id, "kind": "created", "actor": actor,
                           "public": True, "body": "", "data": {"template": template.name},
                           "created_at": when})
        resolution = ""
        first_response = None
        for e in range(1, n_events):
            when = min(when + timedelta(minutes=rng.randint(5, 3 * 24 * 60)), now)
            roll = rng.random()
            agent = rng.choice(staff)
            if roll < 0.35:
                body = gen.text(rng.randint(1, 3))
                kind, public, who, data = "comment", True, actor, None
                public_texts.append(body)
            elif roll < 0.6:
                body = rng.choice(AGENT_REPLIES)
                kind, public, who, data = "comment", True, agent, None
                public_texts.append(body)
            elif roll < 0.8:
                body = rng.choice(INTERNAL_NOTES)
                kind, public, who, data = "comment", False, agent, None
                internal_texts.append(body)
            elif roll < 0.9 or category not in ("resolved", "closed"):
                body, kind, public, who = "", "status_changed", True, agent
                data = {"to": rng.choice(statuses[rng.choice(categories)]).name}
            else:
                body = resolution = rng.choice(RESOLUTIONS)
                kind, public, who, data = "resolution_proposed", True, agent, None
                public_texts.append(body)
            if kind == "comment" and public and who == agent and first_response is None:
                first_response = when
            event_rows.append({"id": first_event + e, "uuid": gen.uuid(), "case": case_id, "kind": kind,
                               "actor": who, "public": public, "body": body, "data": data, "created_at": when})
            if kind == "comment" and rng.random() < 0.05:
                attachment_rows.append({
                    "uuid": gen.uuid(), "case": case_id, "event": first_event + e,
                    "original_name": rng.choice(("screenshot.png", "invoice.pdf", "log.txt", "photo.jpg")),
                    "stored_name": gen.hex(32), "content_type": "application/octet-stream",
                    "size": rng.randint(1_000, 2_000_000), "sha256": gen.hex(64), "public": public,
                    "uploaded_by": who, "created_at": when})
        updated = when
        case_rows.append({
            "id": case_id, "uuid": gen.uuid(), "reference": reference, "template": template.id, "title": title,
            "summary": summary, "status": rng.choice(statuses[category]).id, "priority": template.default_priority,
            "customer": customer_id, "created_by": actor, "internal_contact": actor if by_proxy else None,
            "assignee": rng.choice(staff) if rng.random() < 0.5 else None,
            "workgroup": template.default_workgroup_id, "resolution": resolution,
            "resolution_proposed_at": updated if category == "resolved" else None,
            "opened_at": opened, "updated_at": updated, "first_response_at": first_response,
            "last_closed_at": updated if category == "closed" else None,
            # The reports' calendar seconds, as the services store them (business seconds: `caseport sla backfill`).
            "first_response_s": calendar_seconds(opened, first_response) if first_response else None,
            "resolution_s": calendar_seconds(opened, updated) if category == "closed" else None})
        documents.append((case_id, build_documents(
            reference=reference, title=title, summary=summary, resolution=resolution,
            customer_name=names[customer_id], public_texts=public_texts, internal_texts=internal_texts,
            public_values=public_values, internal_values=internal_values, tokens_of=gen.tokens_of)))
    _insert(Case, case_rows)
    _insert(CaseFieldValue, value_rows)
    _insert(CaseEvent, event_rows)
    _insert(Attachment, attachment_rows)
    _store_documents(documents)
    report.events += len(event_rows)
    report.field_values += len(value_rows)
    report.attachments += len(attachment_rows)
