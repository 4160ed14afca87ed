"""Demo case settings: five published templates using most field types, loaded once however often run."""

from portal.case_config.queries import templates_for
from portal.demo.case_config import load_case_settings
from portal.models.configuration import CaseField, CaseStatus, CaseTemplate, TemplateCondition


def test_demo_settings_load_once_and_offer_five_templates(app, people):
    load_case_settings()
    load_case_settings()
    assert CaseTemplate.select().count() == 5
    assert [t.name for t in templates_for(people.customer)] == [
        "Account change", "Billing question", "General inquiry", "Replacement request", "Technical issue"]
    assert {f.field_type for f in CaseField.select()} == {
        "text", "long_text", "number", "date", "select", "boolean", "email", "phone", "url"}
    assert TemplateCondition.select().count() == 4
    assert CaseStatus.select().where(CaseStatus.category == "waiting").count() == 1
