"""Sign-in throttling after OWASP: per client, per account and client, a slowdown (never a lockout) per
account for browsers it does not know, client addresses only from trusted proxies, no races."""

import threading
from datetime import timedelta

import pytest

from portal import create_app
from portal.accounts import service
from portal.accounts.routes.browser import KNOWN_BROWSER_COOKIE
from portal.accounts.service import password_changes, throttle
from portal.accounts.service import sign_in as sign_in_service
from portal.accounts.service.limits import TooManyAttempts
from portal.clock import utcnow
from portal.models.people import UserSession
from tests import factories
from tests.fixtures import BASE_CONFIG, post_form, sign_in

WRONG = {"email": "cora@example.com", "password": "wrong password"}
RIGHT = {"email": "cora@example.com", "password": factories.PASSWORD}


def client_from(app, address: str, **headers):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if headers:
        client.environ_base.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    return client


class Clock:
    """The clock the sign-in and password-reset services read, moved by the test."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    for module in (sign_in_service, password_changes):
        monkeypatch.setattr(module, "utcnow", clock)
    return clock


def attack(email: str, failures: int, clock: Clock) -> None:
    """Wrong passwords for email from ever new addresses, as a botnet would, as fast as the slowdown
    lets them through. The clock ends at the last failure."""
    n = 0
    while n < failures:
        try:
            service.authenticate(email, "wrong password", f"198.51.{n // 250}.{n % 250}", now=clock.now)
        except service.AuthenticationFailed:
            n += 1
        except TooManyAttempts as refused:
            clock.now += timedelta(seconds=refused.retry_after)


def test_the_owner_in_their_known_browser_signs_in_while_the_account_is_under_attack(app, people, clock):
    owner = client_from(app, "192.0.2.10")
    sign_in(owner, people.customer)
    assert owner.get_cookie(KNOWN_BROWSER_COOKIE) is not None
    post_form(owner, "/logout", {}, page="/account")
    attack("cora@example.com", 30, clock)
    # Even the owner's typing mistakes are theirs alone, and the right password gets them in.
    assert post_form(owner, "/login", WRONG).status_code == 401
    assert post_form(owner, "/login", RIGHT).status_code == 302
    # Someone without the owner's browser is slowed down, not let in.
    stranger = client_from(app, "203.0.113.77")
    response = post_form(stranger, "/login", RIGHT)
    assert response.status_code == 429
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= app.config["LOGIN_SLOWDOWN_MAX_SECONDS"]
    assert f"Wait {seconds} second" in response.get_data(as_text=True)


def test_the_slowdown_doubles_the_wait_between_attempts_up_to_its_maximum(app, people):
    app.config["LOGIN_SLOWDOWN_MAX_SECONDS"] = 16
    now = utcnow()
    for n in range(app.config["LOGIN_SLOWDOWN_AFTER_FAILURES"]):
        with pytest.raises(service.AuthenticationFailed):
            service.authenticate("cora@example.com", "wrong password", f"198.51.100.{n}", now=now)
    waits = []
    for n in range(8):
        with pytest.raises(service.AuthenticationFailed):  # this attempt was allowed ...
            service.authenticate("cora@example.com", "wrong password", f"203.0.113.{n}", now=now)
        with pytest.raises(TooManyAttempts) as refused:  # ... the next one right away is not
            service.authenticate("cora@example.com", factories.PASSWORD, f"192.0.2.{n}", now=now)
        waits.append(refused.value.retry_after)
        now += timedelta(seconds=refused.value.retry_after)
    assert waits == [2, 4, 8, 16, 16, 16, 16, 16]
    # When it is time, the right password from anywhere gets in, and nobody was locked out meanwhile.
    assert service.authenticate("cora@example.com", factories.PASSWORD, "192.0.2.200", now=now) == people.customer


def test_a_forged_known_browser_cookie_is_not_known(app, people, clock):
    owner = client_from(app, "192.0.2.10")
    sign_in(owner, people.customer)
    forged = owner.get_cookie(KNOWN_BROWSER_COOKIE).value[:-3] + "abc"
    attack("cora@example.com", 10, clock)
    stranger = client_from(app, "203.0.113.77")
    stranger.set_cookie(KNOWN_BROWSER_COOKIE, forged)
    assert post_form(stranger, "/login", RIGHT).status_code == 429


def test_a_known_browser_of_another_account_is_not_known_to_this_one(app, people, clock):
    browser = client_from(app, "192.0.2.10")
    sign_in(browser, people.other_customer)
    post_form(browser, "/logout", {}, page="/account")
    attack("cora@example.com", 10, clock)
    assert post_form(browser, "/login", RIGHT).status_code == 429


def test_a_password_reset_makes_the_browser_known(app, client, people, deliver, clock):
    from tests.fixtures import captured_mail, link_in

    attack("cora@example.com", 10, clock)
    assert post_form(client, "/login", RIGHT).status_code == 429
    post_form(client, "/reset-password", {"email": "cora@example.com"})
    deliver(now=clock.now)
    path = link_in(captured_mail("cora@example.com")[-1].text, "/reset-password/")
    new = "the owner's fresh passphrase"
    assert post_form(client, path, {"new_password": new, "confirm": new}).status_code == 302
    assert post_form(client, "/login", {"email": "cora@example.com", "password": new}).status_code == 302


def test_the_owners_own_mistakes_are_forgiven_when_they_sign_in(app, people):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"]
    for _ in range(3):
        for _ in range(limit - 1):
            with pytest.raises(service.AuthenticationFailed):
                service.authenticate("cora@example.com", "wrong password", "192.0.2.10", browser="own")
        assert service.authenticate("cora@example.com", factories.PASSWORD, "192.0.2.10", browser="own")


def test_failures_from_the_owners_browser_still_count_towards_the_slowdown_elsewhere(app, people):
    now = utcnow()
    for _ in range(app.config["LOGIN_SLOWDOWN_AFTER_FAILURES"]):
        with pytest.raises(service.AuthenticationFailed):
            service.authenticate("cora@example.com", "wrong password", "192.0.2.10", browser="own", now=now)
    with pytest.raises(service.AuthenticationFailed):
        service.authenticate("cora@example.com", "wrong password", "203.0.113.5", now=now)
    with pytest.raises(TooManyAttempts, match="many failed sign-ins"):
        service.authenticate("cora@example.com", factories.PASSWORD, "203.0.113.5", now=now)


def test_a_forged_x_forwarded_for_does_not_change_the_throttle_key(app, people):
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"]):
        forger = client_from(app, "192.0.2.66", X_Forwarded_For=f"10.9.8.{n}")
        assert post_form(forger, "/login", WRONG).status_code == 401
    forger = client_from(app, "192.0.2.66", X_Forwarded_For="10.9.8.200")
    assert post_form(forger, "/login", RIGHT).status_code == 429
    assert client_from(app, "192.0.2.67").post("/login").status_code == 400  # others are unaffected
    assert post_form(client_from(app, "192.0.2.67"), "/login", RIGHT).status_code == 302
    assert {row.client_address for row in UserSession.select()} == {"192.0.2.67"}


@pytest.fixture
def proxied_app(app, tmp_path):
    """The app as deployed behind one reverse proxy (TRUSTED_PROXIES=1), on this test's database."""
    proxied = create_app({**BASE_CONFIG, "DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": str(tmp_path),
                          "UPLOAD_DIR": str(tmp_path / "uploads"), "TRUSTED_PROXIES": 1})
    yield proxied
    db = proxied.extensions["caseport_db"]
    if hasattr(db, "close_all"):
        db.close_all()


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(proxied_app, people):
    limit = proxied_app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"]
    for _ in range(limit):
        # The proxy appends the address it saw; what the client claimed before it is not trusted.
        attacker = client_from(proxied_app, "10.0.0.2", X_Forwarded_For="1.2.3.4, 198.51.100.7")
        assert post_form(attacker, "/login", WRONG).status_code == 401
    attacker = client_from(proxied_app, "10.0.0.2", X_Forwarded_For="5.6.7.8, 198.51.100.7")
    assert post_form(attacker, "/login", RIGHT).status_code == 429
    # Over https (as the proxy says), CSRF also wants the Referer a browser sends.
    owner = client_from(proxied_app, "10.0.0.2", X_Forwarded_For="192.0.2.44", X_Forwarded_Proto="https",
                        Referer="https://localhost/login")
    assert post_form(owner, "/login", RIGHT).status_code == 302
    assert UserSession.get().client_address == "192.0.2.44"


def test_parallel_attempts_cannot_exceed_the_limit(app, people):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"]
    outcomes, start = [], threading.Barrier(12)
    now = utcnow()

    def attempt():
        with app.app_context():
            start.wait()
            try:
                service.authenticate("cora@example.com", "wrong password", "198.51.100.1", now=now)
            except Exception as exc:  # noqa: BLE001 -- the outcome is what we count
                outcomes.append(type(exc).__name__)
            finally:
                app.extensions["caseport_db"].close()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == sorted(["AuthenticationFailed"] * limit + ["TooManyAttempts"] * (12 - limit))


def test_successful_sign_ins_from_one_address_never_count_against_it(app, people):
    # An office behind one NAT address: everyone signing in correctly must not use up its limit.
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 2
    for user in (people.customer, people.proxy, people.agent, people.supervisor, people.admin):
        assert service.authenticate(user.email, factories.PASSWORD, "192.0.2.1") == user


def race_for_slots(app, monkeypatch, now, racers=10):
    """Let `racers` threads take a slot of the key "race" (limit 3, one minute) at once, each writing
    only after every one of them has read the slots: the worst interleaving, made certain."""
    all_read = threading.Barrier(racers, timeout=30)
    first_write = threading.local()

    def after_everyone_read(write):
        def wrapped(*args, **kwargs):
            if not getattr(first_write, "done", False):
                first_write.done = True
                all_read.wait()
            return write(*args, **kwargs)

        return wrapped

    class InsertAfterEveryoneRead:
        # An insert runs in its own transaction, which takes SQLite's write lock: wait before it.
        atomic = staticmethod(after_everyone_read(throttle.database.atomic))

    monkeypatch.setattr(throttle, "database", InsertAfterEveryoneRead())
    monkeypatch.setattr(throttle.ThrottleSlot, "update", after_everyone_read(throttle.ThrottleSlot.update))
    taken = []

    def take():
        with app.app_context():
            try:
                taken.append(throttle.take("race", 3, timedelta(minutes=1), now))
            except throttle.Throttled:
                pass
            finally:
                app.extensions["caseport_db"].close()

    threads = [threading.Thread(target=take) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(ticket.slot for ticket in taken)


def test_free_slots_are_taken_without_races(app, monkeypatch):
    assert race_for_slots(app, monkeypatch, utcnow()) == [0, 1, 2]


def test_slots_older_than_the_window_are_taken_again_without_races(app, monkeypatch):
    then = utcnow() - timedelta(minutes=5)
    for _ in range(3):
        throttle.take("race", 3, timedelta(minutes=1), then)
    assert race_for_slots(app, monkeypatch, utcnow()) == [0, 1, 2]


@pytest.mark.parametrize("address, key", [
    ("192.0.2.1", "192.0.2.1"),
    ("::ffff:192.0.2.1", "192.0.2.1"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ("not an address", "not an address"),
    ("", "unknown"),
])
def test_client_keys_group_an_ipv6_subscriber_network(address, key):
    assert throttle.client_key(address) == key
