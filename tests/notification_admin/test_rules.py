"""Notification rules: built-in defaults, stored defaults and per-template rules, and their page."""

import pytest

from portal.errors import NotAllowed
from portal.models.notifications import NotificationRule
from portal.notification_rules import AUDIENCES, DEFAULT_RULES, channels_for, reset_rules, rules_table, save_rules
from tests.fixtures import post_form
from tests.notification_admin.helpers import NON_ADMINS, case_template

RULES_URL = "/admin/notifications/rules"


def test_defaults_follow_the_agreed_table():
    assert DEFAULT_RULES["case_created"] == {
        "customer": {"email", "sms"}, "linked_customers": {"email"}, "internal_contact": {"email"}}
    assert DEFAULT_RULES["case_customer_commented"] == {"assignee": {"email"}, "workgroup": {"email"}}
    assert DEFAULT_RULES["case_escalated"] == {"workgroup": {"email"}, "supervisors": {"email"}}
    assert DEFAULT_RULES["case_assigned"] == {"assignee": {"email"}, "customer": {"email"}}
    assert DEFAULT_RULES["task_assigned"] == {"assignee": {"email"}}
    for rules in DEFAULT_RULES.values():
        assert set(rules) <= set(AUDIENCES)


def test_without_stored_rules_the_built_in_defaults_apply(app):
    assert channels_for(None, "case_created", "customer") == {"email", "sms"}
    assert channels_for(case_template(), "case_created", "assignee") == frozenset()


def test_a_stored_default_overrides_the_built_in_one_for_every_template(app):
    NotificationRule.create(case_template=None, event="case_created", audience="customer", email=True, sms=False)
    assert channels_for(case_template(), "case_created", "customer") == {"email"}


def test_a_templates_own_rule_wins_over_the_stored_default(app):
    billing = case_template()
    NotificationRule.create(case_template=None, event="case_closed", audience="customer", email=True)
    NotificationRule.create(case_template=billing, event="case_closed", audience="customer", sms=True)
    assert channels_for(billing, "case_closed", "customer") == {"sms"}
    assert channels_for(billing.id, "case_closed", "customer") == {"sms"}
    assert channels_for(None, "case_closed", "customer") == {"email"}


def test_unknown_audiences_are_a_programming_error(app):
    with pytest.raises(ValueError):
        channels_for(None, "case_created", "everyone")


def test_rules_table_says_where_each_cell_comes_from(app, people):
    billing = case_template()
    save_rules(people.admin, None, {("case_closed", "customer"): {"email"}})
    NotificationRule.create(case_template=billing, event="case_created", audience="assignee", email=True)
    table = rules_table(billing)
    assert table["case_created"]["assignee"].source == "template"
    assert table["case_closed"]["customer"].source == "default"
    assert table["case_closed"]["customer"].channels == {"email"}


def test_only_admins_may_save_rules(app, people):
    with pytest.raises(NotAllowed):
        save_rules(people.supervisor, None, {})


def test_reset_removes_only_that_scope(app, people):
    billing = case_template()
    save_rules(people.admin, None, {})
    save_rules(people.admin, billing, {})
    reset_rules(people.admin, billing)
    assert NotificationRule.select().where(NotificationRule.case_template == billing).count() == 0
    assert NotificationRule.select().where(NotificationRule.case_template.is_null()).count() > 0


@pytest.mark.parametrize("role", NON_ADMINS)
def test_the_rules_page_is_hidden_from_everyone_but_admins(client, login, people, role):
    login(people.by_role(role))
    assert client.get(RULES_URL).status_code == 404
    assert client.post(RULES_URL, data={}).status_code in (400, 404)


def test_saving_the_rules_page_for_a_template_changes_its_channels(client, login, people):
    billing = case_template()
    login(people.admin)
    url = f"{RULES_URL}?template={billing.uuid}"
    assert "Billing" in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {"case_created.customer.sms": "1", "case_created.assignee.email": "1"})
    assert response.status_code == 302
    assert channels_for(billing, "case_created", "customer") == {"sms"}
    assert channels_for(billing, "case_created", "assignee") == {"email"}
    assert channels_for(billing, "case_closed", "customer") == frozenset()
    assert channels_for(None, "case_created", "customer") == {"email", "sms"}


def test_the_rules_page_refuses_a_post_without_csrf(client, login, people):
    login(people.admin)
    assert client.post(RULES_URL, data={"case_created.customer.sms": "1"}).status_code == 400
    assert NotificationRule.select().count() == 0
