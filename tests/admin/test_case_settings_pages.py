"""Case settings pages: admins only (404 for everyone else), CSRF, and bad input answered with 400
and the message next to the field."""

import re

import pytest

from portal.case_config import service
from portal.models.configuration import CaseField, CaseTemplate, FieldOption, TemplateCondition, TemplateField
from tests.case_config import factories
from tests.fixtures import post_form

NOT_ADMINS = ["customer", "proxy", "agent", "supervisor"]


@pytest.fixture
def configured(app, people):
    """One of everything, so every admin URL has something real to point at."""
    kind = factories.select_field(people.admin, {"Hardware": "hardware"}, key="kind", label="Kind")
    serial = factories.case_field(people.admin, key="serial", label="Serial")
    template = factories.template(people.admin, name="Technical issue", fields=[kind, serial])
    condition = service.add_condition(people.admin, template, target=serial, action="show", source=kind,
                                      value="hardware")
    placed = TemplateField.get(TemplateField.field == serial)
    reason = service.save_reason(people.admin, None, name="Billing")
    return {"template": template, "field": kind, "option": FieldOption.get(), "placed": placed,
            "condition": condition, "reason": reason, "user": people.agent}


def admin_urls(app, configured):
    """Every URL of the admin blueprint, filled in with real ids."""
    values = {
        "status_uuid": service.system_status("open").uuid, "reason_uuid": configured["reason"].uuid,
        "field_uuid": configured["field"].uuid, "option_uuid": configured["option"].uuid,
        "template_uuid": configured["template"].uuid,  # field_uuid above also names its place on the template
        "condition_uuid": configured["condition"].uuid, "direction": "up", "action": "publish",
        "user_uuid": configured["user"].uuid,
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = rule.rule
            for name in rule.arguments:
                path = re.sub(r"<[^>]*\b" + name + r">", str(values[name]), path)
            methods = sorted(rule.methods & {"GET", "POST"})
            urls.extend((method, path) for method in methods)
    return urls


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_every_admin_page_and_action_answers_404_to_non_admins(app, client, people, login, configured, role):
    urls = admin_urls(app, configured)
    assert len(urls) >= 20
    login(people.by_role(role))
    start_page = client.get("/", follow_redirects=True).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', start_page).group(1)
    for method, url in urls:
        response = client.open(url, method=method, data={"csrf_token": token, "name": "Hijack"})
        assert response.status_code == 404, (method, url, response.status_code)
    assert CaseTemplate.select().where(CaseTemplate.name == "Hijack").count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, configured):
    assert client.get("/admin/").status_code == 302
    assert "/login" in client.get("/admin/templates").headers["Location"]


def test_every_admin_page_opens_for_an_admin(app, client, people, login, configured):
    login(people.admin)
    for method, url in admin_urls(app, configured):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_settings_are_in_the_admins_navigation_only(client, people, login):
    login(people.admin)
    assert "Case settings" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, people, login):
    login(people.admin)
    response = client.post("/admin/reasons", data={"name": "Billing"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    from portal.models.configuration import CaseReason
    assert CaseReason.select().count() == 0


def error_next_to(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    assert match, f"no error next to {field_id}"
    return match.group(1)


def test_admin_builds_a_field_with_options(client, people, login):
    login(people.admin)
    response = post_form(client, "/admin/fields/new", {"label": "Region", "field_type": "select", "key": "",
                                                       "visibility": "customer", "number_kind": "integer",
                                                       "active": "y"})
    assert response.status_code == 302
    field = CaseField.get(CaseField.key == "region")
    url = f"/admin/fields/{field.uuid}/options"
    assert post_form(client, url, {"option-label": "US West (Oregon)", "option-value": "pdx"},
                     page=f"/admin/fields/{field.uuid}").status_code == 302
    page = client.get(f"/admin/fields/{field.uuid}").get_data(as_text=True)
    assert "US West (Oregon)" in page and "pdx" in page


def test_option_value_used_twice_gets_400_with_the_message_next_to_the_value(client, people, login):
    field = factories.select_field(people.admin, {"Oregon": "pdx"})
    login(people.admin)
    response = post_form(client, f"/admin/fields/{field.uuid}/options",
                         {"option-label": "Portland", "option-value": "pdx"}, page=f"/admin/fields/{field.uuid}")
    assert response.status_code == 400
    assert error_next_to(response.get_data(as_text=True), "option-value") == "Another option already stores this value."


def test_invalid_pattern_gets_400_with_the_message_next_to_the_pattern(client, people, login):
    login(people.admin)
    response = post_form(client, "/admin/fields/new", {"label": "Member", "field_type": "text", "key": "",
                                                       "visibility": "customer", "number_kind": "integer",
                                                       "pattern": "([0-9]", "pattern_message": "8 digits"})
    assert response.status_code == 400
    assert "not a valid pattern" in error_next_to(response.get_data(as_text=True), "pattern")


def test_duplicate_template_name_gets_400_next_to_the_name(client, people, login):
    factories.template(people.admin, name="Billing question")
    login(people.admin)
    response = post_form(client, "/admin/templates/new", {"name": "Billing question", "for_customers": "y",
                                                          "default_priority": "normal"})
    assert response.status_code == 400
    assert error_next_to(response.get_data(as_text=True), "name") == "Another template already has this name."


def test_required_field_hidden_by_a_condition_gets_400(client, people, login, configured):
    login(people.admin)
    template, placed = configured["template"], configured["placed"]
    url = f"/admin/templates/{template.uuid}/fields/{placed.field.uuid}"
    response = post_form(client, url, {f"p-{placed.field.key}-section": "top", f"p-{placed.field.key}-required": "y"},
                         page=f"/admin/templates/{template.uuid}")
    assert response.status_code == 400
    assert "required but hidden" in response.get_data(as_text=True)
    assert not TemplateField.get_by_id(placed.id).required


def test_condition_with_an_unknown_option_gets_400_next_to_the_value(client, people, login, configured):
    login(people.admin)
    template = configured["template"]
    response = post_form(client, f"/admin/templates/{template.uuid}/conditions",
                         {"action": "require", "target": configured["placed"].field.uuid,
                          "source": configured["field"].uuid, "value": "Software"},
                         page=f"/admin/templates/{template.uuid}")
    assert response.status_code == 400
    assert "Choose one of the options" in error_next_to(response.get_data(as_text=True), "value")
    assert TemplateCondition.select().count() == 1


@pytest.mark.parametrize("data", [
    {"name": "x" * 5000},
    {"name": "", "category": "nonsense"},
    {"name": "Null\x00byte", "category": "open"},
])
def test_junk_input_never_causes_a_server_error(client, people, login, data):
    login(people.admin)
    response = post_form(client, "/admin/statuses", data)
    assert response.status_code == 400
