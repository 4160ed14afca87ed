"""Server-side sessions: signing out ends a session for every copy of its cookie; "sign out everywhere",
password changes, deactivation and the idle and absolute limits end sessions too."""

from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie

from portal.accounts.routes.browser import SESSION_KEY
from portal.accounts.service import sessions
from portal.clock import utcnow
from portal.models.people import User, UserSession
from tests import factories
from tests.fixtures import post_form, sign_in

NEW = "a brand new passphrase"


class Clock:
    """The sessions module's clock, moved by the test."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(sessions, "utcnow", clock)
    return clock


def session_cookie(client) -> str:
    return client.get_cookie("caseport_session").value


def replay(app, cookie: str):
    """A fresh client (another machine) presenting a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("caseport_session", cookie)
    return thief


def signed_in(client) -> bool:
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(app, client, people):
    sign_in(client, people.customer)
    copied = session_cookie(client)
    assert signed_in(replay(app, copied))
    post_form(client, "/logout", {}, page="/account")
    response = replay(app, copied).get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not signed_in(client)


def test_sign_out_everywhere_ends_every_session_of_the_user_and_no_one_elses(app, people):
    laptop, phone, colleague = app.test_client(), app.test_client(), app.test_client()
    sign_in(laptop, people.customer)
    sign_in(phone, people.customer)
    sign_in(colleague, people.other_customer)
    copied = session_cookie(phone)
    page = laptop.get("/account").get_data(as_text=True)
    assert "Sign out everywhere" in page
    assert page.index("This browser") < page.index("Werkzeug/")  # the other one: the phone's user agent
    response = post_form(laptop, "/account/sign-out-everywhere", {}, page="/account")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "You are signed out everywhere" in laptop.get("/login").get_data(as_text=True)
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(replay(app, copied))
    assert signed_in(colleague)


def test_sign_out_everywhere_takes_a_post_with_a_csrf_token(client, login, people):
    login(people.customer)
    assert client.get("/account/sign-out-everywhere").status_code == 405
    assert client.post("/account/sign-out-everywhere").status_code == 400
    assert signed_in(client)


def test_changing_the_password_ends_copies_of_other_sessions_and_keeps_this_one(app, people):
    this_device, other_device = app.test_client(), app.test_client()
    sign_in(this_device, people.customer)
    sign_in(other_device, people.customer)
    copied_other, copied_this = session_cookie(other_device), session_cookie(this_device)
    response = post_form(this_device, "/account/password",
                         {"current_password": factories.PASSWORD, "new_password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert signed_in(this_device) and signed_in(replay(app, copied_this))
    assert not signed_in(other_device) and not signed_in(replay(app, copied_other))


def test_deactivating_a_user_ends_their_sessions_at_once(client, login, people):
    login(people.agent)
    assert signed_in(client)
    User.update(active=False).where(User.id == people.agent.id).execute()
    assert not signed_in(client)


def test_a_session_ends_after_the_idle_limit_with_a_message(app, client, people, clock):
    sign_in(client, people.customer)
    clock.advance(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    assert signed_in(client)  # activity moves the idle limit
    clock.advance(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    assert signed_in(client)
    clock.advance(minutes=app.config["SESSION_IDLE_MINUTES"])
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"signed out after {app.config['SESSION_IDLE_MINUTES']} minutes without activity" in page
    assert "Please sign in to see that page." not in page  # one message is enough


def test_a_session_ends_at_the_absolute_limit_however_active(app, client, people, clock):
    app.config["SESSION_MAX_HOURS"] = 3
    sign_in(client, people.customer)
    for _ in range(5):
        clock.advance(minutes=35)
        assert signed_in(client)
    clock.advance(minutes=3 * 60 - 5 * 35)
    response = client.get("/")
    assert response.headers["Location"].endswith("/login")
    assert "you signed in more than 3 hours ago" in client.get("/login").get_data(as_text=True)
    assert not signed_in(client)


@pytest.fixture
def session_writes(sql_log):
    """session_writes(fn) runs fn and returns the statements that wrote to user_session meanwhile."""

    def run(fn):
        with sql_log() as statements:
            fn()
        return [sql for sql in statements
                if sql.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")) and '"user_session"' in sql]

    return run


def test_last_seen_is_written_at_most_once_a_minute(client, people, clock, session_writes):
    sign_in(client, people.customer)
    started = UserSession.get().last_seen_at
    clock.advance(seconds=30)
    assert session_writes(lambda: [client.get("/account") for _ in range(3)]) == []
    assert UserSession.get().last_seen_at == started
    clock.advance(seconds=31)
    assert len(session_writes(lambda: [client.get("/account") for _ in range(3)])) == 1
    assert UserSession.get().last_seen_at > started


def test_a_session_cookie_without_a_live_session_token_signs_in_nobody(app, people):
    # What a cookie from before server-side sessions (or a forged one) carries: the user's id alone.
    client = app.test_client()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = people.admin.uuid
        cookie_session["_fresh"] = True
    assert not signed_in(client)
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = people.admin.uuid
        cookie_session[SESSION_KEY] = "made-up-token"
    assert not signed_in(client)


def test_a_remember_me_cookie_signs_in_nobody(app, people):
    # Caseport never issues one; even a validly signed one must not bypass the session check.
    client = app.test_client()
    with app.test_request_context():
        cookie = encode_cookie(people.admin.uuid)
    client.set_cookie("remember_token", cookie)
    assert not signed_in(client)


def test_one_users_session_token_does_not_sign_in_another_user(app, people):
    client = app.test_client()
    sign_in(client, people.customer)
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = people.admin.uuid
    assert not signed_in(client)


def test_the_session_stores_only_a_hash_of_its_token(client, people):
    sign_in(client, people.customer)
    with client.session_transaction() as cookie_session:
        token = cookie_session[SESSION_KEY]
    row = UserSession.get()
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert row.user_id == people.customer.id and row.client_address == "127.0.0.1"


def test_pruning_deletes_only_sessions_that_can_no_longer_sign_in(app, people):
    now = utcnow()
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    live = sessions.start_session(people.customer, now=now)
    revoked = sessions.start_session(people.customer, now=now)
    sessions.end_session(revoked, now=now)
    sessions.start_session(people.agent, now=now - idle - timedelta(minutes=1))  # idle
    old = sessions.start_session(people.admin, now=now - timedelta(hours=app.config["SESSION_MAX_HOURS"]))
    UserSession.update(last_seen_at=now).where(UserSession.token_hash == sessions._hash(old)).execute()
    assert sessions.prune_sessions(now=now) == 3
    assert [row.token_hash for row in UserSession.select()] == [sessions._hash(live)]
    assert sessions.resume_session(live, now=now).user == people.customer


def test_the_scheduler_prunes_sessions_and_throttles(app, people):
    from portal.jobs import portal_jobs

    names = {job.__name__ for job, _ in portal_jobs(app)}
    assert {"prune_sessions", "prune_throttles"} <= names
    old = utcnow() - timedelta(days=2)
    sessions.start_session(people.customer, now=old)
    for job, _ in portal_jobs(app):
        if job.__name__ in ("prune_sessions", "prune_throttles"):
            job()
    assert UserSession.select().count() == 0


def test_nothing_from_before_signing_in_or_out_is_carried_over(client, people):
    client.get("/login")
    with client.session_transaction() as cookie_session:
        anonymous_csrf = cookie_session["csrf_token"]
    sign_in(client, people.customer)
    with client.session_transaction() as cookie_session:
        assert cookie_session.get("csrf_token") != anonymous_csrf
    client.get("/account")
    with client.session_transaction() as cookie_session:
        signed_in_csrf = cookie_session["csrf_token"]
    post_form(client, "/logout", {}, page="/account")
    with client.session_transaction() as cookie_session:
        assert cookie_session.get("csrf_token") != signed_in_csrf
        assert SESSION_KEY not in cookie_session and "_user_id" not in cookie_session


def test_the_sessions_user_is_the_user_peewee_reads(app, people):
    """The User resumption builds from the session's row has the data of the User peewee reads, nothing
    marked changed and nothing related loaded; it is built by filling the data directly, which holds
    while every field of User is a plain field (no accessor of its own)."""
    from peewee import FieldAccessor

    user = people.agent
    User.update(phone="+4930123456", last_login_at=utcnow(), invited_at=utcnow()).where(User.id == user.id).execute()
    token = sessions.start_session(user)
    resumed = sessions.resume_session(token).user
    read = User.get_by_id(user.id)
    assert resumed.__data__ == read.__data__
    assert list(resumed.__data__) == [field.name for field in User._meta.sorted_fields]
    assert resumed._dirty == set() and resumed.__rel__ == {}
    assert all(type(User.__dict__[field.name]) is FieldAccessor for field in User._meta.sorted_fields)
    resumed.display_name = "Changed"
    assert resumed.dirty_fields == [User.display_name]
