"""Templates' csrf_token() (portal/web.py) remembers each signed token for the second it was signed in:
it always gives exactly what Flask-WTF's generate_csrf signs at that moment, for every secret key, raw
token and second, and the token it gives is accepted."""

from __future__ import annotations

import time

import flask_wtf.csrf
import pytest
from flask import g, session
from flask_wtf.csrf import generate_csrf, validate_csrf

from portal import web


@pytest.fixture
def clock(monkeypatch):
    """time.time (what itsdangerous stamps tokens with), moved by the test."""

    class Clock:
        now = 1_800_000_000.25

    monkeypatch.setattr(time, "time", lambda: Clock.now)
    return Clock


def _template_token(app) -> str:
    return app.jinja_env.globals["csrf_token"]()


def _fresh(app) -> str:
    """What generate_csrf signs now for this session, nothing remembered."""
    g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    return generate_csrf()


def _request(app, raw: str = "a" * 40):
    """A request whose session holds raw; g starts empty, as portal.web starts every request (the app
    fixture keeps one application context, and with it g, across these requests)."""
    context = app.test_request_context("/")
    context.push()
    g.pop("csrf_token", None)
    session["csrf_token"] = raw
    return context


def test_the_token_is_what_generate_csrf_signs_for_each_secret_raw_token_and_second(app, clock):
    seen = set()
    for secret, raw, second in [("x" * 40, "a" * 40, 0), ("x" * 40, "a" * 40, 0), ("y" * 40, "a" * 40, 0),
                                ("y" * 40, "b" * 40, 0), ("y" * 40, "b" * 40, 1), ("x" * 40, "a" * 40, 0)]:
        app.secret_key = secret
        clock.now = 1_800_000_000.25 + second
        context = _request(app, raw)
        try:
            token = _template_token(app)
            assert token == _fresh(app)  # the same text, remembered or not
            validate_csrf(token)
            seen.add(token)
        finally:
            context.pop()
    assert len(seen) == 4  # each change of a key value gave another token; the same values the same one


def test_a_remembered_token_is_handed_out_within_its_second_only(app, clock, monkeypatch):
    signed = []

    class CountingSerializer(flask_wtf.csrf.URLSafeTimedSerializer):
        def dumps(self, *args, **kwargs):
            signed.append(1)
            return super().dumps(*args, **kwargs)

    monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", CountingSerializer)
    tokens = []
    for now in (0.1, 0.9, 1.0, 1.5):
        clock.now = 1_800_000_000 + now
        context = _request(app, "c" * 40)  # a raw token no other test signs (the app is shared)
        try:
            tokens.append(_template_token(app))
            assert _template_token(app) == tokens[-1]  # the request's own token, from g
        finally:
            context.pop()
    assert len(signed) == 2  # once in each second
    assert tokens[0] == tokens[1] != tokens[2] == tokens[3]


def test_a_session_without_a_token_gets_a_new_one(app, clock):
    with app.test_request_context("/"):
        g.pop("csrf_token", None)
        token = _template_token(app)
        assert session["csrf_token"] and token == g.csrf_token
        validate_csrf(token)


def test_the_memo_is_bounded(app, clock, monkeypatch):
    monkeypatch.setattr(web, "_CSRF_TOKENS_KEPT", 3)
    csrf_token = web._remembering_csrf_token(app)
    kept = next(cell.cell_contents for cell in csrf_token.__closure__ if isinstance(cell.cell_contents, dict))
    for n in range(10):
        context = _request(app, f"{n:040d}")
        try:
            csrf_token()
        finally:
            context.pop()
        assert len(kept) <= 3
