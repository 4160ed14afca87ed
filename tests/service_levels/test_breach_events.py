"""The breach job's typed events: case.sla_warned and case.sla_breached, recorded in the job's transaction with
the target, its due moment and the workgroup, internal (staff and admins read them in the event stream and
webhooks, customers never), once per target, and before the escalation a breach causes."""

from portal.events.queries import event_payload, events_for
from portal.models.cases import Case
from portal.models.events import Event
from portal.service_levels import breaches
from tests.service_levels.test_breaches import FRIDAY
from tests.service_levels.test_case_targets import HOUR, MONDAY, open_at, world  # noqa: F401 (fixture)

SLA_TYPES = ("case.sla_warned", "case.sla_breached")


def sla_events(case: Case) -> list[Event]:
    return list(Event.select().where((Event.case == case.id) & Event.type.in_(SLA_TYPES)).order_by(Event.position))


def test_a_warning_and_a_breach_are_typed_internal_events_with_target_due_and_workgroup(
        monkeypatch, people, world):  # noqa: F811
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    breaches.act_on_service_levels(now=MONDAY + 3 * HOUR)
    breaches.act_on_service_levels(now=MONDAY + 3 * HOUR)  # nothing new: no second event
    breaches.act_on_service_levels(now=MONDAY + 4 * HOUR)
    warned, breached = sla_events(case)
    assert (warned.type, breached.type) == SLA_TYPES
    desk = str(world["desk"].uuid)
    assert warned.data == {"target": "first_response", "due": "2026-11-30T13:00:00Z", "workgroup": desk}
    assert warned.occurred_at == MONDAY + 3 * HOUR and warned.internal and warned.actor is None
    # The workgroup that missed it, not the experts the case went to afterwards.
    assert breached.data == {"target": "first_response", "due": "2026-11-30T13:00:00Z", "workgroup": desk}
    assert breached.internal and breached.occurred_at == MONDAY + 4 * HOUR
    escalated = Event.get((Event.case == case.id) & (Event.type == "case.escalated"))
    assert breached.position < escalated.position


def test_after_downtime_each_missed_target_records_one_breach_and_no_warning(monkeypatch, people,
                                                                             world):  # noqa: F811
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    breaches.act_on_service_levels(now=FRIDAY)
    breaches.act_on_service_levels(now=FRIDAY)
    assert sorted((e.type, e.data["target"]) for e in sla_events(case)) == [
        ("case.sla_breached", "first_response"), ("case.sla_breached", "resolution")]


def test_staff_read_the_service_level_events_and_customers_do_not(monkeypatch, people, world):  # noqa: F811
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    breaches.act_on_service_levels(now=MONDAY + 4 * HOUR)
    # The case went to the experts (the supervisor's workgroup) when it missed its target.
    for user, expected in ((people.supervisor, ["case.sla_breached"]), (people.admin, ["case.sla_breached"]),
                           (people.customer, [])):
        seen = [e for e in events_for(user, after=None, limit=100, case=case) if e.type in SLA_TYPES]
        assert [e.type for e in seen] == expected, user.role
    payload = event_payload(events_for(people.supervisor, after=None, limit=100, types=["case.sla_breached"])[0])
    assert payload["internal"] is True and payload["case"]["reference"] == case.reference
