"""What the busiest pages cost in statements: a fixed number whatever the number of cases or events,
the viewer's ids resolved once per request (also when a customer has more linked cases or account
colleagues than a statement lists), and one SQLite connection per worker thread with no transaction
outliving its request."""

from __future__ import annotations

import uuid

import pytest

from portal import case_scope
from portal.clock import utcnow
from portal.db import database, is_postgres
from portal.models.cases import Attachment, CaseCustomerLink, CaseEvent, CaseFieldValue
from portal.models.configuration import CaseField, CaseTemplate, TemplateField
from portal.models.people import Customer
from tests import factories
from tests.cases.test_dashboard import make_case, profile, references_on


@pytest.fixture
def template(app):
    return CaseTemplate.create(name="General question", state="published")


def _events(case, n: int, actor) -> None:
    for i in range(n):
        event = CaseEvent.create(case=case, kind="comment", actor=actor, public=i % 3 != 0, body=f"Note {i}")
        if i % 5 == 0:
            Attachment.create(case=case, event=event, original_name=f"f{i}.txt", stored_name=uuid.uuid4().hex,
                              content_type="text/plain", size=10, sha256="0" * 64, public=event.public,
                              uploaded_by=actor)


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_the_dashboard_takes_the_same_statements_for_10_and_200_cases(client, login, people, template, sql_log,
                                                                       role):
    own = profile(people.customer)
    group = factories.workgroup(people.agent)
    login(people.by_role(role))

    def render() -> list[str]:
        with sql_log() as statements:
            assert client.get("/cases").status_code == 200
        return statements

    for n in range(10):
        make_case(own, template, category=("open", "waiting", "closed")[n % 3], workgroup=group, title=f"Case {n}")
    with_10 = render()
    for n in range(190):
        make_case(own, template, category=("open", "resolved", "closed")[n % 3], workgroup=group, title=f"More {n}")
    with_200 = render()
    assert len(with_10) == len(with_200), with_200
    # the session with the viewer's ids, the filter's choices and counts, the list, and a customer's action
    # group (on PostgreSQL read in the list's statement: one round trip fewer)
    assert len(with_200) == (3 if is_postgres(database) or role != "customer" else 4), with_200
    # the viewer's ids come with the session (portal.case_scope.session_fact_columns), not in a statement of their own
    own_statements = (case_scope._CUSTOMER_FACTS.strip(), case_scope._WORKGROUPS)
    assert not [s for s in with_200 if s.replace("%s", "?").strip() in own_statements], with_200
    assert sum("case_customer_link" in s and "user_session" in s for s in with_200) == 1, with_200


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_the_case_page_takes_the_same_statements_for_5_and_50_events(client, login, people, template, sql_log, role):
    group = factories.workgroup(people.agent)
    case = factories.case(people.customer, template=template, workgroup=group)
    field = CaseField.create(key="serial", label="Serial number", field_type="text")
    TemplateField.create(template=template, field=field, section="top", position=1)
    CaseFieldValue.create(case=case, field=field, value="SN-1")
    login(people.by_role(role))

    def render() -> list[str]:
        with sql_log() as statements:
            page = client.get(f"/cases/{case.reference}")
            assert page.status_code == 200 and "SN-1" in page.get_data(as_text=True)
        return statements

    _events(case, 4, people.agent)
    render()  # the first view records the reading (one write); the views below read it unchanged
    with_5 = render()
    _events(case, 45, people.agent)
    with_50 = render()
    assert len(with_5) == len(with_50), with_50
    # The rules the page asks (comment, close, reopen, internal notes ...) cost no statement of their own.
    # Staff: the workspace's part (details form, tasks, messages) adds its own statements; the values
    # are read once for the page and the details form, the assignee and the case type's workgroups
    # come with the case, and so does when the viewer last read it (for the dashboard's marks), whether
    # it has any task or linked customer (most have neither: their reads are then skipped).
    assert len(with_50) <= (9 if role == "customer" else 16), with_50
    # The Notifications tab reads the messages about this case by its reference alone: not through
    # a list of every case the viewer may see (half a second per page for staff of a large workgroup).
    messages = [s for s in with_50 if "notifier_message" in s]
    assert len(messages) == (0 if role == "customer" else 1), messages
    assert all('"case"' not in statement for statement in messages), messages
    # the viewer's ids: read once, with the session (portal.case_scope.session_fact_columns)
    scope_statement = (case_scope._CUSTOMER_FACTS if role == "customer" else case_scope._WORKGROUPS).strip()
    assert not [s for s in with_50 if s.replace("%s", "?").strip() == scope_statement], with_50
    assert sum("FROM workgroup_member m WHERE m.user_id = s.user_id" in s for s in with_50) == 1, with_50


def test_a_customer_page_builds_no_staff_form(client, login, people, template, sql_log):
    case = factories.case(people.customer, template=template)
    login(people.customer)
    with sql_log() as statements:
        page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Change status" not in page and "Propose resolution" not in page
    assert not any('FROM "case_status"' in s for s in statements), statements  # the staff status list


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_a_closed_case_builds_no_form_its_page_does_not_show(client, login, people, template, sql_log, role):
    """Staff on a closed case: no status list, no details form (the case type's layout), no workgroup
    members for the assign and task forms; the proxy who filed it comes with the case (no read of
    its own). The case page of the benchmark is such a case."""
    group = factories.workgroup(people.agent, people.supervisor)
    case = factories.case(people.customer, template=template, workgroup=group, status="closed",
                          created_by=people.proxy, internal_contact=people.proxy, last_closed_at=utcnow())
    _events(case, 10, people.agent)
    login(people.by_role(role))
    client.get(f"/cases/{case.reference}")  # records the reading
    with sql_log() as statements:
        page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert people.proxy.display_name in page and "Reopen the case" in page
    assert "Change status" not in page and "Edit details" not in page and "Add a task" not in page
    assert not any('FROM "case_status"' in s or 'FROM "template_field"' in s for s in statements), statements
    assert not any('FROM "user"' in s for s in statements), statements  # members, or the proxy read lazily
    assert len(statements) <= 10, statements


@pytest.fixture
def short_lists(monkeypatch):
    """Statements list at most two ids: longer lists become one-table sub-queries."""
    monkeypatch.setattr(case_scope, "MAX_LISTED_IDS", 2)


def test_a_customer_linked_to_more_cases_than_a_statement_lists_sees_them_all(client, login, people, template,
                                                                              short_lists):
    others = profile(people.other_customer)
    linked = [make_case(others, template, title=f"Linked {n}") for n in range(3)]
    for case in linked:
        CaseCustomerLink.create(case=case, customer=profile(people.customer))
    unrelated = make_case(others, template, title="Not linked")
    login(people.customer)
    listed = references_on(client.get("/cases").get_data(as_text=True))
    assert sorted(listed) == sorted(c.reference for c in linked)
    assert client.get(f"/cases/{linked[2].reference}").status_code == 200
    assert client.get(f"/cases/{unrelated.reference}").status_code == 404


def test_an_account_manager_with_more_colleagues_than_a_statement_lists_sees_the_account(client, login, people,
                                                                                          template, short_lists):
    account = factories.account(name="Bluebird")
    Customer.update(account=account, is_account_manager=True).where(Customer.user == people.customer).execute()
    colleagues = [factories.customer(account=account) for _ in range(3)]
    theirs = [make_case(c, template, title=f"Colleague {n}", created_by=people.customer)
              for n, c in enumerate(colleagues)]
    outsider = make_case(profile(people.other_customer), template, title="Elsewhere")
    login(people.customer)
    listed = references_on(client.get("/cases").get_data(as_text=True))
    assert sorted(listed) == sorted(c.reference for c in theirs)
    assert client.get(f"/cases/{theirs[0].reference}").status_code == 200
    assert client.get(f"/cases/{outsider.reference}").status_code == 404


def test_requests_share_the_threads_sqlite_connection(app, client, login, people):
    db = app.extensions["caseport_db"]
    login(people.customer)
    client.get("/cases")
    first = db.connection()
    client.get("/cases")
    assert db.connection() is first and not db.is_closed()


def test_no_transaction_outlives_its_request(app):
    from portal.db import end_request

    db = app.extensions["caseport_db"]
    db.connect(reuse_if_open=True)
    leaked = db.atomic()
    leaked.__enter__()  # a transaction some code forgot to end
    factories.account(name="Never committed")
    end_request(db)
    assert not db.in_transaction()
    db.connect(reuse_if_open=True)
    from portal.models.people import Account

    assert not Account.select().where(Account.name == "Never committed").exists()


@pytest.mark.parametrize(("role", "status"), [("customer", "open"), ("customer", "resolved"), ("agent", "open"),
                                              ("agent", "closed")])
def test_a_case_page_does_not_load_wtforms_catalogue(client, login, people, template, monkeypatch, role, status):
    """A control without a label gets one derived from its name through Flask-WTF's translations,
    which read WTForms' own catalogue from disk once per request (a fifth of a millisecond): every
    control the case page shows has its label (hidden ones too), so showing the page reads none.
    (A refused form's WTForms messages may still read it: that is not every page view.)"""
    import flask_wtf.i18n

    loads = []
    original = flask_wtf.i18n._get_translations
    monkeypatch.setattr(flask_wtf.i18n, "_get_translations", lambda: loads.append(1) or original())
    group = factories.workgroup(people.agent)
    case = factories.case(people.customer, template=template, workgroup=group, status=status,
                          resolution="Try this", resolution_proposed_at=utcnow())
    login(people.by_role(role))
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    expected = {("customer", "open"): 'name="submission"', ("customer", "resolved"): 'name="seen_proposal"',
                ("agent", "open"): 'name="take-seen_assignee"', ("agent", "closed"): 'name="contact-submission"'}
    assert expected[(role, status)] in page  # the page shows the hidden controls that had no label
    assert loads == []


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_translating_in_a_template_copies_no_context(client, login, people, template, monkeypatch, role):
    """A template global that takes Jinja's context gets, inside a block or loop with variables of its
    own, a copy of the whole context on every call: the templates' `_()` takes only the evaluation
    context (for autoescape), so the case page's dozens of translations copy nothing."""
    import jinja2.runtime

    copies = []
    original = jinja2.runtime.Context.derived
    monkeypatch.setattr(jinja2.runtime.Context, "derived", lambda self, *a, **k: copies.append(1) or original(
        self, *a, **k))
    group = factories.workgroup(people.agent)
    case = factories.case(people.customer, template=template, workgroup=group, status="closed")
    _events(case, 5, people.agent)
    login(people.by_role(role))
    page = client.get(f"/cases/{case.reference}", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert 'id="feed-title"' in page
    assert copies == []


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_a_case_without_tasks_or_linked_customers_reads_neither(client, login, people, template, sql_log, role):
    """The case's read says whether it has any task and any linked customer (most have neither): the
    page then reads no task list and no linked customers. Once it has them, the page lists them."""
    from portal.models.staff import CaseTask

    group = factories.workgroup(people.agent)
    case = factories.case(people.customer, template=template, workgroup=group)
    login(people.by_role(role))
    client.get(f"/cases/{case.reference}")  # records the reading

    def statements() -> tuple[str, list[str]]:
        with sql_log() as statements:
            page = client.get(f"/cases/{case.reference}")
            assert page.status_code == 200
        return page.get_data(as_text=True), statements

    page, without = statements()
    on_their_own = [s for s in without if 'FROM "case_task"' in s.split("EXISTS")[0]
                    or 'FROM "customer" AS "t1" INNER JOIN "case_customer_link"' in s]
    assert not on_their_own, on_their_own
    assert "Check the router" not in page and "Ola Linked" not in page

    CaseTask.create(case=case, title="Check the router", customer_visible=True, created_by=people.agent)
    linked = factories.customer(first_name="Ola", last_name="Linked")
    CaseCustomerLink.create(case=case, customer=linked)
    page, with_both = statements()
    assert "Check the router" in page and "Ola Linked" in page  # a next step or a task; "Also for"
    assert len(with_both) == len(without) + 2, with_both


def test_a_case_read_otherwise_may_have_tasks_and_links(people, template):
    """may_have answers "maybe" for a case not read by case_with_details: its lists are then read."""
    from portal.cases.queries.case_page import case_with_details, may_have
    from portal.models.cases import Case

    case = factories.case(people.customer, template=template)
    assert may_have(Case.get_by_id(case.id), "has_tasks") and may_have(Case.get_by_id(case.id), "has_links")
    read = case_with_details(case.reference)
    assert not may_have(read, "has_tasks") and not may_have(read, "has_links")


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_the_case_read_carries_no_password_hash_and_stays_short(client, login, people, template, sql_log, role):
    """The case's read joins who filed it and (staff) its assignee and its type's workgroups with only
    the columns the page, the rules and the notifications use: no user's password hash or sign-in
    history, and a statement short enough for psycopg to keep its parsed form (4,096 characters)."""
    group = factories.workgroup(people.agent)
    case = factories.case(people.customer, template=template, workgroup=group)
    case.assignee = people.agent
    case.save()
    login(people.by_role(role))
    with sql_log() as statements:
        page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    reads = [s for s in statements if 'FROM "case" AS "t1"' in s and '"created_by"' in s]
    assert len(reads) == 1, statements
    assert "password_hash" not in reads[0] and "last_login_at" not in reads[0], reads[0]
    assert len(reads[0]) < 4096, len(reads[0])
    if role == "agent":
        assert people.agent.display_name in page  # the assignee, from the joined columns
