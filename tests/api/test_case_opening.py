"""Case templates with their field schema, and opening cases through the API: the same templates,
rules, filing targets and file checks as the new-case form."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from portal.case_config import service as config
from portal.models.cases import Attachment, Case, CaseEvent, CaseFieldValue
from portal.models.configuration import FieldOption
from portal.models.people import Customer
from tests.api.conftest import assert_error
from tests.case_config import factories
from tests.cases.filing_setup import EXE_BYTES, PDF_BYTES, PNG_BYTES, world_fixture  # noqa: F401 - the world


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def opening(world, **overrides) -> dict:
    body = {"template": world.template.uuid, "title": "Printer jams", "summary": "Every third page jams.",
            "fields": {"room": "Lobby"}}
    body.update(overrides)
    return body


@pytest.fixture
def rich(app, people, world):
    """A template with every kind of rule: required, select options (one retired), number limits, a
    pattern, an internal field and a condition."""
    admin = people.admin
    kind = factories.select_field(admin, {"Hardware": "hw", "Software": "sw", "Old": "old"}, key="kind",
                                  label="Kind")
    retired = FieldOption.get((FieldOption.field == kind) & (FieldOption.value == "old"))
    config.save_option(admin, kind, retired, label="Old", value="old", active=False)
    seats = factories.case_field(admin, "number", key="seats", label="Seats", min_value="1", max_value="50")
    serial = factories.case_field(admin, "text", key="serial", label="Serial", pattern=r"[A-Z]{2}\d{4}",
                                  pattern_message="Two letters and four digits")
    notes = factories.case_field(admin, "long_text", key="triage", label="Triage", visibility="internal")
    template = factories.template(admin, name="Hardware", fields=[(kind, True), seats, serial, notes])
    config.add_condition(admin, template, target=serial, action="require", source=kind, value="hw")
    return template


def test_templates_are_those_the_users_role_may_file_with(api_as, people, world, rich):
    factories.template(people.admin, name="Staff only", for_customers=False, for_proxies=False)
    factories.template(people.admin, name="Draft", publish=False)
    names = {role: [t["name"] for t in api_as(people.by_role(role)).get("/case-templates").get_json()["items"]]
             for role in ("customer", "proxy", "agent")}
    assert names["customer"] == names["proxy"] == ["General request", "Hardware"]
    assert names["agent"] == ["General request", "Hardware", "Staff only"]


def test_a_template_gives_its_field_schema_for_the_users_form(api_as, people, rich):
    staff = api_as(people.agent).get(f"/case-templates/{rich.uuid}").get_json()
    fields = {f["key"]: f for f in staff["fields"]}
    assert list(fields) == ["kind", "seats", "serial", "triage"]
    assert fields["kind"]["required"] is True and fields["kind"]["type"] == "select"
    assert [o["value"] for o in fields["kind"]["options"]] == ["hw", "sw"]  # not the retired one
    assert (fields["seats"]["min"], fields["seats"]["max"], fields["seats"]["number_kind"]) == (1, 50, "integer")
    assert fields["serial"]["pattern"] == r"[A-Z]{2}\d{4}" and fields["serial"]["max_length"] == 255
    assert fields["triage"]["visibility"] == "internal"
    assert staff["conditions"] == [{"field": "serial", "action": "require", "when_field": "kind", "equals": "hw"}]
    customer = api_as(people.customer).get(f"/case-templates/{rich.uuid}").get_json()
    assert [f["key"] for f in customer["fields"]] == ["kind", "seats", "serial"]  # no internal field


def test_a_template_not_offered_or_unknown_is_404(api_as, people, world):
    hidden = factories.template(people.admin, name="Staff only", for_customers=False)
    api = api_as(people.customer)
    for ident in (hidden.uuid, "3f1c2d4e-0000-4000-8000-000000000000", "not-a-uuid"):
        assert_error(api.get(f"/case-templates/{ident}"), 404, "not_found")


def test_a_customer_opens_a_case_for_themselves(api_as, people, world):
    response = api_as(people.customer).post("/cases", json=opening(world))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    case = Case.get()
    assert response.headers["Location"] == f"/api/v1/cases/{case.reference}"
    assert response.headers["ETag"] == body["etag"]
    assert body["customer"]["id"] == Customer.get(Customer.user == people.customer).uuid
    assert [(v["key"], v["value"]) for v in body["fields"]] == [("room", "Lobby")]
    assert [e["kind"] for e in body["feed"]] == ["created"]
    assert case.created_by_id == people.customer.id and case.internal_contact_id is None


def test_field_problems_come_back_by_field_key(api_as, people, rich):
    api = api_as(people.customer)
    body = {"template": rich.uuid, "title": "", "summary": "Broken",
            "fields": {"kind": "hw", "seats": 99, "serial": "nope"}}
    error = assert_error(api.post("/cases", json=body), 422, "invalid")
    assert set(error["fields"]) == {"title", "fields.seats", "fields.serial"}
    assert error["fields"]["fields.serial"] == "Two letters and four digits"
    body = {"template": rich.uuid, "title": "T", "summary": "S", "fields": {"kind": "hw"}}
    assert set(assert_error(api.post("/cases", json=body), 422, "invalid")["fields"]) == {"fields.serial"}
    body["fields"] = {"kind": "sw", "seats": 3, "triage": "sneaky"}  # internal: not on a customer's form
    assert assert_error(api.post("/cases", json=body), 422, "invalid")["fields"] == {
        "fields.triage": "This form has no field with this key."}
    body["fields"] = {"kind": "sw", "seats": 3, "serial": None}
    assert api.post("/cases", json=body).status_code == 201
    assert {v.value for v in CaseFieldValue.select()} == {"sw", "3"}


def test_values_of_every_json_type_are_read_as_the_form_would(api_as, people):
    admin = people.admin
    fields = [factories.case_field(admin, "boolean", key="urgent"), factories.case_field(admin, "number", key="amount",
                                                                                          number_kind="decimal"),
              factories.case_field(admin, "date", key="since")]
    template = factories.template(admin, fields=fields)
    body = {"template": template.uuid, "title": "T", "summary": "S",
            "fields": {"urgent": True, "amount": 2.5, "since": "2026-03-01"}}
    response = api_as(people.admin).post("/cases", json={**body, "customer": Customer.get(
        Customer.user == people.customer).uuid})
    assert response.status_code == 201, response.get_data(as_text=True)
    values = {v["key"]: (v["value"], v["text"]) for v in response.get_json()["fields"]}
    assert values["urgent"] == ("true", "Yes") and values["amount"][0] == "2.5" and values["since"][0] == "2026-03-01"


def test_proxies_file_for_contacts_of_an_account_only(api_as, people, world):
    api = api_as(people.proxy)
    assert set(assert_error(api.post("/cases", json=opening(world)), 422, "invalid")["fields"]) == {"customer"}
    assert "customer" in assert_error(api.post("/cases", json=opening(world, customer=world.loner.uuid)), 422,
                                      "invalid")["fields"]
    response = api.post("/cases", json=opening(world, customer=world.hana.uuid, asset=world.printer.uuid))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["internal_contact"]["id"] == people.proxy.uuid and body["customer"]["id"] == world.hana.uuid
    refused = api.post("/cases", json=opening(world, customer=world.hana.uuid, asset=world.inland_asset.uuid))
    assert "asset" in assert_error(refused, 422, "invalid")["fields"]
    assert Case.select().count() == 1


def test_a_customer_cannot_file_for_someone_else(api_as, people, world):
    other = Customer.get(Customer.user == people.other_customer)
    assert_error(api_as(people.customer).post("/cases", json=opening(world, customer=other.uuid)), 403, "forbidden")
    assert Case.select().count() == 0


def test_a_template_not_offered_is_refused_as_a_field(api_as, people, world):
    hidden = factories.template(people.admin, name="Staff only", for_customers=False)
    for template in (hidden.uuid, "junk"):
        error = assert_error(api_as(people.customer).post("/cases", json=opening(world, template=template)), 422,
                             "invalid")
        assert set(error["fields"]) == {"template"}


def test_follow_ups_name_a_case_the_user_may_see(api_as, people, world):
    api = api_as(people.customer)
    first = api.post("/cases", json=opening(world)).get_json()["reference"]
    follow = api.post("/cases", json=opening(world, follow_up_of=first))
    assert follow.status_code == 201 and follow.get_json()["follow_up_of"] == first
    error = assert_error(api_as(people.other_customer).post("/cases", json=opening(world, follow_up_of=first)),
                         422, "invalid")
    assert set(error["fields"]) == {"follow_up_of"}


def _stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_attachments_are_stored_after_the_checks_of_the_pages(app, api_as, people, world):
    files = [{"filename": "shot.png", "content_type": "image/png", "content_base64": b64(PNG_BYTES)},
             {"filename": "manual", "content_base64": b64(PDF_BYTES)}]
    response = api_as(people.customer).post("/cases", json=opening(world, attachments=files))
    assert response.status_code == 201, response.get_data(as_text=True)
    shown = response.get_json()["feed"][0]["attachments"]
    assert [(a["filename"], a["content_type"]) for a in shown] == [("shot.png", "image/png"),
                                                                   ("manual.pdf", "application/pdf")]
    assert Attachment.select().count() == 2 and len(_stored_files(app)) == 2


@pytest.mark.parametrize("files, field", [
    ([{"filename": "a.png", "content_base64": "not base64!"}], "attachments.0.content_base64"),
    ([{"filename": "tool.exe", "content_base64": b64(EXE_BYTES)}], "attachments"),
    ([{"filename": "a.png", "content_base64": b64(PNG_BYTES)}] * 3, "attachments"),
    ([{"filename": "big.png", "content_base64": b64(PNG_BYTES + b"\0" * 2048)}], "attachments"),
    ([{"filename": "empty.png", "content_base64": ""}], "attachments"),
])
def test_refused_attachments_leave_nothing_behind(app, api_as, people, world, files, field):
    app.config.update(UPLOAD_MAX_FILES=2, UPLOAD_MAX_BYTES=1024)
    response = api_as(people.customer).post("/cases", json=opening(world, attachments=files))
    assert field in assert_error(response, 422, "invalid")["fields"]
    assert Case.select().count() == 0 and CaseEvent.select().count() == 0 and _stored_files(app) == []


def test_staff_who_cannot_see_the_case_they_opened_get_its_address_without_its_content(api_as, people, world):
    """An agent opens a case of a template without a team: it is open (the same service as the form),
    but not one the agent may see, so the answer holds no case: 204 with its Location."""
    customer = Customer.get(Customer.user == people.customer)
    response = api_as(people.agent).post("/cases", json=opening(world, customer=customer.uuid))
    assert response.status_code == 204 and response.get_data() == b""
    assert response.headers["Location"] == f"/api/v1/cases/{Case.get().reference}"
