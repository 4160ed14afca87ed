"""Case templates: validation when saved, conditions, who they are offered to, publishing and retiring."""

import pytest

from portal.case_config import service
from portal.case_config.queries import templates_for
from portal.errors import NotAllowed, ValidationFailed
from portal.models.configuration import TemplateCondition
from tests.case_config import factories


def test_duplicate_template_name_is_refused_next_to_the_name(app, people):
    factories.template(people.admin, name="Billing question")
    with pytest.raises(ValidationFailed) as caught:
        service.save_template(people.admin, None, service.TemplateInput(name="Billing question"))
    assert caught.value.fields == {"name": "Another template already has this name."}


def test_template_needs_someone_who_may_use_it(app, people):
    with pytest.raises(ValidationFailed) as caught:
        service.save_template(people.admin, None, service.TemplateInput(
            name="Nobody's", for_customers=False, for_proxies=False, for_staff=False))
    assert "for_customers" in caught.value.fields


def test_new_template_is_a_draft_and_not_offered(app, people):
    template = factories.template(people.admin, publish=False)
    assert template.state == "draft"
    assert list(templates_for(people.customer)) == []


def test_publishing_offers_the_template_immediately(app, people):
    template = factories.template(people.admin)
    assert list(templates_for(people.customer)) == [template]


def test_templates_are_offered_alphabetically(app, people):
    for name in ("Replacement request", "account change", "Billing question"):
        factories.template(people.admin, name=name)
    assert [t.name for t in templates_for(people.customer)] == [
        "account change", "Billing question", "Replacement request"]


@pytest.mark.parametrize("role, expected", [
    ("customer", {"For customers"}),
    ("proxy", {"For proxies"}),
    ("agent", {"For staff"}),
    ("admin", {"For staff"}),
])
def test_templates_are_offered_by_audience(app, people, role, expected):
    factories.template(people.admin, name="For customers", for_customers=True, for_proxies=False, for_staff=False)
    factories.template(people.admin, name="For proxies", for_customers=False, for_proxies=True, for_staff=False)
    factories.template(people.admin, name="For staff", for_customers=False, for_proxies=False, for_staff=True)
    assert {t.name for t in templates_for(people.by_role(role))} == expected


def test_retired_template_is_no_longer_offered(app, people):
    template = factories.template(people.admin)
    service.retire_template(people.admin, template)
    assert list(templates_for(people.customer)) == []


def test_same_field_twice_on_a_template_is_refused(app, people):
    field = factories.case_field(people.admin)
    template = factories.template(people.admin, fields=[field])
    with pytest.raises(ValidationFailed) as caught:
        service.add_template_field(people.admin, template, field)
    assert "field" in caught.value.fields


def test_show_condition_on_a_required_field_is_refused_at_save(app, people):
    kind = factories.select_field(people.admin, {"Hardware": "hardware", "Software": "software"})
    serial = factories.case_field(people.admin, label="Serial number")
    template = factories.template(people.admin, fields=[kind, (serial, True)])
    with pytest.raises(ValidationFailed) as caught:
        service.add_condition(people.admin, template, target=serial, action="show", source=kind,
                              value="hardware")
    assert "required but hidden" in caught.value.message
    assert TemplateCondition.select().count() == 0


def test_making_a_conditionally_shown_field_required_is_refused(app, people):
    kind = factories.select_field(people.admin, {"Hardware": "hardware"})
    serial = factories.case_field(people.admin, label="Serial number")
    template = factories.template(people.admin, fields=[kind, serial])
    service.add_condition(people.admin, template, target=serial, action="show", source=kind,
                          value="hardware")
    placed = template.template_fields.where(template.template_fields.model.field == serial).get()
    with pytest.raises(ValidationFailed):
        service.update_template_field(people.admin, placed, section="top", required=True)
    assert not type(placed).get_by_id(placed.id).required


def test_condition_value_must_be_an_option_of_the_source(app, people):
    kind = factories.select_field(people.admin, {"Hardware": "hardware"})
    serial = factories.case_field(people.admin)
    template = factories.template(people.admin, fields=[kind, serial])
    with pytest.raises(ValidationFailed) as caught:
        service.add_condition(people.admin, template, target=serial, action="show", source=kind,
                              value="Software")
    assert "value" in caught.value.fields


def test_condition_value_may_be_given_as_the_option_label(app, people):
    kind = factories.select_field(people.admin, {"Hardware": "hardware"})
    serial = factories.case_field(people.admin)
    template = factories.template(people.admin, fields=[kind, serial])
    condition = service.add_condition(people.admin, template, target=serial, action="show", source=kind,
                                      value="hardware ".upper())
    assert condition.value == "hardware"


def test_condition_on_a_field_not_on_the_template_is_refused(app, people):
    kind = factories.select_field(people.admin)
    elsewhere = factories.case_field(people.admin)
    template = factories.template(people.admin, fields=[kind])
    with pytest.raises(ValidationFailed) as caught:
        service.add_condition(people.admin, template, target=elsewhere, action="show", source=kind,
                              value="red")
    assert "target" in caught.value.fields


def test_field_used_by_a_condition_cannot_be_removed_until_the_condition_is(app, people):
    kind = factories.select_field(people.admin)
    serial = factories.case_field(people.admin)
    template = factories.template(people.admin, fields=[kind, serial])
    condition = service.add_condition(people.admin, template, target=serial, action="require",
                                      source=kind, value="red")
    placed = template.template_fields.where(template.template_fields.model.field == kind).get()
    with pytest.raises(ValidationFailed):
        service.remove_template_field(people.admin, placed)
    service.remove_condition(people.admin, condition)
    service.remove_template_field(people.admin, placed)
    assert template.template_fields.count() == 1


def test_fields_move_up_and_down_within_their_section(app, people):
    first, second = factories.case_field(people.admin), factories.case_field(people.admin)
    template = factories.template(people.admin, fields=[first, second])
    placed = template.template_fields.where(template.template_fields.model.field == second).get()
    service.move_template_field(people.admin, placed, "up")
    from portal.case_config.queries import template_layout
    assert [p.field for p in template_layout(template).fields] == [second, first]


@pytest.mark.parametrize("role", ["customer", "proxy", "agent", "supervisor"])
def test_only_admins_change_templates(app, people, role):
    template = factories.template(people.admin, publish=False)
    with pytest.raises(NotAllowed):
        service.publish_template(people.by_role(role), template)
    with pytest.raises(NotAllowed):
        service.save_template(people.by_role(role), None, service.TemplateInput(name="Mine"))


def test_inactive_reason_is_not_offered(app, people):
    service.save_reason(people.admin, None, name="Old", active=False)
    from portal.case_config.queries import active_reasons
    assert list(active_reasons()) == []
