"""What the fuzz found: each input that gave a server error, as a plain regression test of the
answer it gets now (a refusal with a message, or the page it asked for)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.models.cases import CaseEvent, CaseFeedback
from portal.models.configuration import CaseField
from tests.fixtures import post_form

# --- version numbers past 64 bits: SQLite cannot compare them (OverflowError) ---------------------


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_a_template_version_number_past_any_real_one_is_not_found(client, login, people, world, number):
    login(people.admin)
    base = "/admin/notifications/templates/case_created/email/versions"
    assert client.get(f"{base}/{number}").status_code == 404
    response = post_form(client, f"{base}/{number}/restore", {}, page=base)
    assert response.status_code == 404


def test_real_template_versions_still_open(client, login, people, world):
    login(people.admin)
    number = world.values["number"]
    assert client.get(f"/admin/notifications/templates/case_created/email/versions/{number}").status_code == 200


# --- a rating of digits int() cannot read: "²" is a digit to str.isdigit(), 5,000 nines too many ---


@pytest.mark.parametrize("rating", ["²", "9" * 5000, "+5", "٩" * 5000])
def test_a_forged_rating_is_refused_with_the_rating_message(client, login, people, world, rating):
    login(people.customer)
    url = f"/cases/{world.cases['resolved']}"
    response = post_form(client, f"{url}/resolution/accept", {"rating": rating}, page=url)
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5." in response.get_data(as_text=True)
    assert CaseFeedback.select().count() == 0


def test_a_real_rating_still_closes_the_case(client, login, people, world):
    login(people.customer)
    url = f"/cases/{world.cases['resolved']}"
    assert post_form(client, f"{url}/resolution/accept", {"rating": "4"}, page=url).status_code == 302
    assert CaseFeedback.get().rating == 4


# --- field limits: a maximum length of "²", a minimum that only overflows numeric(20, 6) when rounded --


def new_field(client, **values):
    data = {"label": "Odd", "key": "odd", "field_type": "text", "number_kind": "integer", "visibility": "customer",
            **values}
    return post_form(client, "/admin/fields/new", data)


@pytest.mark.parametrize("max_length", ["²", "½", "⑤"])
def test_a_maximum_length_that_is_no_whole_number_is_refused(client, login, people, world, max_length):
    login(people.admin)
    response = new_field(client, max_length=max_length)
    assert response.status_code == 400
    assert "Enter a whole number from 1 to 10000." in response.get_data(as_text=True)
    assert not CaseField.select().where(CaseField.key == "odd").exists()


def test_a_maximum_length_in_other_digits_is_read_like_any_whole_number(client, login, people, world):
    login(people.admin)
    assert new_field(client, max_length="١٢").status_code == 302
    assert CaseField.get(CaseField.key == "odd").max_length == 12


@pytest.mark.parametrize("limit", ["min_value", "max_value"])
@pytest.mark.parametrize("value", ["99999999999999.9999999", "0.0000001", "1e-7"])
def test_a_limit_with_more_than_six_decimal_places_is_refused(client, login, people, world, limit, value):
    login(people.admin)
    response = new_field(client, field_type="number", number_kind="decimal", **{limit: value})
    assert response.status_code == 400
    assert "Use at most 6 decimal places." in response.get_data(as_text=True)
    assert not CaseField.select().where(CaseField.key == "odd").exists()


def test_a_limit_with_six_decimal_places_is_kept(client, login, people, world):
    login(people.admin)
    assert new_field(client, field_type="number", number_kind="decimal", min_value="-1e13",
                     max_value="12345678.123456").status_code == 302
    field = CaseField.get(CaseField.key == "odd")
    assert (field.min_value, str(field.max_value)) == (-(10**13), "12345678.123456")


# --- a contact time at the ends of the calendar: converting it between zones overflowed -------------


@pytest.mark.parametrize("zone, when", [("Pacific/Pago_Pago", "0001-01-01T00:00"), ("UTC", "0001-01-01T00:00"),
                                        ("Pacific/Kiritimati", "9999-12-31T23:59"), ("UTC", "1969-12-31T23:59")])
def test_a_contact_time_outside_living_memory_is_refused(client, login, people, world, zone, when):
    people.admin.time_zone = zone
    people.admin.save()
    login(people.admin)
    url = f"/cases/{world.cases['open']}"
    response = post_form(client, f"/staff{url}/contacts", {"contact-channel": "phone", "contact-direction": "inbound",
                                                           "contact-summary": "Called", "contact-contacted_at": when},
                         page=url)
    assert response.status_code == 400
    assert "Enter a time between 1970 and now." in response.get_data(as_text=True)
    assert not CaseEvent.select().where(CaseEvent.kind == "contact_logged").exists()


def test_a_contact_time_of_yesterday_is_logged_in_utc(client, login, people, world):
    people.admin.time_zone = "Pacific/Kiritimati"
    people.admin.save()
    login(people.admin)
    url = f"/cases/{world.cases['open']}"
    local = (datetime.now(UTC) + timedelta(hours=14) - timedelta(days=1)).replace(second=0, microsecond=0)
    response = post_form(client, f"/staff{url}/contacts", {"contact-channel": "phone", "contact-direction": "inbound",
                                                           "contact-summary": "Called",
                                                           "contact-contacted_at": local.strftime("%Y-%m-%dT%H:%M")},
                         page=url)
    assert response.status_code == 302
    logged = CaseEvent.get(CaseEvent.kind == "contact_logged")
    assert datetime.fromisoformat(logged.data["contacted_at"]) == (local - timedelta(hours=14))
