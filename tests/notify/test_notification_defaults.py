"""The notifier's promise, path by path: with the default rules, each audience gets exactly the
messages a helpdesk user expects, through the web pages, the outbox, a real SMTP server and a real
(fake Twilio) SMS gateway. Receipts go to whoever filed; conversation events never to the actor."""

from __future__ import annotations

from collections import defaultdict

import pytest

from portal.cases.service import conversation, lifecycle
from portal.models.cases import Case
from portal.models.configuration import CaseStatus
from portal.models.people import Customer
from tests import factories
from tests.case_config import factories as config_factories
from tests.fixtures import post_form, sign_in
from tests.servers import sms_gateway, smtp_server  # noqa: F401 - real servers for delivery

CORA_MOBILE = "+447911123456"
FILING = {"title": "Printer jams", "summary": "Every third page jams in tray 2."}


@pytest.fixture
def real_servers(app, smtp_server, sms_gateway):  # noqa: F811
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      SMTP_USERNAME="", SMS_BACKEND="http", SMS_BASE_URL=sms_gateway.url,
                      SMS_ACCOUNT_SID=sms_gateway.sid, SMS_AUTH_TOKEN=sms_gateway.token, SMS_FROM="+15005550006")
    return smtp_server, sms_gateway


class Delivered:
    """What reached the real servers: {address: [(subject, text body)]} and {number: [text]}."""

    def __init__(self, servers, deliver):
        self.smtp, self.sms = servers
        self.deliver = deliver

    def mail(self) -> dict[str, list[tuple[str, str]]]:
        report = self.deliver()
        assert report.dead == 0, report.errors
        received = defaultdict(list)
        for message in self.smtp.messages:
            body = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
            received[message["To"].addresses[0].addr_spec].append((str(message["Subject"]), body))
        return dict(received)

    def texts(self) -> dict[str, list[str]]:
        received = defaultdict(list)
        for entry in self.sms.received:
            received[entry["To"]].append(entry["Body"])
        return dict(received)


@pytest.fixture
def delivered(real_servers, deliver):
    return Delivered(real_servers, deliver)


@pytest.fixture
def team(people):
    return factories.workgroup(people.agent, people.supervisor, name="Service desk")


@pytest.fixture
def form(people, team):
    """A published case type that lands in the Service desk."""
    return config_factories.template(people.admin, name="Printer trouble", default_workgroup=team,
                                     default_priority="high")


@pytest.fixture
def hana():
    """A contact of an account, without a sign-in: told by the profile's email."""
    harbour = factories.account(name="Harbour Hotels")
    return factories.customer(first_name="Hana", last_name="Harbour", email="hana@example.com", account=harbour)


def file_case(app, user, form, **target) -> Case:
    client = app.test_client()
    sign_in(client, user)
    query = "&".join(f"{key}={value}" for key, value in target.items())
    url = f"/cases/new/{form.uuid}" + (f"?{query}" if query else "")
    response = post_form(client, url, FILING)
    assert response.status_code == 302, response.get_data(as_text=True)
    return Case.get(Case.title == FILING["title"])


def staff_client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


# --- filing -------------------------------------------------------------------------------------------


def test_a_customer_filing_gets_a_receipt_and_the_workgroup_hears_of_the_new_case(app, people, form, delivered):
    people.customer.phone = CORA_MOBILE
    people.customer.save()
    case = file_case(app, people.customer, form)
    mail = delivered.mail()
    assert sorted(mail) == sorted([people.customer.email, people.agent.email, people.supervisor.email])
    [(subject, body)] = mail[people.customer.email]
    assert subject == f"[{case.reference}] We have received your case: Printer jams"
    assert "thank you: your case is open" in body and "Keep this email as your receipt." in body
    for staff in (people.agent, people.supervisor):
        [(subject, body)] = mail[staff.email]
        assert subject == f"[{case.reference}] New case (High priority) from Cora Customer: Printer jams"
        assert "waiting in the Service desk queue" in body and "thank you" not in body
        assert "Type: Printer trouble" in body and "Every third page jams in tray 2." in body
        assert f"http://portal.test/cases/{case.reference}" in body
    assert delivered.texts() == {CORA_MOBILE: [f'Caseport: case {case.reference} "Printer jams" is open. '
                                               f"Follow it at http://portal.test/cases/{case.reference}"]}


def test_a_proxy_filing_gets_a_receipt_and_the_customer_is_told(app, people, form, hana, delivered):
    case = file_case(app, people.proxy, form, account=hana.account.uuid, customer=hana.uuid)
    mail = delivered.mail()
    assert sorted(mail) == sorted([people.proxy.email, "hana@example.com", people.agent.email,
                                   people.supervisor.email])
    [(subject, body)] = mail[people.proxy.email]
    assert subject == f"[{case.reference}] We have received the case for Hana Harbour: Printer jams"
    assert "we have received the case you opened on behalf of Hana Harbour" in body
    [(subject, body)] = mail["hana@example.com"]
    assert subject == f"[{case.reference}] We have received your case: Printer jams"
    assert "Pia Proxy opened a case on behalf of Hana Harbour." in body and "receipt" not in body
    [(_, body)] = mail[people.agent.email]
    assert "Customer: Hana Harbour" in body and "Filed by: Pia Proxy" in body


def test_an_agent_filing_from_a_profile_tells_the_customer_and_the_rest_of_the_team(app, people, form, hana,
                                                                                     delivered):
    case = file_case(app, people.agent, form, account=hana.account.uuid, customer=hana.uuid)
    mail = delivered.mail()
    # The agent knows what they filed: no receipt, no "new case" for their own team.
    assert sorted(mail) == sorted(["hana@example.com", people.supervisor.email])
    [(_, body)] = mail["hana@example.com"]
    assert "Aga Agent opened a case on behalf of Hana Harbour." in body
    [(subject, _)] = mail[people.supervisor.email]
    assert subject.startswith(f"[{case.reference}] New case")


def test_a_case_filed_already_assigned_tells_the_assignee_not_the_queue(app, people, form, team, monkeypatch,
                                                                        delivered):
    from portal.cases.service import opening

    create = opening._create_with_fresh_reference
    monkeypatch.setattr(opening, "_create_with_fresh_reference",
                        lambda **values: create(**{**values, "assignee": people.agent}))
    case = file_case(app, people.customer, form)
    mail = delivered.mail()
    assert sorted(mail) == sorted([people.customer.email, people.agent.email])
    [(_, body)] = mail[people.agent.email]
    assert "is assigned to Aga Agent" in body and case.reference in body


def test_a_case_type_without_a_workgroup_tells_only_the_filer(app, people, delivered):
    loose = config_factories.template(people.admin, name="Anything else")
    file_case(app, people.customer, loose)
    assert sorted(delivered.mail()) == [people.customer.email]


# --- while the case is worked ------------------------------------------------------------------------


@pytest.fixture
def case(people, team, form):
    people.customer.phone = CORA_MOBILE
    people.customer.save()
    return factories.case(people.customer, template=form, workgroup=team, internal_contact=people.proxy,
                          assignee=people.agent)


def fresh(case):
    return Case.get_by_id(case.id)


@pytest.fixture
def waiting():
    return CaseStatus.create(name="Waiting on customer", category="waiting",
                             customer_description="We need something from you: please see our last message.")


def change_status(app, user, case, status):
    response = post_form(staff_client(app, user), f"/cases/{case.reference}/status", {"status": status.uuid},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 302, response.get_data(as_text=True)


def test_waiting_on_the_customer_tells_the_customer_side_with_the_latest_reply(app, people, case, waiting,
                                                                               delivered):
    conversation.add_comment(people.agent, case, "Could you send a photo of the display?")
    conversation.add_comment(people.agent, case, "Internal: probably the fuser.", public=False)
    conversation.add_comment(people.customer, case, "Which display do you mean?")
    delivered.mail()  # the reply itself (case_replied) is not what this test is about
    delivered.smtp.handler.received.clear()
    change_status(app, people.agent, case, waiting)
    mail = delivered.mail()
    assert sorted(mail) == sorted([people.customer.email, people.proxy.email])
    [(subject, body)] = mail[people.customer.email]
    assert subject == f"[{case.reference}] Your case is waiting: Waiting on customer ({case.title})"
    assert "We need something from you: please see our last message." in body
    assert "from Aga Agent:\n\nCould you send a photo of the display?" in body
    assert "fuser" not in body  # internal notes never reach the customer side
    assert "Which display" not in body  # the team's reply, not the customer's own comment
    assert delivered.texts() == {CORA_MOBILE: [f'Caseport: case {case.reference} is now "Waiting on customer". '
                                               f"Please see http://portal.test/cases/{case.reference}"]}


def test_waiting_without_any_reply_yet_still_says_what_the_status_means(app, people, case, waiting, delivered):
    change_status(app, people.supervisor, case, waiting)
    [(_, body)] = delivered.mail()[people.customer.email]
    assert "We need something from you" in body and "latest message" not in body


def test_accepting_with_a_rating_tells_the_assignee_the_rating_and_remark(app, people, case, delivered):
    lifecycle.propose_resolution(people.agent, case, "Replaced the fuser unit.")
    delivered.mail()
    delivered.smtp.handler.received.clear()
    client = app.test_client()
    sign_in(client, people.customer)
    response = post_form(client, f"/cases/{case.reference}/resolution/accept",
                         {"rating": "5", "comment": "Quick and friendly!"}, page=f"/cases/{case.reference}")
    assert response.status_code == 302
    mail = delivered.mail()
    assert sorted(mail) == sorted([people.agent.email, people.proxy.email])
    [(subject, body)] = mail[people.agent.email]
    assert subject == f"[{case.reference}] Resolution accepted, rated 5/5: {case.title}"
    assert "Rating: 5 of 5" in body and "Remark: Quick and friendly!" in body
    assert "Replaced the fuser unit." in body
    [(subject, _)] = mail[people.proxy.email]
    assert subject == f"[{case.reference}] Case closed: {case.title}"


def test_accepting_without_a_rating_says_none_was_given(app, people, case, delivered):
    lifecycle.propose_resolution(people.agent, case, "Fixed.")
    lifecycle.accept_resolution(people.proxy, fresh(case))
    [(subject, body)] = [m for m in delivered.mail()[people.agent.email] if "accepted" in m[0]]
    assert "rated" not in subject and "Rating: none given" in body


def test_rejecting_tells_the_assignee_only(app, people, case, delivered):
    lifecycle.propose_resolution(people.agent, case, "Fixed.")
    delivered.mail()
    delivered.smtp.handler.received.clear()
    lifecycle.reject_resolution(people.customer, fresh(case), "It jams again on tray 2.")
    mail = delivered.mail()
    assert sorted(mail) == [people.agent.email]
    [(subject, body)] = mail[people.agent.email]
    assert "It jams again on tray 2." in body


def test_a_customer_closing_tells_the_assignee_in_staff_words(app, people, case, delivered):
    client = app.test_client()
    sign_in(client, people.customer)
    response = post_form(client, f"/cases/{case.reference}/close", {"close-reason": "Found it myself."},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 302
    mail = delivered.mail()
    assert sorted(mail) == sorted([people.agent.email, people.proxy.email])
    [(subject, body)] = mail[people.agent.email]
    assert subject == f"[{case.reference}] Case closed: {case.title}"
    assert "closed by Cora Customer" in body and "Customer: Cora Customer" in body
    assert "you can reopen it" not in body
    [(_, body)] = mail[people.proxy.email]
    assert "you can reopen it" in body
    assert delivered.texts() == {}  # the customer closed it: no SMS about their own action


def test_staff_closing_with_the_status_picker_tells_the_customer_side_and_the_assignee(app, people, case,
                                                                                        delivered):
    change_status(app, people.supervisor, case, CaseStatus.get(CaseStatus.name == "Closed"))
    mail = delivered.mail()
    assert sorted(mail) == sorted([people.customer.email, people.proxy.email, people.agent.email])
    assert set(delivered.texts()) == {CORA_MOBILE}


def test_a_plain_status_change_tells_nobody_by_default(app, people, case, delivered):
    working = CaseStatus.create(name="In progress", category="open")
    change_status(app, people.agent, case, working)
    assert delivered.mail() == {} and delivered.texts() == {}


# --- routed by an admin -------------------------------------------------------------------------------


def route_status_changes(app, admin, cells):
    """The admin ticks cells of "Status changed" on the rules page (every other cell as shown)."""
    from portal.notify.queries import rules_table

    client = staff_client(app, admin)
    data = {f"{event}.{audience}.{channel}": "1"
            for event, row in rules_table(None).items()
            for audience, cell in row.items()
            for channel in cell.channels}
    data.update({f"case_status_changed.{cell}": "1" for cell in cells})
    response = post_form(client, "/admin/notifications/rules", data)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_status_change_routed_by_an_admin_rule_reaches_exactly_that_audience(app, people, case, delivered):
    route_status_changes(app, people.admin, ["supervisors.email"])
    working = CaseStatus.create(name="In progress", category="open")
    change_status(app, people.agent, case, working)
    mail = delivered.mail()
    assert sorted(mail) == [people.supervisor.email]
    [(subject, body)] = mail[people.supervisor.email]
    assert subject == f"[{case.reference}] Status changed to In progress: {case.title}"
    assert 'Aga Agent changed the status of case' in body and 'from "Open" to "In progress"' in body
    assert "Customer: Cora Customer" in body


def test_someone_told_by_the_waiting_event_is_not_told_twice_by_the_routed_status_change(app, people, case,
                                                                                         waiting, delivered):
    route_status_changes(app, people.admin, ["customer.email", "supervisors.email"])
    change_status(app, people.agent, case, waiting)
    mail = delivered.mail()
    assert [subject for subject, _ in mail[people.customer.email]] == [
        f"[{case.reference}] Your case is waiting: Waiting on customer ({case.title})"]
    assert [subject for subject, _ in mail[people.supervisor.email]] == [
        f"[{case.reference}] Status changed to Waiting on customer: {case.title}"]


def test_customer_side_status_change_mail_speaks_to_the_customer(app, people, case, delivered):
    route_status_changes(app, people.admin, ["customer.email"])
    working = CaseStatus.create(name="In progress", category="open", customer_description="Someone is on it.")
    change_status(app, people.agent, case, working)
    [(_, body)] = delivered.mail()[people.customer.email]
    assert "Someone is on it." in body and "Customer:" not in body


def test_the_customer_profile_without_sign_in_is_told_of_waiting_too(app, people, team, form, hana, waiting,
                                                                     delivered):
    case = factories.case(customer=hana, template=form, workgroup=team, internal_contact=people.proxy,
                          created_by=people.proxy)
    change_status(app, people.agent, case, waiting)
    assert sorted(delivered.mail()) == sorted(["hana@example.com", people.proxy.email])
    assert Customer.get_by_id(hana.id).user_id is None
