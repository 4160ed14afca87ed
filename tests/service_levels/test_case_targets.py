"""Targets stored on the case through its whole life, with a frozen clock: opening, a pause (waiting on the
customer) and its end, a priority change, the first answer, a customer's comment and an escalation, all through
the services people use. The team works Monday to Friday, 09:00-17:00 in Berlin (UTC+1 in winter)."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.case_config.service import save_status, system_status
from portal.cases.service import conversation, lifecycle, opening
from portal.models.calendars import BusinessCalendar, WorkingHours
from portal.models.cases import Case
from portal.models.configuration import CaseTemplate
from portal.models.people import Customer
from portal.models.service_levels import OlaTarget, SlaPolicy, SlaTarget
from portal.staff.service import handling
from tests import factories
from tests.case_config import factories as config_factories

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
HOUR = timedelta(hours=1)


def berlin_office() -> BusinessCalendar:
    calendar = BusinessCalendar.create(name="Berlin office", time_zone="Europe/Berlin")
    for weekday in range(5):
        WorkingHours.create(calendar=calendar, weekday=weekday, start_minute=9 * 60, end_minute=17 * 60)
    return calendar


@pytest.fixture
def world(people):
    desk = factories.workgroup(people.agent, calendar=berlin_office())
    experts = factories.workgroup(people.supervisor, name="Experts")  # no calendar: 24x7
    OlaTarget.create(workgroup=experts, minutes=120, business_time=False)
    template = config_factories.template(people.admin, name="Technical")
    CaseTemplate.update(default_workgroup=desk, escalation_workgroup=experts).where(
        CaseTemplate.id == template.id).execute()
    policy = SlaPolicy.create(template=template, warn_percent=75)
    for priority, metric, minutes in (("", "first_response", 240), ("", "next_response", 120),
                                      ("", "resolution", 16 * 60), ("urgent", "first_response", 60)):
        SlaTarget.create(policy=policy, priority=priority, metric=metric, minutes=minutes, business_time=True)
    waiting = save_status(people.admin, None, name="Waiting on customer", category="waiting",
                          customer_description="We wait for your answer.")
    return {"template": CaseTemplate.get_by_id(template.id), "desk": desk, "experts": experts, "waiting": waiting}


def open_at(monkeypatch, people, template, moment) -> Case:
    monkeypatch.setattr(opening, "utcnow", lambda: moment)
    customer = Customer.get(Customer.user == people.customer)
    return opening.open_case(people.customer, template, {"title": "Printer jams", "summary": "Every page."},
                             customer=customer)


def stored(case: Case) -> Case:
    return Case.get_by_id(case.id)


def test_targets_follow_the_case_through_pause_resume_priority_answer_comment_and_escalation(
        monkeypatch, people, world):
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    row = stored(case)
    assert row.first_response_due == MONDAY + 4 * HOUR  # 14:00 in Berlin
    assert row.first_response_warn_at == MONDAY + 3 * HOUR  # 75 %
    # 16 business hours: Monday 10-17 (7), Tuesday 9-17 (8), Wednesday 9-10 (1).
    assert row.resolution_due == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert row.next_response_due is None and row.ola_due is None and not row.sla_paused
    assert row.sla_due == MONDAY + 4 * HOUR and row.sla_action_at == MONDAY + 3 * HOUR

    # Waiting on the customer from 11:00 Monday (Berlin): the clock stops, nothing can warn or breach.
    lifecycle.change_status(people.agent, case, str(world["waiting"].uuid), now=MONDAY + HOUR)
    row = stored(case)
    assert row.sla_paused and row.sla_action_at is None

    # Back on Tuesday at 10:00 Berlin: one business hour was used, three are left.
    tuesday = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    case = stored(case)
    lifecycle.change_status(people.agent, case, str(system_status("open").uuid), now=tuesday)
    row = stored(case)
    assert not row.sla_paused
    assert row.first_response_due == tuesday + 3 * HOUR
    assert row.resolution_due == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # 15 h left from Tuesday 10:00

    # Urgent: one business hour for the first answer, already used before the pause: overdue.
    case = stored(case)
    handling.set_priority(people.agent, case, "urgent", now=tuesday + HOUR / 2)
    row = stored(case)
    assert row.first_response_due == MONDAY + HOUR
    assert row.sla_due == MONDAY + HOUR and row.sla_action_at == MONDAY + HOUR * 3 / 4

    # The first answer meets the first-response target (kept for reports); nobody waits, so no next response.
    answered = tuesday + HOUR
    conversation.add_comment(people.agent, stored(case), "We are on it.", now=answered)
    row = stored(case)
    assert row.first_response_at == answered and row.first_response_due == MONDAY + HOUR
    assert row.next_response_due is None and row.sla_due == row.resolution_due

    # The customer writes at 12:00 Berlin: the next answer is due two business hours later.
    wrote = tuesday + 2 * HOUR
    conversation.add_comment(people.customer, stored(case), "Still jams.", now=wrote)
    row = stored(case)
    assert row.awaiting_reply_since == wrote and row.next_response_due == wrote + 2 * HOUR
    assert row.sla_due == wrote + 2 * HOUR
    # A second comment does not restart it: the first unanswered one counts.
    conversation.add_comment(people.customer, stored(case), "And smells.", now=wrote + HOUR)
    assert stored(case).next_response_due == wrote + 2 * HOUR

    # Escalated at 14:00 Berlin: the experts' own target (two hours around the clock) joins.
    escalated = tuesday + 4 * HOUR
    handling.escalate_case(people.agent, stored(case), "Needs the printer specialists.", now=escalated)
    row = stored(case)
    assert row.workgroup_id == world["experts"].id
    assert row.ola_due == escalated + 2 * HOUR and row.ola_warn_at == escalated + 90 * timedelta(minutes=1)

    # The answer meets the next response; closing ends every target.
    conversation.add_comment(people.supervisor, stored(case), "Fixed it.", now=escalated + HOUR)
    row = stored(case)
    assert row.awaiting_reply_since is None and row.next_response_due is None
    lifecycle.close_case(people.supervisor, stored(case), "Done.", now=escalated + 2 * HOUR)
    row = stored(case)
    assert row.sla_due is None and row.sla_action_at is None


def test_a_template_without_a_policy_gives_no_targets(monkeypatch, people):
    template = config_factories.template(people.admin, name="Plain")
    row = stored(open_at(monkeypatch, people, template, MONDAY))
    assert (row.first_response_due, row.resolution_due, row.sla_due, row.sla_action_at) == (None,) * 4
