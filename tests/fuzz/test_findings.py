"""What the fuzz found: each input that gave a server error, as a plain regression test of the
answer it gets now (a refusal with a message, or the page it asked for)."""

from __future__ import annotations

import pytest

from portal.models.cases import CaseFeedback
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
