"""What the fuzz found: each input that gave a server error, as a plain regression test of the
answer it gets now (a refusal with a message, or the page it asked for)."""

from __future__ import annotations

import pytest

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
