"""GET /cases/{reference}/attachments/{id}: a file's bytes for whoever may see it on the case page, always
as a download, and the documented 404 otherwise (another customer's case, an internal note's file, an id
that is not this case's, a file gone from disk)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from portal.models.cases import Attachment
from portal.models.configuration import CaseTemplate
from tests import factories
from tests.api.conftest import assert_error
from tests.cases.filing_setup import PDF_BYTES, PNG_BYTES, world_fixture  # noqa: F401 - the world


@pytest.fixture(autouse=True)
def desk(world, people):
    """The template's cases go to a workgroup the agent is in, so the agent handles them."""
    desk = factories.workgroup(people.agent, name="Desk")
    CaseTemplate.update(default_workgroup=desk).where(CaseTemplate.id == world.template.id).execute()
    return desk


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _open_with_files(api, world) -> dict:
    body = {"template": world.template.uuid, "title": "Printer jams", "summary": "See the photo.",
            "fields": {"room": "Lobby"},
            "attachments": [{"filename": "jam.png", "content_base64": b64(PNG_BYTES)},
                            {"filename": "manual.pdf", "content_base64": b64(PDF_BYTES)}]}
    response = api.post("/cases", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_the_customer_downloads_their_files_as_attachments(api_as, people, world):
    api = api_as(people.customer)
    case = _open_with_files(api, world)
    png, pdf = case["feed"][0]["attachments"]
    response = api.get(f"/cases/{case['reference']}/attachments/{png['id']}")
    assert response.status_code == 200 and response.data == PNG_BYTES
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment;") and "jam.png" in \
        response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert api.get(f"/cases/{case['reference']}/attachments/{pdf['id']}").data == PDF_BYTES
    # Staff handling the case read it too, by reference or by the case's UUID.
    assert api_as(people.agent).get(f"/cases/{case['id']}/attachments/{png['id']}").data == PNG_BYTES


def test_whoever_may_not_see_the_file_gets_404(app, api_as, people, world):
    case = _open_with_files(api_as(people.customer), world)
    ref, png = case["reference"], case["feed"][0]["attachments"][0]
    assert_error(api_as(people.other_customer).get(f"/cases/{ref}/attachments/{png['id']}"), 404, "not_found")
    # An internal note's file is staff-only.
    staff = api_as(people.agent)
    note = staff.post(f"/cases/{ref}/comments", json={"internal": True, "attachments": [
        {"filename": "log.png", "content_base64": b64(PNG_BYTES)}]}).get_json()
    internal = note["feed"][-1]["attachments"][0]
    assert staff.get(f"/cases/{ref}/attachments/{internal['id']}").status_code == 200
    customer = api_as(people.customer)
    assert_error(customer.get(f"/cases/{ref}/attachments/{internal['id']}"), 404, "not_found")
    # A file of another case, an unknown id and a malformed one.
    other = _open_with_files(customer, world)
    assert_error(customer.get(f"/cases/{other['reference']}/attachments/{internal['id']}"), 404, "not_found")
    for ident in ("3f1c2d4e-0000-4000-8000-000000000000", "not-a-uuid", "1"):
        assert_error(customer.get(f"/cases/{ref}/attachments/{ident}"), 404, "not_found")
    # A file whose bytes are gone from disk.
    stored = Attachment.get(Attachment.uuid == png["id"]).stored_name
    for path in Path(app.config["UPLOAD_DIR"]).rglob(stored):
        path.unlink()
    assert_error(customer.get(f"/cases/{ref}/attachments/{png['id']}"), 404, "not_found")


def test_a_token_without_the_read_scope_is_refused(api_as, people, world):
    case = _open_with_files(api_as(people.customer), world)
    png = case["feed"][0]["attachments"][0]
    limited = api_as(people.customer, scopes=["cases:write"])
    assert_error(limited.get(f"/cases/{case['reference']}/attachments/{png['id']}"), 403, "insufficient_scope")
