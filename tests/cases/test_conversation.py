"""Comments and internal notes on the case page, with files; who sees what, who is told."""

import io

import pytest

from notifier.models import Message
from portal.cases.service import conversation
from portal.errors import InvalidTransition, NotFound, ValidationFailed
from portal.models.cases import Attachment, CaseEvent
from tests import factories
from tests.fixtures import post_form, sign_in

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def team(people):
    return factories.workgroup(people.agent, people.supervisor, name="Service desk")


@pytest.fixture
def case(people, team):
    return factories.case(people.customer, workgroup=team, internal_contact=people.proxy)


def recipients(event):
    return sorted(m.address for m in Message.select().where(Message.event == event))


def test_a_customer_comments_and_the_workgroup_is_told_while_unassigned(client, login, people, case):
    login(people.customer)
    response = post_form(client, f"/cases/{case.reference}/comments", {"body": "Still broken today."},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 302
    assert "Still broken today." in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert recipients("case_customer_commented") == [people.agent.email, people.supervisor.email]


def test_with_an_assignee_only_the_assignee_is_told(app, people, case):
    case.assignee = people.agent
    case.save()
    conversation.add_comment(people.customer, case, "Any news?")
    assert recipients("case_customer_commented") == [people.agent.email]


def test_a_staff_reply_tells_the_customer_side_but_not_its_author(app, people, case):
    conversation.add_comment(people.agent, case, "We have ordered a new part.")
    assert recipients("case_replied") == [people.customer.email, people.proxy.email]
    assert people.agent.email not in recipients("case_replied")


def test_an_internal_note_is_hidden_from_the_customer_side_and_tells_nobody(app, client, login, people, case):
    conversation.add_comment(people.agent, case, "Customer sounds upset; escalate if no part by Friday.",
                         public=False)
    assert Message.select().count() == 0
    login(people.customer)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "sounds upset" not in page
    staff = app.test_client()
    sign_in(staff, people.agent)
    assert "sounds upset" in staff.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_customers_cannot_write_internal_notes_even_by_forging_the_form(client, login, people, case):
    login(people.customer)
    post_form(client, f"/cases/{case.reference}/comments", {"body": "sneaky", "visibility": "internal"},
              page=f"/cases/{case.reference}")
    assert CaseEvent.get(CaseEvent.body == "sneaky").public is True


@pytest.mark.parametrize("body, message", [("", "Write a comment or attach a file."),
                                           ("x" * 10_001, "Use at most 10000 characters (you used 10001)."),
                                           ("bad\x00byte", "invisible control characters")])
def test_bad_comments_get_a_message_and_keep_nothing(client, login, people, case, body, message):
    login(people.customer)
    response = post_form(client, f"/cases/{case.reference}/comments", {"body": body},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert CaseEvent.select().where(CaseEvent.kind == "comment").count() == 0


def test_a_refused_comment_keeps_what_was_typed(client, login, people, case):
    login(people.customer)
    data = {"body": "My long explanation that must not be lost",
            "files": (io.BytesIO(b"MZ\x90\x00binary"), "virus.png")}
    response = post_form(client, f"/cases/{case.reference}/comments", data, page=f"/cases/{case.reference}",
                         content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "can&#39;t be attached" in page or "can't be attached" in page
    assert "My long explanation that must not be lost" in page


def test_a_comment_with_a_file_and_its_download(client, login, people, case):
    login(people.customer)
    data = {"body": "Invoice attached", "files": (io.BytesIO(PDF), "../../Invoice March.pdf")}
    post_form(client, f"/cases/{case.reference}/comments", data, page=f"/cases/{case.reference}",
              content_type="multipart/form-data")
    attachment = Attachment.get()
    assert attachment.original_name == "Invoice March.pdf" and attachment.public
    response = client.get(f"/cases/{case.reference}/files/{attachment.uuid}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"


def test_a_text_file_downloads_with_one_charset(client, login, people, case):
    login(people.customer)
    data = {"body": "Log attached", "files": (io.BytesIO("Grüße\n".encode()), "server.log")}
    post_form(client, f"/cases/{case.reference}/comments", data, page=f"/cases/{case.reference}",
              content_type="multipart/form-data")
    response = client.get(f"/cases/{Attachment.get().case.reference}/files/{Attachment.get().uuid}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("role, status", [("other_customer", 404), ("proxy", 200), ("agent", 200), ("admin", 200)])
def test_downloads_follow_the_case_policy(app, people, case, role, status):
    conversation.add_comment(people.customer, case, "file", uploads=[_upload(PDF, "a.pdf")])
    attachment = Attachment.get()
    client = app.test_client()
    sign_in(client, people.by_role(role))
    assert client.get(f"/cases/{case.reference}/files/{attachment.uuid}").status_code == status


def test_files_on_internal_notes_are_not_downloadable_by_the_customer(app, client, login, people, case):
    conversation.add_comment(people.agent, case, "log", public=False, uploads=[_upload(b"log line\n", "server.log")])
    attachment = Attachment.get()
    assert not attachment.public
    login(people.customer)
    assert client.get(f"/cases/{case.reference}/files/{attachment.uuid}").status_code == 404


def test_nobody_comments_on_a_case_they_cannot_see(app, people, case):
    with pytest.raises(NotFound):
        conversation.add_comment(people.other_customer, case, "hello")


def test_a_closed_case_takes_no_comments(app, people, case):
    from portal.cases.service import lifecycle

    lifecycle.close_case(people.customer, case)
    with pytest.raises(InvalidTransition, match="closed"):
        conversation.add_comment(people.customer, case, "one more thing")


def test_the_service_refuses_an_empty_comment(app, people, case):
    with pytest.raises(ValidationFailed):
        conversation.add_comment(people.customer, case, "   ")


def _upload(data: bytes, name: str):
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(data), filename=name)
