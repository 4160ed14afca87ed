"""The write paths run a fixed number of statements, however many people they tell: on SQLite every
statement of a write runs while all other writers wait for the one write lock."""

import pytest

from notifier.models import Message
from portal.cases.service import conversation
from portal.models.cases import Case, CaseCustomerLink
from portal.models.configuration import CaseTemplate
from portal.models.people import Customer
from tests import factories
from tests.cases.filing_setup import GOOD, form_url
from tests.fixtures import csrf_token_from

# "A comment writes at most about 20 statements whatever the number of recipients." A staff reply runs 30:
# its two policy checks (may comment, may write a note) each ask the database one fixed statement, the
# viewer's workgroups are read once, its typed event takes three (raise the counter, insert the event,
# read the webhook endpoints it may go to), the first-response stamp one (a conditional update, a no-op
# after the first answer), the next-response stamp one, and the first answer stores the service-level
# targets again (read the breach marks and the template's policy, write the targets); none of them grows
# with the recipients. Measured here with the configuration read afresh (the first comment after a change to it:
# each test's factories change it), which adds the configuration stamp's two reads (portal.config_cache: once
# when the service begins, once to check what it stores) while the rules, the SLA policy and the webhook routes
# are read; when they are cached (every later comment) those reads are gone: COMMENT_STATEMENTS_CACHED.
COMMENT_STATEMENTS = 32
COMMENT_STATEMENTS_CACHED = 28


def team_of(agents: int):
    return factories.workgroup(*[factories.user(role="agent") for _ in range(agents)])


def comment_statements(sql_log, actor, case, text: str) -> list[str]:
    case = Case.get_by_id(case.id)  # as a request loads it: nothing cached on the instance
    with sql_log() as statements:
        conversation.add_comment(actor, case, text)
    return statements


def test_a_customer_comment_runs_as_many_statements_for_8_agents_as_for_20(app, people, sql_log):
    counts = {}
    for agents in (8, 20):
        case = factories.case(people.customer, workgroup=team_of(agents))
        counts[agents] = len(comment_statements(sql_log, people.customer, case, f"Told to {agents}."))
        told = Message.select().where((Message.event == "case_customer_commented") & (Message.topic == case.reference))
        assert told.count() == agents
    assert counts[8] == counts[20] <= COMMENT_STATEMENTS


def test_a_staff_reply_runs_as_many_statements_for_1_linked_customer_as_for_10(app, people, sql_log):
    counts, case = {}, None
    for linked in (1, 10, "1 again"):
        if case is not None and linked == "1 again":  # another case of the same kind: its configuration is cached
            case, linked = factories.case(people.customer, workgroup=case.workgroup, template=case.template), 1
        else:
            case = factories.case(people.customer, workgroup=factories.workgroup(people.agent))
        for _ in range(linked):  # customers who sign in: each one's visibility is checked
            profile = Customer.get(Customer.user == factories.user(role="customer"))
            CaseCustomerLink.create(case=case, customer=profile)
        counts[linked if linked not in counts else "cached"] = len(
            comment_statements(sql_log, people.agent, case, "Update for everyone."))
        told = Message.select().where((Message.event == "case_replied") & (Message.topic == case.reference))
        assert told.count() == linked + 1  # the linked customers and the customer
    assert counts[1] == counts[10] <= COMMENT_STATEMENTS
    assert counts["cached"] <= COMMENT_STATEMENTS_CACHED


@pytest.fixture
def template_for_team():
    """A template whose cases go to a workgroup: each submission tells all its agents."""

    def make(agents: int):
        return CaseTemplate.create(name=f"For {agents}", state="published", for_customers=True, for_proxies=True,
                                   for_staff=True, default_workgroup=team_of(agents))

    return make


def submission_statements(client, template, sql_log) -> list[str]:
    url = form_url(template)
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    with sql_log() as statements:
        response = client.post(url, data={"csrf_token": token, **GOOD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return statements


def test_a_submission_reads_the_layout_and_the_rules_once(client, people, login, template_for_team, sql_log):
    login(people.customer)
    statements = submission_statements(client, template_for_team(8), sql_log)
    # At most once, none when the form page's read is still in the configuration cache (portal.config_cache).
    assert sum('FROM "template_field"' in s for s in statements) <= 1
    assert sum('FROM "notification_rule"' in s for s in statements) <= 1


def test_a_submission_runs_as_many_statements_for_8_agents_as_for_20(client, people, login, template_for_team,
                                                                    sql_log):
    login(people.customer)
    counts = {agents: len(submission_statements(client, template_for_team(agents), sql_log)) for agents in (8, 20)}
    assert counts[8] == counts[20]
    told = Message.select().where(Message.event == "case_opened_for_team")
    assert told.count() == 28


def test_a_reference_drawn_twice_is_named_right_in_every_message_and_the_index(client, people, login,
                                                                             template_for_team, monkeypatch):
    from portal.cases.queries.search import matching_case_ids
    from portal.cases.service import opening

    login(people.customer)
    template = template_for_team(2)
    taken = factories.case(people.customer).reference
    draws = iter([taken, "87654321"])
    monkeypatch.setattr(opening, "new_reference", lambda: next(draws))
    url = form_url(template)
    client.post(url, data={"csrf_token": csrf_token_from(client.get(url).get_data(as_text=True)), **GOOD})
    case = Case.get(Case.reference == "87654321")
    messages = list(Message.select().where(Message.key.startswith("case_")))
    assert len(messages) == 3 and {m.topic for m in messages} == {"87654321"}
    assert {m.context["case_reference"] for m in messages} == {"87654321"}
    assert Case.select().where(Case.id.in_(matching_case_ids("87654321", staff=False))).get() == case


def test_the_documents_built_before_opening_are_the_ones_read_back_after(app, people):
    from portal.cases.service.opening import open_case
    from portal.cases.service.search_index import documents_for_case
    from tests.case_config import factories as config

    admin = people.admin
    fields = [config.select_field(admin, {"Wireless headset": "headset"}, key="product", label="Product"),
              config.case_field(admin, key="stock_note", label="Stock note", visibility="internal"),
              config.case_field(admin, "boolean", key="urgent", label="Urgent"),
              config.case_field(admin, "date", key="since", label="Since"),
              config.case_field(admin, key="serial", label="Serial number")]
    template = config.template(admin, name="Replacement", fields=fields)
    customer = Customer.get(Customer.user == people.customer)
    case = open_case(people.agent, template, {
        "title": "Headset crackles", "summary": "Since last week the left ear crackles.", "cf_product": "headset",
        "cf_stock_note": "Ship from Leeds", "cf_urgent": "y", "cf_since": "2026-11-02", "cf_serial": "HS123456",
    }, customer=customer)
    expected = documents_for_case(case.id)  # read back from the stored case, as every later change does
    assert "wireless headset" in expected.public.words and "leeds" in expected.staff.words
    assert "yes" in expected.public.words and "crackl" in expected.public.stems
    assert stored_documents_equal(case.id, expected)


def stored_documents_equal(case_id: int, documents) -> bool:
    from portal.cases.rules import tsvector
    from portal.db import database, is_postgres

    if is_postgres(database):
        row = database.execute_sql(
            "SELECT public_document = CAST(%s AS tsvector), staff_document = CAST(%s AS tsvector) "
            "FROM case_search WHERE case_id = %s", (tsvector(documents.public), tsvector(documents.staff), case_id)
        ).fetchone()
        return row == (True, True)
    stored = [database.execute_sql(f"SELECT document, stems FROM {table} WHERE rowid = ?", (case_id,)).fetchone()
              for table in ("case_search_public", "case_search_staff")]
    return stored == [(documents.public.words, documents.public.stems), (documents.staff.words, documents.staff.stems)]
