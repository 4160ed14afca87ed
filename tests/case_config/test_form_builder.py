"""The one form builder: a template's form and the single validator every channel uses."""

import pytest
from wtforms import Form

from portal.case_config import service
from portal.case_config.forms import build_case_form
from portal.case_config.rules import form_name
from portal.case_config.service.values import validate_case_values
from portal.errors import ValidationFailed
from portal.models.configuration import FieldOption
from tests.case_config import factories

BASE = {"title": "Laptop will not start", "summary": "It beeps three times and stops."}


@pytest.fixture
def device(app, people):
    """A template: kind (select, required), serial (shown for hardware), screenshot URL (required for
    software), an internal triage note."""
    admin = people.admin
    kind = factories.select_field(admin, {"Hardware": "hardware", "Software": "software", "Legacy": "legacy"},
                                  key="kind", label="Kind of problem")
    serial = factories.case_field(admin, key="serial", label="Serial number", pattern=r"[A-Z]{2}\d{4}",
                                  pattern_message="Two capitals and four digits, like AB1234.")
    screenshot = factories.case_field(admin, "url", key="screenshot", label="Screenshot link")
    note = factories.case_field(admin, key="triage", label="Triage note", visibility="internal")
    template = factories.template(admin, fields=[(kind, True), serial, screenshot, note])
    service.add_condition(admin, template, target=serial, action="show", source=kind, value="hardware")
    service.add_condition(admin, template, target=screenshot, action="require", source=kind,
                          value="software")
    service.save_option(admin, kind, FieldOption.get(FieldOption.value == "legacy"), label="Legacy", active=False)
    return template


def errors_of(template, raw, audience="customer"):
    with pytest.raises(ValidationFailed) as caught:
        validate_case_values(template, raw, audience)
    return caught.value.fields


def test_valid_values_come_back_canonical(device):
    clean = validate_case_values(device, {**BASE, "cf_kind": "hardware", "cf_serial": "AB1234"}, "customer")
    assert clean.values == {"kind": "hardware", "serial": "AB1234"}
    assert clean.title == BASE["title"]


def test_title_and_summary_are_required(device):
    assert set(errors_of(device, {"cf_kind": "hardware"})) == {"title", "summary"}


def test_required_field_missing_gets_a_message(device):
    assert errors_of(device, BASE) == {"cf_kind": "Choose an option."}


def test_pattern_failure_shows_the_admins_message(device):
    fields = errors_of(device, {**BASE, "cf_kind": "hardware", "cf_serial": "12"})
    assert fields == {"cf_serial": "Two capitals and four digits, like AB1234."}


def test_field_hidden_by_a_condition_is_dropped_even_when_invalid(device):
    clean = validate_case_values(device, {**BASE, "cf_kind": "software", "cf_serial": "junk",
                                          "cf_screenshot": "https://example.com/s.png"}, "customer")
    assert clean.values == {"kind": "software", "screenshot": "https://example.com/s.png"}


def test_require_condition_is_enforced(device):
    assert errors_of(device, {**BASE, "cf_kind": "software"}) == {"cf_screenshot": "This is required."}


def test_inactive_option_is_refused_for_a_new_case(device):
    assert "no longer available" in errors_of(device, {**BASE, "cf_kind": "legacy"})["cf_kind"]


def test_inactive_option_is_kept_when_the_case_already_holds_it(device):
    clean = validate_case_values(device, {**BASE, "cf_kind": "legacy"}, "customer", current={"kind": "legacy"})
    assert clean.values["kind"] == "legacy"


def test_internal_fields_are_ignored_for_customers(device):
    clean = validate_case_values(device, {**BASE, "cf_kind": "hardware", "cf_triage": "VIP"}, "customer")
    assert "triage" not in clean.values


def test_internal_fields_are_read_for_staff(device):
    clean = validate_case_values(device, {**BASE, "cf_kind": "hardware", "cf_triage": "VIP"}, "staff")
    assert clean.values["triage"] == "VIP"


def test_unknown_reason_is_refused(device):
    assert "reason" in errors_of(device, {**BASE, "cf_kind": "hardware", "reason": "no-such-reason"})


def test_customer_form_has_the_customer_fields_and_active_options_alphabetically(device, app):
    form = build_case_form(device, "customer", base=Form)()
    names = [f.name for f in form]
    assert names[:3] == ["title", "summary", "reason"]
    assert form_name("triage") not in names
    assert [choice.label for choice in form.cf_kind.choices] == ["Choose an option", "Hardware", "Software"]


def test_staff_form_includes_internal_fields(device, app):
    form = build_case_form(device, "staff", base=Form)()
    assert "cf_triage" in [f.name for f in form]


def test_a_form_class_is_kept_per_configuration_and_a_retired_value_gets_its_own(app, people, device):
    from flask_wtf import FlaskForm

    from portal.case_config.queries import template_layout

    def form_class(current=None):
        return build_case_form(device, "staff", base=FlaskForm, current=current,
                               layout=template_layout(device, "staff"))

    with app.test_request_context("/"):
        kept = form_class()
        assert form_class() is kept and form_class({"kind": "hardware"}) is kept  # reused, request after request
        own = form_class({"kind": "legacy"})  # the case holds a retired option: offered to it only
        assert own is not kept and "legacy" in [c.value for c in own(formdata=None).cf_kind.choices]
        assert "legacy" not in [c.value for c in kept(formdata=None).cf_kind.choices]
        assert form_class({"kind": "legacy"}) is not own  # its own, never kept for another case
        # a change to the configuration (a new option) is a new class at once
        service.save_option(people.admin, device_kind(), None, label="Network", value="network")
        changed = form_class()
        assert changed is not kept and "network" in [c.value for c in changed(formdata=None).cf_kind.choices]
        # a layout of other fields than the configuration's (same template) is never given the kept class
        layout = template_layout(device, "staff")
        layout.fields = layout.fields[:1]
        other = build_case_form(device, "staff", base=FlaskForm, layout=layout)
        assert other is not changed and not hasattr(other(formdata=None), "cf_serial")


def device_kind():
    from portal.models.configuration import CaseField

    return CaseField.get(CaseField.key == "kind")
