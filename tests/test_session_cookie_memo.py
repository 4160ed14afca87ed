"""The session cookie's content is remembered once its signature was checked (portal.web,
RememberingSessionInterface): a remembered cookie must sign in exactly when checking it in full would.
An altered cookie, a cookie past its age, a cookie signed with a key the app no longer has, and one
whose remembered values a request changed, all answer as without the memo."""

from __future__ import annotations

import time

from flask import request

from portal import web

NAME = "caseport_session"


def _cookie(client) -> str:
    return client.get_cookie(NAME).value


def _signed_in(client) -> bool:
    response = client.get("/cases")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def test_an_altered_cookie_is_refused_after_the_real_one_was_remembered(app, client, login, people):
    login(people.customer)
    assert _signed_in(client) and _signed_in(client)  # the second request reads it from the memo
    real = _cookie(client)
    payload, _, signature = real.rpartition(".")
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    client.set_cookie(NAME, forged)
    assert not _signed_in(client)
    client.set_cookie(NAME, real)
    assert _signed_in(client)


def test_a_remembered_cookie_expires_at_the_same_age(app, client, login, people, monkeypatch):
    login(people.customer)
    assert _signed_in(client) and _signed_in(client)
    cookie = _cookie(client)
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr(web.time, "time", lambda: later)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert not _signed_in(client)
    monkeypatch.undo()
    client.set_cookie(NAME, cookie)
    assert _signed_in(client)


def test_a_remembered_cookie_is_refused_once_its_key_is_gone(app, client, login, people):
    login(people.customer)
    assert _signed_in(client) and _signed_in(client)
    cookie = _cookie(client)
    old_key, fallbacks = app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"]
    app.config["SECRET_KEY"] = old_key + "-rotated"
    try:
        assert not _signed_in(client)
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]  # rotated with the old key kept: still valid
        client.set_cookie(NAME, cookie)
        assert _signed_in(client)
    finally:
        app.config["SECRET_KEY"] = old_key
        app.config["SECRET_KEY_FALLBACKS"] = fallbacks


def test_what_a_request_changes_in_its_session_is_not_kept_for_the_next(app, client, login, people):
    login(people.customer)
    assert _signed_in(client)
    cookie = _cookie(client)
    with app.test_request_context("/cases", headers={"Cookie": f"{NAME}={cookie}"}):
        first = app.session_interface.open_session(app, request)
        assert first["_user_id"] == str(people.customer.uuid)
        first["_user_id"] = "someone else"
        second = app.session_interface.open_session(app, request)
        assert second["_user_id"] == str(people.customer.uuid)
        assert not second.modified
