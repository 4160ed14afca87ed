"""Per-token rate limits: 429 with Retry-After once a token's minute is used up, other tokens
unaffected, writes limited separately, the count reset with the next minute, held in the database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from portal.api import framework
from portal.models.api import ApiRateWindow
from tests.api.conftest import ApiClient, assert_error

START = datetime(2026, 11, 30, 12, 0, 15, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The API's clock, frozen at START and moved by clock.now = ..."""

    class Clock:
        now = START

    clock = Clock()
    monkeypatch.setattr(framework, "utcnow", lambda: clock.now)
    return clock


def test_a_token_over_its_limit_gets_429_with_retry_after(app, api_as, people, clock):
    app.config.update(API_RATE_LIMIT=3)
    api = api_as(people.agent)
    for remaining in (2, 1, 0):
        response = api.get("/me")
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        assert response.headers["RateLimit-Remaining"] == str(remaining)
    refused = api.get("/me")
    assert_error(refused, 429, "rate_limited")
    assert refused.headers["Retry-After"] == "45"  # 12:00:15 -> the next minute starts at 12:01:00
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert ApiRateWindow.get().requests == 3  # a refused request writes nothing


def test_another_token_is_not_affected(app, api_as, people, clock):
    app.config.update(API_RATE_LIMIT=1)
    first, second = api_as(people.agent), api_as(people.agent)
    assert first.get("/me").status_code == 200
    assert_error(first.get("/me"), 429, "rate_limited")
    assert second.get("/me").status_code == 200


def test_the_window_resets_with_the_next_minute(app, api_as, people, clock):
    app.config.update(API_RATE_LIMIT=2)
    api = api_as(people.agent)
    assert api.get("/me").status_code == 200
    clock.now = START + timedelta(seconds=30)
    assert api.get("/me").status_code == 200
    assert_error(api.get("/me"), 429, "rate_limited")
    clock.now = START + timedelta(seconds=45)  # 12:01:00
    response = api.get("/me")
    assert response.status_code == 200 and response.headers["RateLimit-Remaining"] == "1"


def test_writes_have_their_own_lower_limit(app, api_as, people, clock):
    app.config.update(API_RATE_LIMIT=10, API_WRITE_RATE_LIMIT=1)
    api = api_as(people.agent)
    created = api.post("/customers", {"first_name": "Ann"})
    assert created.status_code == 201 and created.headers["RateLimit-Limit"] == "1"
    assert_error(api.post("/customers", {"first_name": "Bob"}), 429, "rate_limited")
    assert api.get("/me").status_code == 200  # reading goes on


def test_a_burst_from_many_workers_gets_exactly_the_limit_through(app, token_for, people, clock):
    app.config.update(API_RATE_LIMIT=5)
    secret = token_for(people.agent)
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def call() -> None:
        api = ApiClient(app.test_client(), secret)
        barrier.wait()
        statuses.append(api.get("/me").status_code)

    threads = [threading.Thread(target=call) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] * 5 + [429] * 5


def test_no_token_no_count(app, client):
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")
    assert ApiRateWindow.select().count() == 0
