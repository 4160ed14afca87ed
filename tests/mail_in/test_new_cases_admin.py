"""The inbound address admin pages through the test client with real CSRF tokens: add, edit, the checks of
the service (a template an email can fill in), the audit log, and who may see the pages."""

from __future__ import annotations

import pytest

from portal.case_config import service as config_service
from portal.models.inbound_addresses import InboundAddress, InboundAddressChange
from tests import factories
from tests.case_config import factories as config_factories
from tests.fixtures import csrf_token_from, post_form


@pytest.fixture
def setup(app, people, login):
    login(people.admin)
    desk = factories.workgroup(people.agent, name="Mail desk")
    template = config_factories.template(people.admin, name="Email")
    return desk, template


def form(template, desk=None, **overrides):
    return {"address": "Support@Example.com", "case_template": template.uuid, "workgroup": desk.uuid if desk else "",
            "language": "de", "unknown_senders": "open", "active": "y", **overrides}


def test_an_admin_adds_an_address_and_the_change_is_audited(client, setup, people):
    desk, template = setup
    response = post_form(client, "/admin/mail-in/new", form(template, desk))
    assert response.status_code == 302
    address = InboundAddress.get()
    assert response.headers["Location"].endswith(f"/admin/mail-in/{address.uuid}")
    assert (address.address, address.case_template_id, address.workgroup_id, address.language,
            address.unknown_senders, address.active) == ("support@example.com", template.id, desk.id, "de", "open",
                                                         True)
    change = InboundAddressChange.get()
    assert (change.action, change.actor_id, change.old_value) == ("created", people.admin.id, None)
    assert change.new_value["case_template"] == {"uuid": template.uuid, "name": "Email"}
    listing = client.get("/admin/mail-in/").get_data(as_text=True)
    assert "support@example.com" in listing and "Mail desk" in listing


def test_a_template_with_a_required_field_is_refused_with_a_clear_error(client, setup, people):
    desk, template = setup
    serial = config_factories.case_field(people.admin, label="Serial number")
    strict = config_factories.template(people.admin, name="Strict", fields=[(serial, True)])
    response = post_form(client, "/admin/mail-in/new", form(strict))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Strict requires fields an email cannot fill in: Serial number." in page
    assert InboundAddress.select().count() == 0
    assert InboundAddressChange.select().count() == 0


def test_an_optional_field_is_fine(client, setup, people):
    desk, template = setup
    config_service.add_template_field(people.admin, template, config_factories.case_field(people.admin))
    assert post_form(client, "/admin/mail-in/new", form(template)).status_code == 302


@pytest.mark.parametrize(("field", "value", "message"), [
    ("address", "not-an-address", "Enter a valid email address"),
    ("address", "support+web@example.com", "without a +tag"),
    ("case_template", "00000000-0000-4000-8000-000000000000", "Choose a published case template"),
    ("workgroup", "junk", "Choose an active workgroup"),
    ("language", "fr", "Choose a language from the list."),
    ("unknown_senders", "maybe", "Choose what happens to mail from unknown senders."),
])
def test_each_value_is_checked(client, setup, field, value, message):
    desk, template = setup
    response = post_form(client, "/admin/mail-in/new", form(template, desk, **{field: value}))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert InboundAddress.select().count() == 0


def test_a_draft_template_is_refused(client, setup, people):
    draft = config_factories.template(people.admin, name="Draft", publish=False)
    response = post_form(client, "/admin/mail-in/new", form(draft))
    assert response.status_code == 400


def test_an_address_is_configured_once_whatever_its_case(client, setup):
    desk, template = setup
    post_form(client, "/admin/mail-in/new", form(template))
    response = post_form(client, "/admin/mail-in/new", form(template, address="SUPPORT@example.com"))
    assert response.status_code == 400
    assert "This address is configured already." in response.get_data(as_text=True)
    assert InboundAddress.select().count() == 1


def test_editing_records_the_values_before_and_after(client, setup, people):
    desk, template = setup
    post_form(client, "/admin/mail-in/new", form(template, desk))
    address = InboundAddress.get()
    url = f"/admin/mail-in/{address.uuid}"
    data = form(template, None, unknown_senders="link")
    data.pop("active")  # unticked: deactivated
    response = post_form(client, url, data)
    assert response.status_code == 302
    address = InboundAddress.get()
    assert (address.workgroup_id, address.unknown_senders, address.active) == (None, "link", False)
    edited = InboundAddressChange.get(InboundAddressChange.action == "edited")
    assert (edited.old_value["active"], edited.new_value["active"]) == (True, False)
    assert edited.old_value["workgroup"]["name"] == "Mail desk" and edited.new_value["workgroup"] is None
    page = client.get(url).get_data(as_text=True)
    assert "Edited" in page and "Ada Admin" in page
    # Saving without a change adds nothing to the log.
    post_form(client, url, data)
    assert InboundAddressChange.select().count() == 2


def test_a_form_without_its_csrf_token_changes_nothing(client, setup):
    desk, template = setup
    response = client.post("/admin/mail-in/new", data=form(template, desk))
    assert response.status_code == 400
    assert InboundAddress.select().count() == 0


@pytest.mark.parametrize("role", ["customer", "proxy", "agent", "supervisor"])
def test_the_pages_are_not_there_for_anyone_but_admins(app, people, role):
    template = config_factories.template(people.admin, name="Email")
    address = InboundAddress.create(address="support@example.com", case_template=template)
    client = app.test_client()
    from tests.fixtures import sign_in

    sign_in(client, people.by_role(role))
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    for url in ("/admin/mail-in/", "/admin/mail-in/new", f"/admin/mail-in/{address.uuid}"):
        assert client.get(url).status_code == 404
    response = client.post(f"/admin/mail-in/{address.uuid}", data={"csrf_token": token, **form(template)})
    assert response.status_code == 404
    assert InboundAddress.get().unknown_senders == "link"


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/mail-in/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_address_page_is_not_found(client, setup):
    assert client.get("/admin/mail-in/not-a-uuid").status_code == 404
    assert client.get("/admin/mail-in/00000000-0000-4000-8000-000000000000").status_code == 404


def test_the_pages_speak_german(client, setup, people):
    people.admin.language = "de"
    people.admin.save()
    page = client.get("/admin/mail-in/new").get_data(as_text=True)
    assert "Adresse hinzufügen" in page and "E-Mails unbekannter Absender" in page
