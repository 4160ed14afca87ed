"""targets_for: a case's due and warning moments from its template's policy, priority, workgroup calendar, status
history and escalation; and the values the database gives it."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.models.calendars import ALWAYS_OPEN_UUID, BusinessCalendar
from portal.models.teams import Workgroup
from portal.service_levels import queries
from portal.service_levels.business_time import ALWAYS_OPEN, Calendar
from portal.service_levels.service import CalendarData, PolicyData, save_calendar, save_ola, save_policy
from portal.service_levels.targets import Policy, Target, pauses_from_history, targets_for
from portal.teams.service import WorkgroupData, update_workgroup
from tests.case_config import factories as config_factories

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = Calendar("Europe/Berlin", (((480, 720), (780, 1020)),) * 5 + ((), ()))
H = timedelta(hours=1)


def berlin(*args):
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


POLICY = Policy(targets={
    ("", "first_response"): Target(4 * H),
    ("", "next_response"): Target(8 * H),
    ("", "resolution"): Target(16 * H),
    ("urgent", "resolution"): Target(4 * H, business_time=False),
})
MONDAY_9 = berlin(2026, 11, 30, 9, 0)


def test_targets_count_in_the_workgroup_calendar_and_warn_at_three_quarters():
    targets = targets_for(POLICY, priority="normal", calendar=OFFICE, opened_at=MONDAY_9, now=MONDAY_9)
    assert targets.first_response.due == berlin(2026, 11, 30, 14, 0)  # 4 h with the lunch break
    assert targets.first_response.warn_at == berlin(2026, 11, 30, 12, 0)  # 3 h: the whole morning
    assert targets.resolution.due == berlin(2026, 12, 2, 9, 0)  # two working days of 8 h
    assert targets.next_response is None and targets.ola is None and not targets.paused


def test_a_priority_override_replaces_the_template_row_and_may_count_calendar_time():
    targets = targets_for(POLICY, priority="urgent", calendar=OFFICE, opened_at=MONDAY_9, now=MONDAY_9)
    assert targets.resolution.due == MONDAY_9 + 4 * H
    assert targets.first_response.due == berlin(2026, 11, 30, 14, 0)  # no override: the template row


def test_waiting_on_the_customer_stops_the_clock_until_the_case_moves_on():
    history = [(MONDAY_9, "open"), (berlin(2026, 11, 30, 10, 0), "waiting"), (berlin(2026, 12, 1, 10, 0), "open")]
    targets = targets_for(POLICY, priority="normal", calendar=OFFICE, opened_at=MONDAY_9,
                          now=berlin(2026, 12, 1, 11, 0), status_history=history)
    # 1 h before the pause, then 15 h more from Tuesday 10:00: Tuesday 10-12, 13-17 (6 h), Wednesday (8 h), 1 h.
    assert targets.resolution.due == berlin(2026, 12, 3, 9, 0)
    assert not targets.paused


def test_a_pause_going_on_counts_up_to_now_and_says_so():
    history = [(MONDAY_9, "open"), (berlin(2026, 11, 30, 10, 0), "resolved")]
    targets = targets_for(POLICY, priority="normal", calendar=OFFICE, opened_at=MONDAY_9,
                          now=berlin(2026, 11, 30, 15, 0), status_history=history)
    assert targets.paused
    assert targets.first_response.due == berlin(2026, 12, 1, 9, 0)  # 1 h done; 15-17 today (now: 15:00), 8-9


def test_the_policy_chooses_which_categories_pause():
    policy = Policy(targets=POLICY.targets, pause_categories=frozenset({"waiting"}))
    history = [(MONDAY_9, "open"), (berlin(2026, 11, 30, 10, 0), "resolved")]
    targets = targets_for(policy, priority="normal", calendar=OFFICE, opened_at=MONDAY_9,
                          now=berlin(2026, 11, 30, 15, 0), status_history=history)
    assert not targets.paused and targets.first_response.due == berlin(2026, 11, 30, 14, 0)


def test_next_response_counts_from_the_customer_message():
    targets = targets_for(POLICY, priority="normal", calendar=OFFICE, opened_at=MONDAY_9, now=MONDAY_9,
                          awaiting_reply_since=berlin(2026, 12, 4, 16, 0))  # a Friday
    assert targets.next_response.due == berlin(2026, 12, 7, 16, 0)


def test_an_escalated_case_gets_the_escalation_workgroups_ola_in_its_calendar():
    targets = targets_for(POLICY, priority="normal", calendar=OFFICE, opened_at=MONDAY_9, now=MONDAY_9,
                          escalated_at=berlin(2026, 11, 30, 16, 0), ola=Target(2 * H), ola_calendar=OFFICE)
    assert targets.ola.due == berlin(2026, 12, 1, 9, 0)
    assert targets.ola.warn_at == berlin(2026, 12, 1, 8, 30)


def test_warn_share_is_the_policys():
    policy = Policy(targets=POLICY.targets, warn_percent=50)
    targets = targets_for(policy, priority="normal", calendar=ALWAYS_OPEN, opened_at=MONDAY_9, now=MONDAY_9)
    assert targets.resolution.warn_at == MONDAY_9 + 8 * H


def test_no_policy_means_no_targets():
    targets = targets_for(None, priority="normal", calendar=OFFICE, opened_at=MONDAY_9, now=MONDAY_9)
    assert targets.as_dict() == {"paused": False, **{f"{name}_{kind}": None for name in
                                 ("first_response", "next_response", "resolution", "ola")
                                 for kind in ("due", "warn_at")}}


def test_pauses_come_from_status_changes_in_any_order():
    a, b, c, d = (MONDAY_9 + k * H for k in range(4))
    history = [(c, "open"), (a, "waiting"), (b, "resolved"), (d, "waiting")]
    assert pauses_from_history(history, frozenset({"waiting", "resolved"}), now=d + H) == [(a, c), (d, d + H)]


def test_a_target_more_than_a_century_away_is_no_target():
    quarter_hour_a_week = Calendar("Europe/Berlin", (((480, 495),),) + ((),) * 6)
    targets = targets_for(Policy(targets={("", "resolution"): Target(10_000 * H)}), priority="normal",
                          calendar=quarter_hour_a_week, opened_at=MONDAY_9, now=MONDAY_9)
    assert targets.resolution is None


def test_targets_must_be_positive():
    with pytest.raises(ValueError):
        Target(timedelta(0))


# --- from the database -------------------------------------------------------------------------------------

def test_the_stored_policy_calendar_and_ola_become_values(people):
    admin = people.admin
    template = config_factories.template(admin, name="Technical")
    save_policy(admin, template.uuid, PolicyData(targets={"all_resolution": ("16", True),
                                                          "urgent_resolution": ("4", False)},
                                                 pause_categories=["waiting"], warn_percent=80))
    calendar = save_calendar(admin, None, CalendarData(
        name="Munich", time_zone="Europe/Berlin", country="DE", subdivision="BY",
        hours=["08:00-12:00, 13:00-17:00"] * 5 + ["", ""], closed_days="2026-12-24 Christmas Eve"))
    workgroup = Workgroup.create(name="Experts", calendar=calendar)
    save_ola(admin, workgroup.uuid, "2:30", True)

    policy = queries.policy_value(template)
    assert policy.target("resolution", "normal") == Target(16 * H, True)
    assert policy.target("resolution", "urgent") == Target(4 * H, False)
    assert policy.target("first_response", "normal") is None
    assert (policy.pause_categories, policy.warn_percent) == (frozenset({"waiting"}), 80)
    value = queries.workgroup_calendar(workgroup)
    assert value.hours == OFFICE.hours and value.country == "DE" and value.subdivision == "BY"
    assert not value.is_closed_day(datetime(2026, 12, 23).date()) and value.is_closed_day(datetime(2026, 12, 24).date())
    assert queries.ola_value(workgroup) == Target(timedelta(hours=2, minutes=30), True)


def test_a_workgroup_keeps_its_calendar_when_an_edit_does_not_mention_it(people):
    calendar = save_calendar(people.admin, None, CalendarData(name="Office", time_zone="Europe/Berlin",
                                                              hours=["09:00-17:00"] * 5 + ["", ""]))
    workgroup = Workgroup.create(name="Desk", calendar=calendar)
    update_workgroup(people.admin, workgroup.uuid, WorkgroupData(name="Front desk"))
    assert Workgroup.get_by_id(workgroup.id).calendar_id == calendar.id
    update_workgroup(people.admin, workgroup.uuid, WorkgroupData(name="Front desk", calendar=""))
    assert Workgroup.get_by_id(workgroup.id).calendar_id is None


def test_a_workgroup_without_a_calendar_works_around_the_clock(people):
    assert queries.workgroup_calendar(Workgroup.create(name="Night owls")) == ALWAYS_OPEN
    assert queries.workgroup_calendar(None) == ALWAYS_OPEN
    seeded = BusinessCalendar.get(BusinessCalendar.uuid == ALWAYS_OPEN_UUID)
    assert seeded.is_system and queries.calendar_value(seeded).hours == ALWAYS_OPEN.hours


def test_a_template_without_targets_has_no_policy(people):
    template = config_factories.template(people.admin, name="Plain")
    assert queries.policy_value(template) is None
    save_policy(people.admin, template.uuid, PolicyData(warn_percent=75))
    assert queries.policy_value(template) is None
