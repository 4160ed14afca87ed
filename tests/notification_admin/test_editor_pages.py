"""The template editor pages: permissions, preview, save with every check, versions, diff, restore, test-send."""

import pytest

from notifier import templates as notifier_templates
from notifier.models import CapturedMessage, Message
from tests.fixtures import post_form
from tests.notification_admin.helpers import EDIT_URL, NON_ADMINS, SMS_URL, case_template, email_parts, version_count

PAGES = [
    "/admin/notifications",
    EDIT_URL,
    SMS_URL,
    EDIT_URL + "/versions",
    EDIT_URL + "/versions/1",
    "/admin/notifications/rules",
]


def save(client, parts, url=EDIT_URL, action="save"):
    return post_form(client, url, {**parts, "action": action})


@pytest.mark.parametrize("role", NON_ADMINS)
@pytest.mark.parametrize("url", PAGES)
def test_editor_pages_answer_404_to_everyone_but_admins(client, login, people, role, url):
    login(people.by_role(role))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_admins_see_every_editor_page(client, login, people, url):
    login(people.admin)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", NON_ADMINS)
@pytest.mark.parametrize("suffix", ["", "/test", "/versions/1/restore"])
def test_editor_posts_change_nothing_for_non_admins(client, login, people, role, suffix):
    login(people.by_role(role))
    before = version_count()
    response = post_form(client, EDIT_URL + suffix, {**email_parts(), "action": "save"}, page="/account")
    assert response.status_code == 404
    assert version_count() == before


def test_unknown_events_and_slots_answer_404(client, login, people):
    login(people.admin)
    assert client.get("/admin/notifications/templates/nope/email").status_code == 404
    assert client.get(EDIT_URL + "?language=xx").status_code == 404
    assert client.get(EDIT_URL + "?variant=00000000-0000-4000-8000-000000000000").status_code == 404
    assert client.get(EDIT_URL + "/versions/99").status_code == 404


def test_the_editor_shows_the_catalogue_beside_the_fields(client, login, people):
    login(people.admin)
    page = client.get(EDIT_URL).get_data(as_text=True)
    assert "{{ case_reference }}" in page and "The case&#39;s 8-digit reference." in page
    assert "40213377" in page  # the example value


def test_preview_renders_the_sample_data_without_saving(client, login, people):
    login(people.admin)
    before = version_count()
    response = save(client, email_parts(subject="Case {{ case_reference }} for {{ customer_name }}"), action="preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Case 40213377 for Cora Customer" in page
    assert version_count() == before


def test_sms_preview_shows_encoding_and_segments(client, login, people):
    login(people.admin)
    page = save(client, {"text": "Zażółć {{ case_reference }}"}, url=SMS_URL, action="preview").get_data(as_text=True)
    assert "UCS-2" in page and "1 segment</strong>" in page
    page = save(client, {"text": "Case {{ case_reference }} " + "x" * 200}, url=SMS_URL,
                action="preview").get_data(as_text=True)
    assert "GSM-7" in page and "2 segments</strong>" in page


def test_preview_with_an_unknown_case_reference_says_so(client, login, people):
    login(people.admin)
    response = post_form(client, EDIT_URL, {**email_parts(), "case_reference": "12345678", "action": "preview"})
    assert response.status_code == 400
    assert "No case you can see has that reference." in response.get_data(as_text=True)


def test_preview_renders_a_real_case_the_admin_may_see(client, login, people):
    from tests import factories

    case = factories.case(people.customer, title="Printer on fire")
    login(people.admin)
    response = post_form(client, EDIT_URL, {**email_parts(), "case_reference": case.reference, "action": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"[{case.reference}] Printer on fire" in page


def test_saving_publishes_a_new_version_with_its_author(client, login, people):
    login(people.admin)
    response = save(client, email_parts(subject="New subject {{ case_reference }}"))
    assert response.status_code == 302
    active = notifier_templates.active_template("case_created", "email")
    assert active.parts["subject"] == "New subject {{ case_reference }}"
    assert active.version.author == people.admin.email


INVALID = [
    ({"text": "Hello {{ recipient_name"}, "line 1"),
    ({"text": "Hello\n{% if x %}\nno end"}, "line 2: Unexpected end of template"),
    ({"text": "Hello {{ password }}"}, "unknown variable(s) password"),
    ({"text": "{{ ''.__class__ }}"}, "__class__"),
    ({"text": "{{ case_title.__init__ }}"}, "__init__"),
    ({"text": "{{ case_title.upper() }}"}, "method calls are not allowed"),
    ({"text": "{{ case_title.upper }}"}, "not attributes or methods"),
    ({"text": "{{ range(10) }}"}, "calling functions"),
    ({"text": "{% include 'x' %}"}, "include"),
    ({"text": "x" * 20_001}, "the limit is 20000"),
    ({"subject": "{{ case_title }}" * 30}, "the limit is 200"),
]


@pytest.mark.parametrize(("change", "reason"), INVALID)
def test_invalid_templates_are_refused_with_the_reason_and_nothing_is_saved(client, login, people, change, reason):
    login(people.admin)
    before = version_count()
    response = save(client, {**email_parts(), **change})
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True).replace("&#39;", "'")
    assert version_count() == before


def test_an_sms_of_too_many_segments_is_refused(client, login, people):
    login(people.admin)
    before = version_count()
    response = save(client, {"text": "{{ case_reference }} " + "ł" * 700}, url=SMS_URL)
    assert response.status_code == 400
    assert "SMS segments; the limit is 10" in response.get_data(as_text=True)
    assert version_count() == before


def test_a_save_without_csrf_is_refused(client, login, people):
    login(people.admin)
    before = version_count()
    assert client.post(EDIT_URL, data={**email_parts(), "action": "save"}).status_code == 400
    assert version_count() == before


def test_versions_show_a_diff_with_the_version_before(client, login, people):
    login(people.admin)
    save(client, email_parts(text="Line one\nLine two"))
    save(client, email_parts(text="Line one\nLine 2"))
    number = notifier_templates.versions("case_created", "email").first().number
    page = client.get(f"{EDIT_URL}/versions/{number}").get_data(as_text=True)
    assert "Removed: </span><del>Line two</del>" in page
    assert "Added: </span><ins>Line 2</ins>" in page
    listing = client.get(EDIT_URL + "/versions").get_data(as_text=True)
    assert people.admin.email in listing and "defaults" in listing


def test_restoring_a_version_saves_its_parts_as_a_new_version(client, login, people):
    login(people.admin)
    original = notifier_templates.active_template("case_created", "email").version
    save(client, email_parts(text="Changed"))
    response = post_form(client, f"{EDIT_URL}/versions/{original.number}/restore", {},
                         page=f"{EDIT_URL}/versions")
    assert response.status_code == 302
    active = notifier_templates.active_template("case_created", "email").version
    assert active.parts == original.parts
    assert active.number == original.number + 2
    assert active.author == people.admin.email


def test_an_override_for_a_case_template_and_language_is_its_own_slot(client, login, people):
    billing = case_template()
    login(people.admin)
    url = f"{EDIT_URL}?language=fr&variant={billing.uuid}"
    assert save(client, email_parts(subject="Facture {{ case_reference }}"), url=url).status_code == 302
    assert notifier_templates.active_template("case_created", "email", "fr", billing.uuid).parts["subject"] == (
        "Facture {{ case_reference }}")
    assert notifier_templates.active_template("case_created", "email", "de", billing.uuid).parts["subject"] != (
        "Facture {{ case_reference }}")
    assert "Billing" in client.get("/admin/notifications").get_data(as_text=True)


def test_send_a_test_of_an_email_sends_only_the_email(client, login, people, deliver):
    people.admin.phone = "+447911123456"
    people.admin.save()
    login(people.admin)
    assert f"this email with the sample data to {people.admin.email}" in client.get(EDIT_URL).get_data(as_text=True)
    response = post_form(client, EDIT_URL + "/test", {}, page=EDIT_URL)
    assert response.status_code == 302
    assert "A test (an email to ada@example.com) is queued" in client.get(EDIT_URL).get_data(as_text=True)
    deliver()
    [captured] = CapturedMessage.select()
    assert (captured.channel, captured.to_address) == ("email", people.admin.email)
    assert "40213377" in captured.subject


def test_send_a_test_of_a_text_message_sends_only_the_text_message(client, login, people, deliver):
    people.admin.phone = "+447911123456"
    people.admin.save()
    login(people.admin)
    response = post_form(client, SMS_URL + "/test", {}, page=SMS_URL)
    assert response.status_code == 302
    assert "A test (a text message to +447911123456) is queued" in client.get(SMS_URL).get_data(as_text=True)
    deliver()
    [captured] = CapturedMessage.select()
    assert (captured.channel, captured.to_address) == ("sms", "+447911123456")
    assert "40213377" in captured.text


def test_send_a_test_text_message_without_a_mobile_number_says_so_and_queues_nothing(client, login, people):
    login(people.admin)
    page = client.get(SMS_URL).get_data(as_text=True)
    assert "You have no mobile number on your profile" in page and 'href="/account"' in page
    response = post_form(client, SMS_URL + "/test", {}, page=SMS_URL)
    assert response.status_code == 302
    shown = client.get(SMS_URL).get_data(as_text=True)
    assert "flash-error" in shown and "no test text message can be sent" in shown
    assert Message.select().count() == 0


def test_send_a_test_of_a_slot_without_a_template_says_to_save_it_first(client, login, people):
    people.admin.phone = "+447911123456"
    people.admin.save()
    login(people.admin)
    url = "/admin/notifications/templates/case_opened_for_team/sms"
    post_form(client, url + "/test", {}, page=url)
    assert "There is no saved template to send yet" in client.get(url).get_data(as_text=True)
    assert Message.select().count() == 0
