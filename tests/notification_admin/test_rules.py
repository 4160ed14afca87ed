"""Notification rules: built-in defaults, stored defaults and per-template rules, and their page."""

import pytest

from notifier.templates import save_version
from portal.errors import NotAllowed, ValidationFailed
from portal.models.notifications import NotificationRule
from portal.notify.queries import channels_for, missing_templates, rules_table
from portal.notify.rules import AUDIENCES, DEFAULT_RULES, EVENT_AUDIENCES
from portal.notify.service import reset_rules, save_rules
from tests.fixtures import post_form
from tests.notification_admin.helpers import NON_ADMINS, case_template

RULES_URL = "/admin/notifications/rules"


def test_defaults_follow_the_agreed_table():
    assert DEFAULT_RULES["case_created"] == {
        "customer": {"email", "sms"}, "linked_customers": {"email"}, "internal_contact": {"email"}}
    assert DEFAULT_RULES["case_opened_for_team"] == {"assignee": {"email"}, "workgroup": {"email"}}
    assert DEFAULT_RULES["case_customer_commented"] == {"assignee": {"email"}, "workgroup": {"email"}}
    assert DEFAULT_RULES["case_waiting"] == DEFAULT_RULES["case_created"]
    assert DEFAULT_RULES["case_status_changed"] == {}
    assert DEFAULT_RULES["case_resolution_accepted"] == {"assignee": {"email"}}
    assert DEFAULT_RULES["case_resolution_rejected"] == {"assignee": {"email"}}
    assert DEFAULT_RULES["case_closed"] == {**DEFAULT_RULES["case_created"], "assignee": {"email"}}
    assert DEFAULT_RULES["case_escalated"] == {"workgroup": {"email"}, "supervisors": {"email"}}
    assert DEFAULT_RULES["case_assigned"] == {"assignee": {"email"}, "customer": {"email"}}
    assert DEFAULT_RULES["task_assigned"] == {"assignee": {"email"}}


def test_every_event_of_the_table_has_defaults_for_the_audiences_it_reaches_only():
    assert set(DEFAULT_RULES) == set(EVENT_AUDIENCES)
    for event, rules in DEFAULT_RULES.items():
        assert set(rules) <= set(EVENT_AUDIENCES[event]) <= set(AUDIENCES), event


def test_every_default_channel_has_a_shipped_template(app):
    missing = missing_templates(None)
    chosen = {(event, channel) for event, rules in DEFAULT_RULES.items() for channels in rules.values()
              for channel in channels}
    assert chosen and not chosen & missing
    assert ("case_opened_for_team", "sms") in missing and ("case_waiting", "sms") not in missing


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
    NotificationRule.create(case_template=billing, event="case_opened_for_team", audience="supervisors", email=True)
    table = rules_table(billing)
    assert table["case_opened_for_team"]["supervisors"].source == "template"
    assert table["case_created"]["assignee"].offered is False
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
    response = post_form(client, url, {"case_created.customer.sms": "1", "case_opened_for_team.supervisors.email": "1"})
    assert response.status_code == 302
    assert channels_for(billing, "case_created", "customer") == {"sms"}
    assert channels_for(billing, "case_opened_for_team", "supervisors") == {"email"}
    assert channels_for(billing, "case_closed", "customer") == frozenset()
    assert channels_for(None, "case_created", "customer") == {"email", "sms"}


def test_the_rules_page_refuses_a_post_without_csrf(client, login, people):
    login(people.admin)
    assert client.post(RULES_URL, data={"case_created.customer.sms": "1"}).status_code == 400
    assert NotificationRule.select().count() == 0


def test_cells_an_event_never_reaches_are_not_offered_and_the_service_refuses_them(client, login, people):
    login(people.admin)
    page = client.get(RULES_URL).get_data(as_text=True)
    assert 'name="case_opened_for_team.workgroup.email"' in page
    assert 'name="case_created.workgroup.email"' not in page
    assert "New case for the team is never sent to Customer" in page
    with pytest.raises(ValidationFailed, match="never sent to the audience “Workgroup”"):
        save_rules(people.admin, None, {("case_created", "workgroup"): {"email"}})
    assert NotificationRule.select().count() == 0


def test_a_channel_without_a_template_is_refused_next_to_its_cell_and_nothing_is_saved(client, login, people):
    login(people.admin)
    page = client.get(RULES_URL).get_data(as_text=True)
    assert 'No text message template yet: <a href="/admin/notifications/templates/case_opened_for_team/sms">' in page
    response = post_form(client, RULES_URL, {"case_opened_for_team.workgroup.sms": "1",
                                             "case_opened_for_team.workgroup.email": "1",
                                             "case_created.customer.email": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was saved." in html
    assert ('<p class="error" id="case_opened_for_team.workgroup.sms-error">“New case for the team” has no text '
            'message template yet. <a href="/admin/notifications/templates/case_opened_for_team/sms">') in html
    # what the admin ticked is shown again, and nothing changed
    assert 'id="case_opened_for_team.workgroup.sms" name="case_opened_for_team.workgroup.sms" value="1" checked' in html
    assert 'id="case_created.customer.sms" name="case_created.customer.sms" value="1" >' in html
    assert NotificationRule.select().count() == 0
    assert channels_for(None, "case_opened_for_team", "workgroup") == {"email"}


def test_once_the_template_exists_the_channel_can_be_chosen(app, people):
    save_version("case_opened_for_team", "sms", {"text": "New case {{ case_reference }}"}, author=people.admin.email)
    save_rules(people.admin, None, {("case_opened_for_team", "workgroup"): {"email", "sms"}})
    assert channels_for(None, "case_opened_for_team", "workgroup") == {"email", "sms"}


def test_a_case_templates_own_text_makes_the_channel_available_for_that_template_only(app, people):
    billing, other = case_template(), case_template("Other")
    save_version("case_replied", "sms", {"text": "Reply on {{ case_reference }}"}, author="a", variant=billing.uuid)
    save_rules(people.admin, billing, {("case_replied", "customer"): {"sms"}})
    assert channels_for(billing, "case_replied", "customer") == {"sms"}
    with pytest.raises(ValidationFailed) as refused:
        save_rules(people.admin, other, {("case_replied", "customer"): {"sms"}})
    assert refused.value.fields == {"case_replied.customer.sms": "“Staff replied” has no text message template yet."}
    with pytest.raises(ValidationFailed):
        save_rules(people.admin, None, {("case_replied", "customer"): {"sms"}})
