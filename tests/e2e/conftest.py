"""Browser tests: the app on a live server on 127.0.0.1, driven by Playwright in the system Chromium.

Without /usr/bin/chromium these tests skip, unless CASEPORT_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from tests import factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CASEPORT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: install it with apt-get install chromium")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server(app):
    """The app served on a free port of 127.0.0.1 for this test; stopped when the test ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def login_as(page, live_server):
    """login_as(user) signs the browser in through the sign-in form."""

    def _login(user, password: str = factories.PASSWORD):
        page.goto(f"{live_server}/login")
        # By the fields' ids: the page may be in any language (the browser's Accept-Language).
        page.locator("#email").fill(user.email)
        page.locator("#password").fill(password)
        page.locator("main form:has(#password) button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)

    return _login
