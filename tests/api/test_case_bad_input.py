"""Whatever an integrator sends to the case resources, the answer is the documented error shape with a
4xx status, never a 500; and the OpenAPI document describes every case operation for the integrator."""

from __future__ import annotations

import base64

import pytest

from portal.models.cases import Case
from tests import factories
from tests.api.conftest import assert_error
from tests.case_config import factories as config


@pytest.fixture
def case(app, people):
    desk = factories.workgroup(people.agent, name="Desk")
    template = config.template(people.admin, name="General", fields=[config.case_field(people.admin, key="room")])
    return factories.case(people.customer, template=Case.template.rel_model.get_by_id(template.id), workgroup=desk)


def _etag(api, case):
    return api.get(f"/cases/{case.reference}").headers["ETag"]


@pytest.mark.parametrize("reference", ["1234567", "123456789", "00000000", "abcdefgh", "12345678",
                                       "not-a-uuid", "3f1c2d4e-0000-4000-8000-000000000000", "١٢٣٤٥٦٧٨",
                                       "x" * 5000, "%F0%9F%98%80"])
def test_bad_references_are_404(api_as, people, case, reference):
    api = api_as(people.admin)
    assert_error(api.get(f"/cases/{reference}"), 404, "not_found")
    assert_error(api.post(f"/cases/{reference}/comments", json={"text": "x"}), 404, "not_found")
    assert_error(api.patch(f"/cases/{reference}", json={"priority": "low"}, headers={"If-Match": "*"}), 404,
                 "not_found")


BAD_BODIES = [
    ("post", "/comments", {"text": 5}),
    ("post", "/comments", {"text": "x", "public": True}),  # unknown member
    ("post", "/comments", {"text": "x", "internal": "yes"}),
    ("post", "/comments", {"text": "x" * 100_001}),
    ("post", "/comments", {"text": "x", "attachments": "file"}),
    ("post", "/comments", {"text": "x", "attachments": [{"filename": "a.png"}]}),
    ("post", "/comments", {"text": "x", "attachments": [{"filename": "", "content_base64": "AA=="}]}),
    ("post", "/comments", {"text": "x", "attachments": [{"filename": "a.png", "content_base64": "%%%"}]}),
    ("post", "/comments", {"text": "x", "attachments": [{"filename": "a.png", "content_base64": "QQ"}]}),
    ("post", "/comments", {"text": "\x00"}),
    ("post", "/comments", {"text": "\ud800"}),
    ("post", "/comments", []),
    ("post", "/comments", None),
    ("post", "/close", {"reason": ["a"]}),
    ("post", "/resolution/accept", {"rating": "5"}),
    ("post", "/resolution/accept", {"rating": 10**30}),
    ("post", "/resolution/accept", {"rating": 2.5}),
    ("post", "/escalate", {}),
    ("patch", "", {"priority": "whenever"}),
    ("patch", "", {"assignee": "not-a-uuid"}),
    ("patch", "", {"status": 3}),
    ("patch", "", {"fields": {"room": {"nested": True}}}),
    ("patch", "", {"fields": {"room": "x" * 100_000}}),
    ("patch", "", {"title": "line\nbreak"}),
    ("patch", "", {"title": None}),
    ("patch", "", {"reference": "12345678"}),
]


@pytest.mark.parametrize("method, suffix, body", BAD_BODIES)
def test_bad_bodies_are_4xx_in_the_error_shape(api_as, people, case, method, suffix, body):
    api = api_as(people.admin)
    headers = {"If-Match": _etag(api, case)}
    response = getattr(api, method)(f"/cases/{case.reference}{suffix}", json=body, headers=headers)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert api.get(f"/cases/{case.reference}").headers["ETag"] == headers["If-Match"]  # nothing changed


def test_not_json_is_415_and_broken_json_400(api_as, people, case):
    api = api_as(people.admin)
    url = f"/cases/{case.reference}/comments"
    assert_error(api.post(url, data="text=hi", content_type="application/x-www-form-urlencoded"), 415,
                 "unsupported_media_type")
    assert_error(api.post(url, data="{", content_type="application/json"), 400, "invalid_json")


@pytest.mark.parametrize("body", [
    {},
    {"template": 1, "title": "T", "summary": "S"},
    {"template": "not-a-uuid", "title": "T", "summary": "S"},
    {"template": "{template}", "title": "T", "summary": "S", "customer": "not-a-uuid"},
    {"template": "{template}", "title": "T", "summary": "S", "asset": "not-a-uuid"},
    {"template": "{template}", "title": "T", "summary": "S", "reason": "not-a-uuid"},
    {"template": "{template}", "title": "T", "summary": "S", "fields": []},
    {"template": "{template}", "title": "T", "summary": "S", "fields": {"room": [1]}},
    {"template": "{template}", "title": "T", "summary": "S", "follow_up_of": "x" * 10_000},
    {"template": "{template}", "title": "T" * 100_001, "summary": "S"},
    {"template": "{template}", "title": "T", "summary": "S", "priority": "high"},
])
def test_bad_new_cases_are_4xx_and_open_nothing(api_as, people, case, body):
    template = case.template.uuid
    body = {key: value.replace("{template}", template) if isinstance(value, str) else value
            for key, value in body.items()}
    response = api_as(people.customer).post("/cases", json=body)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert Case.select().count() == 1


def test_an_attachment_larger_than_allowed_is_422_before_it_is_stored(app, api_as, people, case):
    app.config["UPLOAD_MAX_BYTES"] = 10_000
    big = base64.b64encode(b"%PDF-1.4\n" + b"0" * 20_000).decode()
    response = api_as(people.customer).post(f"/cases/{case.reference}/comments", json={
        "text": "Scan", "attachments": [{"filename": "scan.pdf", "content_base64": big}]})
    error = assert_error(response, 422, "invalid")
    assert "larger than" in error["fields"]["attachments"]


def test_a_token_without_the_scope_is_403(api_as, people, case):
    reader = api_as(people.admin, scopes=["cases:read"])
    assert reader.get(f"/cases/{case.reference}").status_code == 200
    assert_error(reader.post(f"/cases/{case.reference}/comments", json={"text": "x"}), 403, "insufficient_scope")
    assert_error(api_as(people.admin, scopes=["tasks:read"]).get("/cases"), 403, "insufficient_scope")


CASE_PATHS = ("/api/v1/case-templates", "/api/v1/cases")


def test_the_openapi_document_describes_every_case_operation(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [(path, method, op) for path, item in document["paths"].items()
                  if path.startswith(CASE_PATHS) and not path.endswith("/tasks")  # a case's tasks: tests/api_tokens
                  for method, op in item.items()]
    assert len(operations) == 15
    for path, method, op in operations:
        assert op["summary"] and len(op["description"]) > 60, (path, method)
        assert op["security"][0]["token"][0].startswith("cases:")
    patch = document["paths"]["/api/v1/cases/{reference}"]["patch"]
    assert {"name": "If-Match", "required": True} .items() <= next(
        p for p in patch["parameters"] if p["name"] == "If-Match").items()
    assert {"412", "428"} <= set(patch["responses"])
    assert "ETag" in document["paths"]["/api/v1/cases/{reference}"]["get"]["responses"]["200"]["headers"]
    schemas = document["components"]["schemas"]
    for name in ("CaseOut", "CaseCreate", "TemplateOut", "CaseList", "CasePatch"):
        assert name in schemas
    listing = document["paths"]["/api/v1/cases"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"q", "cursor", "limit", "order", "updated_since",
                                                         "assignee", "status_category"}
