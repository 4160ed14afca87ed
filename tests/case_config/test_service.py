"""Admin services for statuses, reasons, fields and options: validation, uniqueness, admin only."""

import pytest

from portal.case_config import service
from portal.case_config.service import FieldInput
from portal.errors import NotAllowed, ValidationFailed
from portal.models.configuration import CaseField, CaseReason, CaseStatus
from tests.case_config import factories


def test_every_database_has_the_three_system_statuses(app):
    names = {s.name: s.category for s in CaseStatus.select().where(CaseStatus.is_system == True)}  # noqa: E712
    assert names == {"Open": "open", "Resolved": "resolved", "Closed": "closed"}


def test_seeding_system_statuses_twice_keeps_one_copy(app):
    service.ensure_system_statuses()
    assert CaseStatus.select().count() == 3


def test_admin_adds_a_status_in_a_category(app, people):
    status = service.save_status(people.admin, None, name="Waiting on customer", category="waiting",
                                 customer_description="We need something from you.")
    assert (status.category, status.is_system) == ("waiting", False)


def test_system_status_keeps_its_name_category_and_stays_active(app, people):
    open_status = service.system_status("open")
    service.save_status(people.admin, open_status, name="Brand new", category="closed",
                        customer_description="We are on it.", active=False)
    reloaded = CaseStatus.get_by_id(open_status.id)
    assert (reloaded.name, reloaded.category, reloaded.active) == ("Open", "open", True)
    assert reloaded.customer_description == "We are on it."


def test_duplicate_status_name_is_refused_next_to_the_name(app, people):
    with pytest.raises(ValidationFailed) as caught:
        service.save_status(people.admin, None, name="Closed", category="closed", customer_description="")
    assert "name" in caught.value.fields


def test_duplicate_reason_name_is_refused(app, people):
    service.save_reason(people.admin, None, name="Billing")
    with pytest.raises(ValidationFailed) as caught:
        service.save_reason(people.admin, None, name="Billing")
    assert caught.value.fields == {"name": "Another reason already has this name."}


@pytest.mark.parametrize("role", ["customer", "proxy", "agent", "supervisor"])
def test_only_admins_change_configuration(app, people, role):
    with pytest.raises(NotAllowed):
        service.save_reason(people.by_role(role), None, name="Sneaky")
    with pytest.raises(NotAllowed):
        service.save_field(people.by_role(role), None, FieldInput(label="Sneaky"))


def test_field_key_defaults_to_a_slug_of_the_label(app, people):
    field = service.save_field(people.admin, None, FieldInput(label="Membership number"))
    assert field.key == "membership_number"


def test_duplicate_field_key_is_refused_next_to_the_key(app, people):
    service.save_field(people.admin, None, FieldInput(label="Serial", key="serial"))
    with pytest.raises(ValidationFailed) as caught:
        service.save_field(people.admin, None, FieldInput(label="Serial number", key="serial"))
    assert "key" in caught.value.fields


def test_invalid_pattern_is_refused_next_to_the_pattern(app, people):
    with pytest.raises(ValidationFailed) as caught:
        service.save_field(people.admin, None, FieldInput(label="Code", pattern="(unclosed",
                                                          pattern_message="Like AB12"))
    assert "not a valid pattern" in caught.value.fields["pattern"]


def test_pattern_without_a_message_is_refused(app, people):
    with pytest.raises(ValidationFailed) as caught:
        service.save_field(people.admin, None, FieldInput(label="Code", pattern=r"\d+"))
    assert "pattern_message" in caught.value.fields


def test_number_field_with_minimum_above_maximum_is_refused(app, people):
    with pytest.raises(ValidationFailed) as caught:
        service.save_field(people.admin, None, FieldInput(label="Seats", field_type="number", min_value="10",
                                                          max_value="2"))
    assert "max_value" in caught.value.fields


def test_field_key_and_type_never_change(app, people):
    field = factories.case_field(people.admin, "text", key="order_ref")
    service.save_field(people.admin, field, FieldInput(label="Order", key="changed", field_type="number"))
    assert (field.key, field.field_type, field.label) == ("order_ref", "text", "Order")


def test_option_value_used_twice_is_refused_next_to_the_value(app, people):
    field = factories.select_field(people.admin, {"US West (Oregon)": "pdx"})
    with pytest.raises(ValidationFailed) as caught:
        service.save_option(people.admin, field, None, label="Oregon", value="pdx")
    assert caught.value.fields == {"value": "Another option already stores this value."}


def test_option_label_used_twice_is_refused_next_to_the_label(app, people):
    field = factories.select_field(people.admin, {"Oregon": "pdx"})
    with pytest.raises(ValidationFailed) as caught:
        service.save_option(people.admin, field, None, label="Oregon", value="or")
    assert "label" in caught.value.fields


def test_option_value_never_changes_once_created(app, people):
    field = factories.select_field(people.admin, {"Oregon": "pdx"})
    option = field.options.get()
    service.save_option(people.admin, field, option, label="US West (Oregon)", value="other", active=False)
    assert (option.value, option.label, option.active) == ("pdx", "US West (Oregon)", False)


@pytest.mark.parametrize("save, name, model", [
    (lambda admin: service.save_status(admin, None, name="   ", category="open", customer_description=""),
     "name", CaseStatus),
    (lambda admin: service.save_reason(admin, None, name=" "), "name", CaseReason),
    (lambda admin: service.save_field(admin, None, FieldInput(label="", key="blank")), "label", CaseField),
], ids=["status", "reason", "field"])
def test_a_blank_name_is_refused_next_to_it_and_nothing_is_saved(app, people, save, name, model):
    before = model.select().count()
    with pytest.raises(ValidationFailed) as caught:
        save(people.admin)
    assert caught.value.fields[name].startswith("Enter ")
    assert model.select().count() == before
