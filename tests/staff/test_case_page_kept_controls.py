"""The case page keeps the markup of a new form's controls (detail.html's kept(), {% remember %}): the same
on every page in a language, so written once. A kept part must never show another page's state: every
page below, for each side, in three languages, is the page rendered with nothing kept; a form sent back
with what was typed and its messages is never a kept one; and what the kept controls show (the case's
priority, the reply box's mode, the upload limits) changes the page as it changes a page written afresh."""

from __future__ import annotations

import re

import pytest

from portal.cases.service import lifecycle
from portal.models.people import User
from portal.staff.service import handling
from tests.fixtures import post_form, sign_in
from tests.staff.conftest import reload

_TOKENS = re.compile(r'((?:csrf_token|submission)"(?: type="hidden")? value=")[^"]*"')


def _masked(html: str) -> str:
    """The page without its per-request values: the CSRF tokens and the forms' one-time submission keys."""
    return _TOKENS.sub(r'\1"', html)


def _afresh(app, client, path: str) -> str:
    app.jinja_env.remember_fragments = False
    try:
        return _masked(client.get(path).get_data(as_text=True))
    finally:
        app.jinja_env.remember_fragments = True


def _kept(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return _masked(response.get_data(as_text=True))


def _in_state(people, case, state: str):
    if state in ("resolved", "closed"):
        lifecycle.propose_resolution(people.agent, case, "Replaced the <b>roller</b>.")
    if state == "closed":
        lifecycle.close_case(people.agent, reload(case), "Done.")
    return reload(case)


@pytest.mark.parametrize("state", ["open", "resolved", "closed"])
@pytest.mark.parametrize("role", ["customer", "agent", "supervisor"])
def test_kept_controls_are_the_controls_written_afresh(app, client, people, teams, case, role, state):
    case = _in_state(people, case, state)
    user = people.by_role(role)
    sign_in(client, user)
    path = f"/cases/{case.reference}"
    for language in ("en", "de", "es", "en"):
        User.update(language=language).where(User.id == user.id).execute()
        fresh = _afresh(app, client, path)
        assert _kept(client, path) == fresh, language  # the first keeps, the second reuses
        assert _kept(client, path) == fresh, language
    assert app.extensions.get("caseport_fragments"), "nothing was kept: the test did not exercise the memo"


@pytest.mark.parametrize("form, data, typed", [
    ("contacts", {"contact-channel": "", "contact-direction": "outbound", "contact-summary": "Called <b>back</b>"},
     "Called &lt;b&gt;back&lt;/b&gt;"),
    ("escalate", {"escalate-reason": ""}, 'id="escalate-reason-error"'),
    ("priority", {"priority-priority": "sky-high"}, 'id="priority-priority-error"'),
    ("update", {"update-body": "x" * 20_001}, "x" * 20_001),
])
def test_a_sent_form_comes_back_with_what_was_typed_not_the_kept_controls(app, client, people, teams, case, form,
                                                                       data, typed):
    sign_in(client, people.agent)
    path = f"/cases/{case.reference}"
    _kept(client, path)  # every new form's controls kept
    response = post_form(client, f"/staff/cases/{case.reference}/{form}", data, page=path)
    assert response.status_code == 400
    page = _masked(response.get_data(as_text=True))
    assert typed in page
    app.jinja_env.remember_fragments = False
    try:
        afresh = _masked(post_form(client, f"/staff/cases/{case.reference}/{form}", data, page=path)
                         .get_data(as_text=True))
    finally:
        app.jinja_env.remember_fragments = True
    assert page == afresh


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_a_refused_comment_comes_back_with_what_was_typed(app, client, people, teams, case, role):
    sign_in(client, people.by_role(role))
    path = f"/cases/{case.reference}"
    _kept(client, path)
    body = "Too long <i>" + "y" * 20_000
    response = post_form(client, f"{path}/comments", {"body": body, "visibility": "internal"}, page=path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Too long &lt;i&gt;" in page
    if role == "agent":  # the note's mode as sent, not the reply box's last mode
        assert 'checked id="visibility-1"' in page


def test_kept_controls_follow_the_values_they_show(app, client, people, teams, case):
    sign_in(client, people.agent)
    path = f"/cases/{case.reference}"
    before = _kept(client, path)
    assert before == _afresh(app, client, path)
    # the priority select shows the case's priority
    handling.set_priority(people.agent, reload(case), "urgent")
    page = _kept(client, path)
    assert page == _afresh(app, client, path)
    assert '<option selected value="urgent">' in page and '<option selected value="urgent">' not in before
    # the reply box opens in the mode last used (an internal note, then a public reply)
    for mode in ("internal", "public"):
        assert post_form(client, f"{path}/comments", {"body": f"A {mode} one", "visibility": mode},
                         page=path).status_code == 302
        client.get(path)  # the page that shows the flash
        page = _kept(client, path)
        assert page == _afresh(app, client, path), mode
        checked = rf'checked id="visibility-\d" name="visibility" required type="radio" value="{mode}"'
        assert re.search(checked, page), mode
    # the upload hint says the limits configured
    app.config["UPLOAD_MAX_FILES"] = 7
    page = _kept(client, path)
    assert page == _afresh(app, client, path)
    assert "Up to 7 files" in page


def test_kept_selects_follow_their_choices_and_the_chosen_one(app, client, people, teams, case):
    """The assignee, task assignee, move and status selects are kept by the choices they offer and the one
    chosen (fields.control_key): a new member, an assignment and a status change each show."""
    from portal.cases.queries.case_page import statuses_to_choose
    from portal.models.configuration import CaseStatus
    from portal.models.teams import WorkgroupMember
    from tests import factories

    sign_in(client, people.supervisor)
    path = f"/cases/{case.reference}"
    before = _kept(client, path)
    assert before == _afresh(app, client, path)
    assert 'id="assign-assignee"' in before and 'id="task-assignee"' in before and 'id="status"' in before
    newcomer = factories.user(role="agent", email="nico@example.com", display_name="Nico <Newcomer>")
    WorkgroupMember.create(workgroup=teams.desk, user=newcomer)
    page = _kept(client, path)
    assert page == _afresh(app, client, path)
    assert f'value="{newcomer.uuid}">Nico &lt;Newcomer&gt;</option>' in page  # the task select
    assert f'value="{newcomer.uuid}">Nico &lt;Newcomer&gt; (' in page  # the assignee select, with the role
    handling.assign_case(people.supervisor, reload(case), str(newcomer.uuid))
    page = _kept(client, path)
    assert page == _afresh(app, client, path)
    assert f'<option selected value="{newcomer.uuid}">' in page
    other = CaseStatus.create(name="Waiting for <parts>", category="waiting", position=99)
    page = _kept(client, path)
    assert page == _afresh(app, client, path)
    assert f'<option value="{other.uuid}">Waiting for &lt;parts&gt;</option>' in _status_select(page)
    lifecycle.change_status(people.supervisor, reload(case), str(other.uuid))
    page = _kept(client, path)
    assert page == _afresh(app, client, path)
    assert str(other.uuid) not in _status_select(page)  # not offered: the case has it
    assert statuses_to_choose()
    # the list is kept per configuration change (portal.config_cache): a rename, a new order and a
    # retired status show on the next page
    lifecycle.change_status(people.supervisor, reload(case), str(statuses_to_choose()[0].uuid))
    CaseStatus.update(name="Waiting for the vendor", position=-1).where(CaseStatus.id == other.id).execute()
    page = _kept(client, path)
    assert page == _afresh(app, client, path)
    assert _status_select(page).index(f'<option value="{other.uuid}">Waiting for the vendor</option>') \
        < min(_status_select(page).index(str(s.uuid)) for s in statuses_to_choose() if s.id != other.id
              and str(s.uuid) in _status_select(page))
    CaseStatus.update(active=False).where(CaseStatus.id == other.id).execute()
    page = _kept(client, path)
    assert page == _afresh(app, client, path)
    assert str(other.uuid) not in _status_select(page)


def _status_select(page: str) -> str:
    return page.split('id="status"', 1)[1].split("</select>", 1)[0]


def test_the_details_form_is_each_case_types_own_and_follows_its_configuration(app, client, people, teams):
    """The staff details form (a class per case type and configuration; its controls are written afresh,
    as they hold the case's own text): two case types with no values each show their own fields, a label
    changed by the admin shows on the next page, and a value shows, with the rest of the page kept."""
    from portal.case_config import service as config_service
    from portal.case_config.service import FieldInput
    from portal.models.cases import CaseFieldValue
    from tests import factories
    from tests.case_config import factories as config

    admin = config.admin()
    colour = config.select_field(admin, label="Ink colour", key="ink")
    size = config.case_field(admin, label="Paper size", key="paper")
    first = config.template(admin, fields=[colour], name="Ink problem", default_workgroup=teams.desk.id)
    second = config.template(admin, fields=[size], name="Paper problem", default_workgroup=teams.desk.id)
    inky = factories.case(people.customer, template=first, workgroup=teams.desk)
    papery = factories.case(people.customer, template=second, workgroup=teams.desk)
    sign_in(client, people.agent)

    def details(case) -> str:
        page = _kept(client, f"/cases/{case.reference}")
        assert page == _afresh(app, client, f"/cases/{case.reference}")
        return page.split('id="case-details-edit"', 1)[1].split("</details>", 1)[0]

    for _ in range(2):
        assert "Ink colour" in details(inky) and "Paper size" not in details(inky)
        assert "Paper size" in details(papery) and "Ink colour" not in details(papery)
    config_service.save_field(admin, size, FieldInput(label="Sheet size", field_type="text", key="paper"))
    assert "Sheet size" in details(papery) and "Paper size" not in details(papery)
    CaseFieldValue.create(case=papery, field=size, value="A4 <portrait>")
    assert 'value="A4 &lt;portrait&gt;"' in details(papery)


@pytest.mark.parametrize("injected", [
    {"contact-summary": "Injected summary"},  # a kept new form (NewForm)
    {"task-title": "Injected task"},  # a form with choices, kept under its controls' values
    {"resolution": "Injected resolution"},
])
def test_values_sent_for_another_form_never_reach_the_new_forms(app, client, people, teams, case, injected):
    """A refused form comes back with the page's other forms new and empty, whatever else the request
    carried: a value sent under another form's names neither shows in that form nor is kept for the
    next reader (the kept parts start empty here, as after a worker starts or the memo is full)."""
    from tests.fixtures import csrf_token_from

    sign_in(client, people.agent)
    path = f"/cases/{case.reference}"
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    app.extensions.get("caseport_fragments", {}).clear()
    refused = client.post(f"{path}/comments", data={"csrf_token": token, "body": "", **injected})
    assert refused.status_code == 400
    word = next(iter(injected.values()))
    assert word not in refused.get_data(as_text=True)
    colleague = app.test_client()
    sign_in(colleague, people.supervisor)
    assert word not in colleague.get(path).get_data(as_text=True)
    assert word not in client.get(path).get_data(as_text=True)
