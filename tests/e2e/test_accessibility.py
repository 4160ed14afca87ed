"""Accessibility, proved: axe-core checks every kind of page each role reaches, in English and German,
at desktop and phone width, and fails on any WCAG 2.2 A/AA violation axe can detect.

axe finds about a third of WCAG problems (contrast, names, labels, landmarks, ARIA misuse, target size);
keyboard journeys and focus management are tested in the other browser tests."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from portal.models.people import Customer
from tests import factories
from tests.case_config import factories as config_factories

AXE = Axe()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 640}}


def violations(page) -> list[str]:
    result = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                    "resultTypes": ["violations"]})
    found = []
    for violation in result.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


@pytest.fixture
def sample(people):
    desk = factories.workgroup(people.agent, people.supervisor, name="Service desk")
    template = config_factories.template(people.admin, name="Broken device", description="Something stopped working.",
                                         default_workgroup=desk)
    case = factories.case(people.customer, template=template, workgroup=desk, title="Printer prints blank pages")
    profile = Customer.get(Customer.user == people.customer)
    return {"case": case, "template": template, "desk": desk, "profile": profile}


def pages_of(role: str, sample) -> list[str]:
    case = sample["case"].reference
    common = ["/account", "/account/password", "/account/notifications"]
    if role == "visitor":
        return ["/login", "/signup", "/reset-password", "/verify-email/resend", "/api/v1/reference"]
    if role == "customer":
        return ["/cases", "/cases/new", f"/cases/new/{sample['template'].uuid}", f"/cases/{case}", *common]
    if role == "agent":
        return ["/staff/", "/staff/search?q=printer", f"/cases/{case}", "/customers/",
                f"/customers/{sample['profile'].uuid}", "/customers/new", "/customers/accounts/",
                "/notifications/outbox", "/notifications/mailbox", *common]
    if role == "supervisor":
        return ["/staff/supervisor", "/reports/"]
    return ["/admin/", "/admin/fields", "/admin/fields/new", "/admin/templates", "/admin/templates/new",
            f"/admin/templates/{sample['template'].uuid}", "/admin/statuses", "/admin/reasons", "/admin/users",
            "/admin/users/invite", "/admin/users/changes", "/admin/workgroups/",
            f"/admin/workgroups/{sample['desk'].uuid}",
            "/admin/notifications", "/admin/notifications/rules", "/admin/notifications/templates/case_created/email"]


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("role", ["visitor", "customer", "agent", "supervisor", "admin"])
def test_every_page_passes_axe_at_desktop_and_phone_width(page, live_server, people, sample, login_as, role, language):
    page.context.set_extra_http_headers({"Accept-Language": language})
    if role != "visitor":
        user = getattr(people, role)
        user.language = language
        user.save()
        login_as(user)
    problems = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for path in pages_of(role, sample):
            response = page.goto(live_server + path)
            assert response.status == 200, f"{path}: {response.status}"
            problems += [f"{path} [{size}] {problem}" for problem in violations(page)]
    assert not problems, "\n".join(problems)
