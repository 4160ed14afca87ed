"""Every route, walked from the URL map with real objects behind every URL variable and real CSRF
tokens, so the views really run: anonymous visitors reach only public pages, every role's hostile
values in every field the pages show never cause a server error, the walk provably reaches the
views that read forms, and a refused request changes nothing. New pages are covered without new
tests; exceptions are listed below with the reason."""

from __future__ import annotations

import io

import pytest

from tests.fixtures import csrf_token_from, post_form
from tests.fuzz.baseline import Baseline, data_tables, pop_flashes, refused
from tests.fuzz.walk import PUBLIC_ENDPOINTS, Visitor, form_catalogue, recording_form_reads, routes, walk_pages
from tests.fuzz.world import build_world

ROLES = ["customer", "proxy", "agent", "supervisor", "admin"]

# Each POST fills every field of the form with values of one kind, rotated over the fields (and
# shifted from route to route, so one-field forms meet different values of the kind).
HOSTILE = {
    "markup and SQL": ["<script>alert(1)</script>", "'; DROP TABLE \"case\"; --", '"><img src=x onerror=alert(1)>',
                       "' OR '1'='1", "{{ 7*7 }}{% for x in y %}", "1) UNION SELECT password_hash FROM \"user\" --"],
    "non-ASCII": ["ż" * 3000, "١٢٣٤", "\u202egnp.exe", "😀" * 500, "²³", "Ⅻ"],
    "very long": ["x" * 20_000, "9" * 5_000, " " * 10_000 + "a"],
    "numbers": ["-1", "-99999999999999999999999", "99999999999999999999999999", "1e309", "NaN", "0x1F", "-0",
                "9223372036854775808", "1.5", "sNaN", "Infinity"],
    "dates and UUIDs": ["2026-02-30", "0000-01-01", "9999-12-31T23:59", "10000-01-01", "2026-13-45T25:61",
                        "0001-01-01T00:00", "not-a-uuid", "{00000000-0000-4000-8000-000000000000}",
                        "00000000-0000-4000-8000-00000000000G", "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF"],
    "empty": [""],
}
# GET pages that answer the admin with something other than 200, and why.
NOT_A_PAGE_FOR_THE_ADMIN = {
    "home.index": "the start page redirects to the dashboard",
    "accounts.login": "signed in already: redirects to the start page",
    "accounts.signup": "signed in already: redirects to the start page",
    "cases.new_from_template": "staff first choose the customer (the walk opens it with one among the extra pages)",
    "people.colleagues": "only account managers (customers) have colleagues to invite: 404 for everyone else",
    "sso.callback": "an identity provider's answer; the walk configures none (tests/sso runs a real one): 404",
    "sso.signed_out": "shown once right after signing out at an identity provider; otherwise redirects to sign-in",
    "mfa.verify": "only while a sign-in waits for the second factor; otherwise redirects to sign-in (tests/mfa)",
    "mfa.enrol_required": "only while a sign-in waits for a mandatory enrolment; otherwise redirects to sign-in",
}
# Every POST endpoint's form is on some page the walk opens, except these.
NO_FORM_ON_ANY_PAGE: dict[str, str] = {
    "sso.start": "the sign-in buttons show only with an identity provider configured; tests/sso runs a real one",
    "passkeys.registration_options": "JSON that static/js/passkeys.js posts the add form's fields to (tests/passkeys)",
    "passkeys.sign_in_options": "JSON that static/js/passkeys.js posts to from the sign-in page (tests/passkeys)",
    "passkeys.second_factor_options": "JSON that static/js/passkeys.js posts to from the verify page (tests/passkeys)",
    "passkeys.second_factor": "on the verify page of a pending sign-in only; tests/passkeys/test_second_factor.py",
    "passkeys.rename": "shown to a passkey's owner, who would sign in in two steps (tests/passkeys)",
    "passkeys.remove": "shown to a passkey's owner, who would sign in in two steps (tests/passkeys)",
    "mfa.enrol_required": "on the mandatory enrolment page of a pending sign-in only (tests/mfa)",
    "admin.user_second_factor_reset": "shown for users with a second factor, who would sign in in two steps",
    "mfa.verify_code": "on the verify page of a pending sign-in only (tests/mfa)",
    "mfa.verify_recovery": "on the verify page of a pending sign-in only (tests/mfa)",
    "mfa.cancel": "on the verify and enrolment pages of a pending sign-in only (tests/mfa)",
    "mfa.new_recovery_codes": "shown once the walker's user has an authenticator app, which would add a sign-in step",
    "mfa.disable": "shown once the walker's user has an authenticator app (tests/mfa)",
    "mfa.forget_device": "shown once the walker's user has an authenticator app (tests/mfa)",
    "mfa.forget_all_devices": "shown once the walker's user has an authenticator app (tests/mfa)",
}
# POST endpoints whose view needs nothing but the URL: CSRFProtect reads the token before the view
# runs and the view never reads the form. They must still answer without a server error.
URL_ONLY = {
    "customers.set_asset_active": "activate/deactivate button",
    "teams.set_active": "activate/deactivate button",
    "teams.remove_member": "remove button",
    "admin.user_active": "deactivate/reactivate button",
    "admin.user_invitation": "send-the-invitation-again button",
    "outbox_views.requeue": "requeue button",
    "mail_in.retry": "retry button of a held or failed email",
    "mail_in.discard": "discard button of a held or failed email",
    "notification_preferences.unsubscribe_now": "one-click unsubscribe: the signed token in the URL says it all",
    "accounts.logout": "sign-out button",
    "accounts.sign_out_everywhere": "sign-out-everywhere button",
}
# Pages for signed-out visitors only: they send a signed-in admin away before reading the form (the
# anonymous walk reads them).
SIGNED_OUT_ONLY = {"accounts.signup": "signing up while signed in makes no sense: redirects to the start page",
                   "sso.start": "signing in with an identity provider while signed in: redirects to the start page",
                   "passkeys.sign_in": "signing in with a passkey while signed in: redirects to the start page",
                   "passkeys.sign_in_options": "a passkey sign-in's challenge while signed in: refused (409)",
                   "passkeys.second_factor_options": "the second step of a sign-in pending in this browser only: 401",
                   "passkeys.second_factor": "the second step of a sign-in pending in this browser only",
                   "mfa.verify_code": "a code for a pending sign-in: without one, redirects to sign-in (tests/mfa)",
                   "mfa.verify_recovery": "a code for a pending sign-in: without one, redirects to sign-in",
                   "mfa.enrol_required": "the enrolment of a pending sign-in: without one, redirects to sign-in"}
# Walked last: it ends the session the walk needs (the visitor signs in again, but why bother).
LAST = "accounts.logout"


@pytest.fixture
def world(app, people):
    return build_world(app, people)


def test_anonymous_visitors_are_sent_to_sign_in_from_every_non_public_page(app, client, world):
    for route in routes(app, world):
        if "GET" not in route.methods or route.endpoint in PUBLIC_ENDPOINTS:
            continue
        response = client.get(route.url)
        assert response.status_code == 302, f"{route.endpoint} {route.url} answered {response.status_code}"
        assert "/login" in response.headers["Location"], f"{route.endpoint} redirects elsewhere"


def test_anonymous_posts_with_a_valid_token_are_sent_to_sign_in_and_change_nothing(app, client, world):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    baseline = Baseline()
    for route in routes(app, world):
        if "POST" not in route.methods or route.endpoint in PUBLIC_ENDPOINTS:
            continue
        response = client.post(route.url, data={"csrf_token": token})
        assert response.status_code == 302, f"{route.endpoint} {route.url} answered {response.status_code}"
        assert "/login" in response.headers["Location"], f"{route.endpoint} redirects elsewhere"
    assert data_tables(baseline.changed()) == []


def test_signed_in_posts_without_a_csrf_token_are_refused_everywhere(app, client, login, people, world):
    login(people.admin)
    baseline = Baseline()
    for route in routes(app, world):
        if "POST" not in route.methods or route.endpoint == "notification_preferences.unsubscribe_now":
            continue  # one-click unsubscribe is exempt: the signed token in the URL is the authority
        response = client.post(route.url, data={})
        assert response.status_code == 400, f"{route.endpoint} {route.url} accepted a POST without a CSRF token"
    assert data_tables(baseline.changed()) == []


def test_every_url_variable_names_a_real_object_the_admin_can_open(app, client, login, people, world):
    login(people.admin)
    for route in routes(app, world):
        if "GET" in route.methods and route.endpoint not in NOT_A_PAGE_FOR_THE_ADMIN:
            response = client.get(route.url)
            assert response.status_code == 200, f"{route.endpoint} {route.url} answered {response.status_code}"


def hostile_form(fields: dict, values: list[str], token: str, offset: int) -> dict:
    data = {"csrf_token": token}
    for position, (name, kind) in enumerate(sorted((name, f.kind) for name, f in fields.items())):
        value = values[(position + offset) % len(values)]
        if kind == "csrf":
            data[name] = token  # a prefixed form checks its own copy of the token
        elif kind == "file":
            data[name] = (io.BytesIO(value.encode() or b"\x00"), (value or "empty")[:300] + ".png")
        else:
            data[name] = value
    return data


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_hostile_values_in_every_form_never_fail_and_refusals_change_nothing(app, world, people, role):
    visitor = Visitor(app, None if role == "anonymous" else people.by_role(role))
    own = walk_pages(app, visitor.ready()[0], world)
    catalogue = form_catalogue(app, world, people).post_fields
    app.config["PROPAGATE_UNEXPECTED"] = False  # collect every failure; each one's traceback is logged
    failures, changes, succeeded = [], [], set()
    posts = sorted((r for r in routes(app, world) if "POST" in r.methods), key=lambda r: r.endpoint == LAST)
    baseline = Baseline()
    with recording_form_reads(app) as reads:
        for offset, route in enumerate(posts):
            for kind, values in HOSTILE.items():
                restarting = visitor.restarts()  # signed in again: the new session is part of the world now
                client, token = visitor.ready()
                if restarting:
                    baseline = Baseline()
                data = hostile_form(catalogue.get(route.endpoint, {}), values, token, offset)
                response = client.post(own.action_for(route.endpoint, route.url), data=data)
                changed = baseline.changed()
                if response.status_code >= 500:
                    failures.append(f"{route.endpoint} answered {response.status_code} to {kind} values")
                elif refused(response, pop_flashes(client)):
                    if data_tables(changed):
                        changes.append(f"{route.endpoint} refused {kind} values but changed {data_tables(changed)}")
                elif "/login" not in response.headers.get("Location", "/login"):
                    succeeded.add(route.endpoint)
                if changed:
                    baseline.restore(changed)
    assert failures == []
    assert changes == []
    shown = set(own.post_fields) - set(URL_ONLY)
    assert shown - reads.read == set(), "forms this role's pages show, whose view never read the posted form"
    if role == "admin":
        assert_the_walk_reads_nearly_every_form(app, world, reads, succeeded, catalogue)


def assert_the_walk_reads_nearly_every_form(app, world, reads, succeeded, catalogue) -> None:
    """The floor that keeps the walk honest: if URLs stopped naming real objects, tokens stopped
    being valid or pages stopped showing the forms, views would stop reading forms and this fails."""
    posts = {r.endpoint for r in routes(app, world) if "POST" in r.methods}
    unseen = posts - set(catalogue) - set(NO_FORM_ON_ANY_PAGE)
    assert unseen == set(), f"no page the walk opens shows a form posting to {sorted(unseen)}"
    unread = posts - reads.read - set(URL_ONLY) - set(SIGNED_OUT_ONLY)
    assert unread == set(), f"the admin's walk never got these views to read the form: {sorted(unread)}"
    with_forms = posts - set(URL_ONLY)
    assert len(reads.read & with_forms) >= 0.9 * len(with_forms), "the allow-lists have eaten the walk"
    # Signing out (here or everywhere) succeeds by sending to sign in, and one-click unsubscribe is a
    # signed-out action.
    actions = set(URL_ONLY) - {"accounts.logout", "accounts.sign_out_everywhere",
                               "notification_preferences.unsubscribe_now"}
    assert actions - succeeded == set(), "a URL-only action never succeeded"


def test_signing_out_works_from_any_page(client, login, people):
    login(people.customer)
    assert post_form(client, "/logout", {}, page="/account").status_code == 302


@pytest.mark.parametrize("where", ["path", "query", "form"])
def test_nul_bytes_are_refused_with_a_message_before_they_reach_the_database(client, login, people, where):
    login(people.admin)
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    if where == "path":
        response = client.get("/cases/1234%00")
    elif where == "query":
        response = client.get("/notifications/outbox?address=a%00b")
    else:
        response = client.post("/account", data={"csrf_token": token, "display_name": "Ada\x00", "time_zone": "UTC"})
    assert response.status_code == 400
    assert "invisible control characters" in response.get_data(as_text=True)
