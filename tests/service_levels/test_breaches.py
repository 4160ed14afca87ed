"""The breach job: warns at the warning share, records a missed target once, escalates the case to its type's
expert workgroup (feed entry, typed event, notifications), acts once when run twice or by two schedulers, and
catches up after downtime with one notification per case and target."""

from datetime import UTC, datetime

from notifier.models import Message
from portal.models.cases import Case, CaseEvent
from portal.models.events import Event
from portal.service_levels import breaches
from portal.staff.service import handling
from tests.service_levels.test_case_targets import HOUR, MONDAY, open_at, world  # noqa: F401 (fixture)

FRIDAY = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def messages(event: str, case: Case) -> list[Message]:
    return list(Message.select().where((Message.event == event) & (Message.topic == case.reference)))


def test_a_warning_then_a_breach_escalates_the_case_once(monkeypatch, people, world):  # noqa: F811
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    assert breaches.act_on_service_levels(now=MONDAY + 2 * HOUR) == 0  # before the warning share

    assert breaches.act_on_service_levels(now=MONDAY + 3 * HOUR) == 1  # 75 % of four business hours
    warned = messages("sla_warning", case)
    assert [m.address for m in warned] == ["aga@example.com"]  # the workgroup: nobody is assigned
    assert warned[0].context["target"] == "First response"
    assert breaches.act_on_service_levels(now=MONDAY + 3 * HOUR + HOUR / 4) == 0

    missed = MONDAY + 4 * HOUR
    assert breaches.act_on_service_levels(now=missed) == 1
    assert breaches.act_on_service_levels(now=missed) == 0
    row = Case.get_by_id(case.id)
    assert row.first_response_breached_at == missed
    assert row.escalated and row.workgroup_id == world["experts"].id
    assert row.ola_due == missed + 2 * HOUR  # the experts' own target runs from the escalation
    feed = CaseEvent.get((CaseEvent.case == case.id) & (CaseEvent.kind == "escalated"))
    assert feed.actor is None and feed.data["automatically"] == "missed_target"
    assert feed.data["target"] == "first_response"
    typed = Event.get((Event.case == case.id) & (Event.type == "case.escalated"))
    assert typed.actor is None
    assert len(messages("sla_breached", case)) >= 1
    assert [m.address for m in messages("case_escalated", case)] == ["sue@example.com"]
    assert len(messages("sla_warning", case)) == 1


def test_two_schedulers_that_picked_the_same_case_act_once(monkeypatch, people, world):  # noqa: F811
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    missed = MONDAY + 5 * HOUR
    # Both read the case as due, then both try to act on it: the second finds every mark already set.
    assert breaches.act_on_case(case.id, missed) == [("first_response", "breached")]
    assert breaches.act_on_case(case.id, missed) == []
    assert CaseEvent.select().where((CaseEvent.case == case.id) & (CaseEvent.kind == "escalated")).count() == 1


def test_after_a_long_downtime_each_case_gets_one_notification_per_target(monkeypatch, people, world):  # noqa: F811
    cases = [open_at(monkeypatch, people, world["template"], MONDAY) for _ in range(3)]
    # Four days later: first response and resolution both long missed, their warnings too.
    assert breaches.act_on_service_levels(now=FRIDAY) == 6
    assert breaches.act_on_service_levels(now=FRIDAY) == 0
    for case in cases:
        assert messages("sla_warning", case) == []
        keys = {m.key for m in messages("sla_breached", case)}
        assert len(keys) == 2  # first response and resolution, each once
        people_told = [(m.key, m.address) for m in messages("sla_breached", case)]
        assert len(people_told) == len(set(people_told))
        assert CaseEvent.select().where((CaseEvent.case == case.id) & (CaseEvent.kind == "escalated")).count() == 1


def test_a_paused_case_neither_warns_nor_breaches(monkeypatch, people, world):  # noqa: F811
    from portal.cases.service import lifecycle

    case = open_at(monkeypatch, people, world["template"], MONDAY)
    lifecycle.change_status(people.agent, case, str(world["waiting"].uuid), now=MONDAY + HOUR)
    assert breaches.act_on_service_levels(now=FRIDAY) == 0
    assert Case.get_by_id(case.id).first_response_breached_at is None


def test_a_missed_ola_is_recorded_without_escalating_again(monkeypatch, people, world):  # noqa: F811
    case = open_at(monkeypatch, people, world["template"], MONDAY)
    handling.escalate_case(people.agent, case, "Needs experts.", now=MONDAY + HOUR)
    row = Case.get_by_id(case.id)
    assert row.ola_due == MONDAY + 3 * HOUR
    # The experts work around the clock: first response (4 h) and OLA (2 h from the escalation) both miss.
    assert breaches.act_on_service_levels(now=MONDAY + 4 * HOUR) == 2
    row = Case.get_by_id(case.id)
    assert row.ola_breached_at == MONDAY + 4 * HOUR
    assert CaseEvent.select().where((CaseEvent.case == case.id) & (CaseEvent.kind == "escalated")).count() == 1


def test_two_schedulers_running_at_the_same_time_act_once_per_case_and_target(app, monkeypatch, people,
                                                                              world):  # noqa: F811
    from tests.events.test_concurrency import in_thread

    cases = [open_at(monkeypatch, people, world["template"], MONDAY) for _ in range(4)]
    outcome: dict = {}
    threads = [in_thread(app, lambda: breaches.act_on_service_levels(now=FRIDAY), outcome, name)
               for name in ("one", "two")]
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(value, int) for value in outcome.values()), outcome
    assert outcome["one"] + outcome["two"] == 8  # four cases, two missed targets each
    for case in cases:
        assert len({m.key for m in messages("sla_breached", case)}) == 2
        assert CaseEvent.select().where((CaseEvent.case == case.id) & (CaseEvent.kind == "escalated")).count() == 1
