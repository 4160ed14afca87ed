"""Templates build links with a url_for that remembers each address (portal.web._remembering_url_for):
every address is the one app.url_for builds, whatever was built before, under any script root."""

from __future__ import annotations

import uuid

import pytest

CALLS = [
    ("cases.dashboard", {}),
    ("cases.dashboard", {"category": "open", "page": 2}),
    ("cases.dashboard", {"page": 2, "category": "open"}),  # the same, in another order
    ("cases.dashboard", {"page": True}),
    ("cases.dashboard", {"page": 1}),
    ("cases.dashboard", {"page": 1.0}),
    ("cases.dashboard", {"q": "ä & b/c?d=e", "sort": "title", "order": "asc", "status": None}),
    ("cases.dashboard", {"template": uuid.UUID("12345678-1234-5678-1234-567812345678")}),
    ("cases.detail", {"reference": "12345678"}),
    ("cases.detail", {"reference": "12345678", "tab": ["a", "b"]}),  # a list: not remembered
    ("cases.detail", {"reference": "12345678", "_anchor": "comments"}),
    ("cases.detail", {"reference": "12345678", "_external": True}),
    ("static", {"filename": "css/caseport.css"}),
]


@pytest.mark.parametrize("base_url", ["http://localhost/", "http://portal.test/prefix/"])
def test_every_address_is_what_app_url_for_builds(app, base_url):
    remembering = app.jinja_env.globals["url_for"]
    assert remembering is not app.url_for
    for _ in range(2):  # the second time from what was remembered
        for endpoint, values in CALLS:
            with app.test_request_context("/cases", base_url=base_url):
                assert remembering(endpoint, **values) == app.url_for(endpoint, **values), (endpoint, values)


def test_a_script_root_is_part_of_what_is_remembered(app):
    remembering = app.jinja_env.globals["url_for"]
    with app.test_request_context("/cases", base_url="http://localhost/"):
        assert remembering("cases.dashboard", page=2) == "/cases?page=2"
    with app.test_request_context("/cases", base_url="http://localhost/portal/"):
        assert remembering("cases.dashboard", page=2) == "/portal/cases?page=2"


def test_true_one_and_one_point_zero_are_different_addresses(app):
    remembering = app.jinja_env.globals["url_for"]
    with app.test_request_context("/cases"):
        assert [remembering("cases.dashboard", page=value) for value in (1, True, 1.0, 1)] == [
            "/cases?page=1", "/cases?page=True", "/cases?page=1.0", "/cases?page=1"]
