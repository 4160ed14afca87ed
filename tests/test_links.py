"""Absolute links in messages come from the app's own URL rules under BASE_URL: the same URL a page's
url_for(..., _external=True) gives behind that address, with no request needed."""

import pytest
from flask import url_for
from werkzeug.routing import BuildError

from portal.links import absolute

LINKS = [
    ("cases.detail", {"reference": "12345678"}),
    ("accounts.reset_password", {"token": "Zm9v-YmFy_.baz"}),
    ("accounts.verify_email_form", {"token": "abc"}),
    ("accounts.login", {}),
    ("accounts.request_reset", {}),
    ("notification_preferences.unsubscribe", {"token": "eyJ1IjoiYSJ9.sig"}),
]


@pytest.mark.parametrize("base_url", ["http://portal.test", "https://example.com/portal/", "http://127.0.0.1:5000"])
@pytest.mark.parametrize(("endpoint", "values"), LINKS)
def test_a_link_is_the_pages_own_url_under_the_base_url(app, base_url, endpoint, values):
    app.config["BASE_URL"] = base_url
    with app.test_request_context("/", base_url=base_url):
        expected = url_for(endpoint, _external=True, **values)
    assert absolute(endpoint, **values) == expected
    assert expected.startswith(base_url.rstrip("/") + "/")


def test_a_case_link_is_the_case_page(app):
    assert absolute("cases.detail", reference="12345678") == "http://portal.test/cases/12345678"


def test_an_unknown_endpoint_is_a_programming_error(app):
    with pytest.raises(BuildError):
        absolute("cases.no_such_page")
