"""Files on the new-case form and the shared store_uploads helper: allowed files are stored and
recorded with a safe name; too large, too many, the wrong type or empty files are refused with a
message next to the file field, nothing is saved, no file is left on disk and the typed values stay."""

import re
from pathlib import Path

import pytest

from portal.cases.service import attachments, opening
from portal.errors import ValidationFailed
from portal.files import storage
from portal.models.cases import Attachment, Case, CaseEvent
from portal.models.people import Customer
from tests.cases.filing_setup import (
    EXE_BYTES,
    GOOD,
    PDF_BYTES,
    PNG_BYTES,
    form_url,
    upload,
    world_fixture,  # noqa: F401 - the world fixture
)
from tests.fixtures import post_form


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def file_error(html: str) -> str:
    match = re.search(r'<p class="error" id="files-error">([^<]*)</p>', html)
    assert match, "no message next to the file field"
    return match.group(1).replace("&#39;", "'")


def post_case(client, world, files, **values):
    return post_form(client, form_url(world.template), {**GOOD, **values, "files": files},
                     content_type="multipart/form-data")


def test_allowed_file_is_stored_and_recorded_with_its_normalised_name(app, client, people, login, world):
    login(people.customer)
    response = post_case(client, world, [upload(PNG_BYTES, "Screen shot: 1.PNG")])
    assert response.status_code == 302
    case = Case.get()
    attachment = Attachment.get()
    assert (attachment.case_id, attachment.original_name, attachment.content_type, attachment.size) == (
        case.id, "Screen shot_ 1.png", "image/png", len(PNG_BYTES))
    assert (attachment.uploaded_by_id, attachment.public) == (people.customer.id, True)
    assert attachment.event_id == CaseEvent.get((CaseEvent.case == case) & (CaseEvent.kind == "created")).id
    assert storage.path_of(app.config["UPLOAD_DIR"], attachment.stored_name).read_bytes() == PNG_BYTES


def test_several_files_are_all_recorded(client, people, login, world):
    login(people.customer)
    response = post_case(client, world, [upload(PNG_BYTES, "a.png"), upload(PDF_BYTES, "b.pdf")])
    assert response.status_code == 302
    assert sorted(a.original_name for a in Attachment.select()) == ["a.png", "b.pdf"]


def test_a_file_input_left_empty_is_no_attachment(client, people, login, world):
    login(people.customer)
    assert post_case(client, world, [upload(b"", "")]).status_code == 302
    assert Attachment.select().count() == 0


REFUSED = {
    "too large": ({"UPLOAD_MAX_BYTES": 1024}, [upload(PNG_BYTES + b"\0" * 2048, "big.png")],
                  "big.png is larger than 1 kB."),
    "too many": ({"UPLOAD_MAX_FILES": 2}, [upload(PNG_BYTES, f"{n}.png") for n in range(3)],
                 "You chose 3 files; attach at most 2 at a time."),
    "wrong type": ({}, [upload(EXE_BYTES, "holiday.png")], "holiday.png can't be attached: it is not a real PNG image"),
    "empty": ({}, [upload(b"", "notes.txt")], "notes.txt is empty."),
    "one bad among good": ({}, [upload(PNG_BYTES, "fine.png"), upload(EXE_BYTES, "setup.pdf")],
                           "setup.pdf can't be attached"),
}


@pytest.mark.parametrize("case_name", list(REFUSED))
def test_refused_files_get_a_message_and_nothing_is_saved(app, client, people, login, world, case_name):
    config, files, message = REFUSED[case_name]
    app.config.update(config)
    login(people.customer)
    response = post_case(client, world, files)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in file_error(html)
    assert "Please choose your files again" in file_error(html)
    assert 'value="Printer jams"' in html and "Every third page jams in tray 2." in html
    assert 'value="Lobby"' in html
    assert Case.select().count() == 0 and Attachment.select().count() == 0
    assert stored_files(app) == []


def test_every_rejected_file_gets_its_own_message(client, people, login, world):
    login(people.customer)
    response = post_case(client, world, [upload(b"", "one.txt"), upload(EXE_BYTES, "two.png")])
    message = file_error(response.get_data(as_text=True))
    assert "one.txt is empty." in message and "two.png can't be attached" in message


def test_invalid_values_with_a_good_file_leave_no_file_behind_and_ask_for_it_again(app, client, people, login,
                                                                                   world):
    login(people.customer)
    response = post_case(client, world, [upload(PNG_BYTES, "fine.png")], title="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="title-error">Enter a title.<', html)
    assert "Please choose your files again" in file_error(html)
    assert stored_files(app) == [] and Case.select().count() == 0


def test_a_failure_after_storing_removes_the_files_and_saves_nothing(app, people, world, monkeypatch):
    customer = Customer.get(Customer.user == people.customer)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(opening, "record_attachments", broken)
    with pytest.raises(RuntimeError):
        opening.open_case(people.customer, world.template, GOOD, customer=customer,
                          files=[_file_storage(PNG_BYTES, "fine.png")])
    assert stored_files(app) == [] and Case.select().count() == 0


def _file_storage(content: bytes, name: str):
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(content), filename=name)


def test_storing_uploads_removes_what_it_wrote_when_a_file_is_refused(app):
    with pytest.raises(ValidationFailed) as refused:
        attachments.store_uploads([_file_storage(PNG_BYTES, "ok.png"), _file_storage(EXE_BYTES, "bad.gif")])
    assert "bad.gif can't be attached" in refused.value.fields["files"]
    assert stored_files(app) == [] and Attachment.select().count() == 0
