"""The service-level admin pages: calendars, SLA policies per template, OLA per workgroup. Admins only; bad input
gets messages next to the fields, never a 500; the pages speak German."""

import pytest

from portal.models.calendars import ALWAYS_OPEN_UUID, BusinessCalendar, ClosedDay, WorkingHours
from portal.models.service_levels import OlaTarget, SlaPolicy, SlaTarget
from portal.models.teams import Workgroup
from tests.case_config import factories as config_factories
from tests.fixtures import post_form

NOT_ADMINS = ["customer", "proxy", "agent", "supervisor"]
GOOD_CALENDAR = {"name": "Berlin office", "time_zone": "Europe/Berlin", "country": "DE", "subdivision": "BY",
                 "monday": "08:00-12:00, 13:00-17:00", "tuesday": "08:00-17:00", "wednesday": "", "thursday": "",
                 "friday": "08:00-12:00", "saturday": "", "sunday": "",
                 "closed_days": "2026-12-24 Christmas Eve\n2026-12-31 New Year's Eve"}


@pytest.fixture
def ids(people):
    workgroup = Workgroup.create(name="Service desk")
    template = config_factories.template(people.admin, name="Technical")
    return {"wg": workgroup.uuid, "template": template.uuid, "system": ALWAYS_OPEN_UUID}


PAGES = ["/admin/service-levels/", "/admin/service-levels/calendars/new", "/admin/service-levels/calendars/{system}",
         "/admin/service-levels/templates/{template}", "/admin/service-levels/workgroups/{wg}"]
POSTS = [
    ("/admin/service-levels/calendars/new", GOOD_CALENDAR),
    ("/admin/service-levels/templates/{template}", {"all_resolution": "16", "all_resolution_business": "y",
                                                    "warn_percent": "75"}),
    ("/admin/service-levels/workgroups/{wg}", {"duration": "12", "business_time": "y"}),
]


def _nothing_saved():
    return (BusinessCalendar.select().count() == 1 and SlaPolicy.select().count() == 0
            and OlaTarget.select().count() == 0)


@pytest.mark.parametrize("url", PAGES)
def test_admins_open_every_page(client, login, people, ids, url):
    login(people.admin)
    assert client.get(url.format(**ids)).status_code == 200


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", NOT_ADMINS)
def test_everybody_else_gets_not_found(client, login, people, ids, role, url):
    login(people.by_role(role))
    assert client.get(url.format(**ids)).status_code == 404


@pytest.mark.parametrize("url, data", POSTS)
@pytest.mark.parametrize("role", NOT_ADMINS)
def test_everybody_else_cannot_post(client, login, people, ids, role, url, data):
    login(people.by_role(role))
    assert post_form(client, url.format(**ids), data, page="/account").status_code == 404
    assert _nothing_saved()


@pytest.mark.parametrize("url, data", POSTS)
def test_posts_without_a_csrf_token_are_refused(client, login, people, ids, url, data):
    login(people.admin)
    assert client.post(url.format(**ids), data=data).status_code == 400
    assert _nothing_saved()


@pytest.mark.parametrize("url, data", POSTS)
def test_admins_save_and_are_sent_to_the_overview(client, login, people, ids, url, data):
    login(people.admin)
    response = post_form(client, url.format(**ids), data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/service-levels/")


def test_a_calendar_is_stored_with_split_days_holidays_and_closed_days(client, login, people):
    login(people.admin)
    assert post_form(client, "/admin/service-levels/calendars/new", GOOD_CALENDAR).status_code == 302
    calendar = BusinessCalendar.get(BusinessCalendar.name == "Berlin office")
    assert (calendar.time_zone, calendar.country, calendar.subdivision) == ("Europe/Berlin", "DE", "BY")
    hours = [(h.weekday, h.start_minute, h.end_minute) for h in
             WorkingHours.select().where(WorkingHours.calendar == calendar).order_by(WorkingHours.weekday,
                                                                                     WorkingHours.start_minute)]
    assert hours == [(0, 480, 720), (0, 780, 1020), (1, 480, 1020), (4, 480, 720)]
    assert [(str(d.day), d.label) for d in ClosedDay.select().where(ClosedDay.calendar == calendar)
            .order_by(ClosedDay.day)] == [("2026-12-24", "Christmas Eve"), ("2026-12-31", "New Year's Eve")]
    page = client.get(f"/admin/service-levels/calendars/{calendar.uuid}").get_data(as_text=True)
    assert 'value="08:00-12:00, 13:00-17:00"' in page and "2026-12-24 Christmas Eve" in page


@pytest.mark.parametrize("changes, field, message", [
    ({"monday": "12:00-08:00"}, "monday", "ends before it starts"),
    ({"monday": "08:00-12:00, 11:00-14:00"}, "monday", "The intervals overlap."),
    ({"monday": "8 to 5"}, "monday", "Use times like 08:00-12:00"),
    ({"monday": ", ".join(f"{h:02d}:00-{h:02d}:30" for h in range(7))}, "monday", "Use at most 6 intervals a day."),
    ({"closed_days": "2026-12-24 " + "x" * 121}, "closed_days", "Line 1: use at most 120 characters for the name."),
    ({"monday": "08:00-25:00"}, "monday", "Use times like 08:00-12:00"),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Choose a time zone from the list."),
    ({"country": "XX"}, "country", "Choose a country from the list, or none."),
    ({"subdivision": "ZZ"}, "subdivision", "has no region with the code ZZ"),
    ({"country": "", "subdivision": "BY"}, "subdivision", "Choose the country first."),
    ({"closed_days": "24.12.2026 Christmas"}, "closed_days", "Line 1: start with a date like 2026-12-24"),
    ({"closed_days": "2026-02-30 Nothing"}, "closed_days", "Line 1: start with a date"),
    ({"closed_days": "2026-12-24 A\n2026-12-24 B"}, "closed_days", "Line 2: 2026-12-24 is listed twice."),
    ({"monday": "", "tuesday": "", "friday": ""}, "monday", "Enter working hours for at least one day."),
    ({"name": "24x7"}, "name", "Another calendar already has this name."),
])
def test_bad_calendar_input_gets_a_message_next_to_the_field(client, login, people, changes, field, message):
    login(people.admin)
    response = post_form(client, "/admin/service-levels/calendars/new", {**GOOD_CALENDAR, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert BusinessCalendar.select().count() == 1


def test_control_characters_in_closed_days_are_refused(client, login, people):
    login(people.admin)
    data = {**GOOD_CALENDAR, "closed_days": "2026-12-24 \x00"}
    assert post_form(client, "/admin/service-levels/calendars/new", data).status_code == 400
    assert BusinessCalendar.select().count() == 1


def test_the_24x7_calendar_cannot_be_changed(client, login, people):
    login(people.admin)
    url = f"/admin/service-levels/calendars/{ALWAYS_OPEN_UUID}"
    response = post_form(client, url, GOOD_CALENDAR, page="/admin/service-levels/")
    assert response.status_code == 403
    assert BusinessCalendar.get(BusinessCalendar.uuid == ALWAYS_OPEN_UUID).name == "24x7"
    assert WorkingHours.select().count() == 7


def test_a_policy_keeps_the_template_row_and_priority_overrides(client, login, people, ids):
    login(people.admin)
    url = f"/admin/service-levels/templates/{ids['template']}"
    response = post_form(client, url, {"all_first_response": "4", "all_first_response_business": "y",
                                       "all_resolution": "16", "all_resolution_business": "y",
                                       "urgent_resolution": "2:30", "pause_categories": ["waiting"],
                                       "warn_percent": "80"})
    assert response.status_code == 302
    policy = SlaPolicy.get()
    assert (policy.pause_categories, policy.warn_percent) == ("waiting", 80)
    assert sorted((t.priority, t.metric, t.minutes, t.business_time) for t in SlaTarget.select()) == [
        ("", "first_response", 240, True), ("", "resolution", 960, True), ("urgent", "resolution", 150, False)]
    page = client.get(url).get_data(as_text=True)
    assert 'value="2:30"' in page


@pytest.mark.parametrize("value, message", [("0", "longer than zero"), ("-4", "Enter hours, like 16"),
                                            ("1:75", "Enter hours, like 16"), ("abc", "Enter hours, like 16"),
                                            ("9999999", "Enter hours, like 16"),
                                            ("20000", "Enter at most 10000 hours.")])
def test_bad_durations_get_messages(client, login, people, ids, value, message):
    login(people.admin)
    url = f"/admin/service-levels/templates/{ids['template']}"
    response = post_form(client, url, {"high_next_response": value, "warn_percent": "75"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert 'id="high_next_response-error"' in response.get_data(as_text=True)
    response = post_form(client, f"/admin/service-levels/workgroups/{ids['wg']}", {"duration": value})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _nothing_saved()


@pytest.mark.parametrize("data", [{"warn_percent": "0"}, {"warn_percent": "101"}, {"warn_percent": "x"},
                                  {"warn_percent": "75", "pause_categories": ["sleeping"]}])
def test_bad_warning_shares_and_categories_are_refused(client, login, people, ids, data):
    login(people.admin)
    response = post_form(client, f"/admin/service-levels/templates/{ids['template']}", data)
    assert response.status_code == 400
    assert SlaPolicy.select().count() == 0


def test_an_ola_is_set_changed_and_removed(client, login, people, ids):
    login(people.admin)
    url = f"/admin/service-levels/workgroups/{ids['wg']}"
    post_form(client, url, {"duration": "12", "business_time": "y"})
    assert (OlaTarget.get().minutes, OlaTarget.get().business_time) == (720, True)
    post_form(client, url, {"duration": "8"})
    assert (OlaTarget.get().minutes, OlaTarget.get().business_time) == (480, False)
    post_form(client, url, {"duration": ""})
    assert OlaTarget.select().count() == 0


def test_the_overview_shows_calendars_targets_and_escalation_targets(client, login, people, ids):
    login(people.admin)
    post_form(client, "/admin/service-levels/calendars/new", GOOD_CALENDAR)
    post_form(client, f"/admin/workgroups/{ids['wg']}/edit", {
        "name": "Service desk", "calendar": BusinessCalendar.get(BusinessCalendar.name == "Berlin office").uuid})
    Workgroup.create(name="Night shift")
    post_form(client, f"/admin/service-levels/templates/{ids['template']}", {
        "all_resolution": "16", "all_resolution_business": "y", "urgent_resolution": "4", "warn_percent": "75"})
    post_form(client, f"/admin/service-levels/workgroups/{ids['wg']}", {"duration": "1:30", "business_time": "y"})
    page = client.get("/admin/service-levels/").get_data(as_text=True)
    assert "Berlin office" in page and "Europe/Berlin" in page and "DE-BY" in page
    assert "16 h business time" in page and "1 for a priority" in page
    assert "1:30 h business time" in page
    assert "24x7 (no calendar chosen)" in page  # the night shift
    assert page.count("None (set one)") == 1


def test_unknown_ids_are_not_found(client, login, people):
    login(people.admin)
    for url in ["/admin/service-levels/calendars/7a1e4f0c-0000-4000-8000-000000000000",
                "/admin/service-levels/templates/7a1e4f0c-0000-4000-8000-000000000000",
                "/admin/service-levels/workgroups/7a1e4f0c-0000-4000-8000-000000000000"]:
        assert client.get(url).status_code == 404


def test_a_workgroup_gets_a_calendar_on_its_edit_page(client, login, people, ids):
    login(people.admin)
    post_form(client, "/admin/service-levels/calendars/new", GOOD_CALENDAR)
    calendar = BusinessCalendar.get(BusinessCalendar.name == "Berlin office")
    response = post_form(client, f"/admin/workgroups/{ids['wg']}/edit",
                         {"name": "Service desk", "calendar": calendar.uuid})
    assert response.status_code == 302
    assert Workgroup.get(Workgroup.uuid == ids["wg"]).calendar_id == calendar.id
    assert "Berlin office" in client.get(f"/admin/workgroups/{ids['wg']}").get_data(as_text=True)
    response = post_form(client, f"/admin/workgroups/{ids['wg']}/edit", {"name": "Service desk", "calendar": "nope"})
    assert response.status_code == 400 and "Choose a calendar from the list." in response.get_data(as_text=True)


def test_the_navigation_links_service_levels_for_admins(client, login, people):
    login(people.admin)
    assert 'href="/admin/service-levels/"' in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_the_navigation_has_no_service_levels_for_supervisors(client, login, people):
    login(people.supervisor)
    assert 'href="/admin/service-levels/"' not in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_the_template_page_links_its_service_levels(client, login, people, ids):
    login(people.admin)
    page = client.get(f"/admin/templates/{ids['template']}").get_data(as_text=True)
    assert f"/admin/service-levels/templates/{ids['template']}" in page


def test_the_pages_speak_german(client, login, people, ids):
    people.admin.language = "de"
    people.admin.save()
    login(people.admin)
    german = {}
    overview = client.get("/admin/service-levels/", headers=german).get_data(as_text=True)
    assert "Geschäftszeiten-Kalender" in overview
    page = client.get(f"/admin/service-levels/templates/{ids['template']}", headers=german).get_data(as_text=True)
    assert "Erste Antwort" in page
    response = post_form(client, "/admin/service-levels/calendars/new", {**GOOD_CALENDAR, "monday": "12:00-08:00"},
                         headers=german)
    assert "endet, bevor es beginnt" in response.get_data(as_text=True)
