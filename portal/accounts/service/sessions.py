"""Server-side sessions: each signed-in browser is a UserSession row that the server can end.

The browser's cookie carries a random token; the row stores only its hash. Every request resolves the
token here, so signing out, "sign out everywhere", a password change, deactivation and the idle and
absolute limits take effect at once, even for a copy of the cookie taken earlier.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from portal import case_scope, request_memo
from portal.clock import utcnow
from portal.db import database, is_postgres
from portal.i18n import _l
from portal.models.people import User, UserSession
from portal.settings import setting

# last_seen_at is written at most this often per session: the idle limit needs it, every request
# writing it would not.
TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _idle_limit() -> timedelta:
    return timedelta(minutes=setting("SESSION_IDLE_MINUTES"))


def _age_limit() -> timedelta:
    return timedelta(hours=setting("SESSION_MAX_HOURS"))


@dataclass(frozen=True)
class Resumed:
    """What a session token stands for now: the user, or why it no longer signs anyone in."""

    user: User | None
    ended: object = None  # a message (marked with _l) for the person when the session ended by itself


def start_session(user: User, *, user_agent: str = "", client_address: str = "",
                  now: datetime | None = None) -> str:
    """Open a session for a user who has just proven who they are; returns the token for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    UserSession.create(token_hash=_hash(token), user=user, created_at=now, last_seen_at=now,
                       user_agent=(user_agent or "")[:200], client_address=(client_address or "")[:64])
    return token


def resume_session(token: str | None, *, now: datetime | None = None) -> Resumed:
    """The user a session token signs in, checked on every request. Writes (last_seen_at) at most once
    per TOUCH_INTERVAL. A revoked session, a deactivated user or an exceeded limit signs in nobody."""
    if not token:
        return Resumed(None)
    now = now or utcnow()
    row = _session_of(_hash(token), with_facts=request_memo.read_only())
    if row is None or row.revoked_at is not None or not row.user.active:
        return Resumed(None)
    if now - row.created_at >= _age_limit():
        hours = setting("SESSION_MAX_HOURS")
        return Resumed(None, _l("You were signed out because you signed in more than %(hours)s hours ago. "
                                "Please sign in again.", hours=hours))
    if now - row.last_seen_at >= _idle_limit():
        minutes = setting("SESSION_IDLE_MINUTES")
        return Resumed(None, _l("You were signed out after %(minutes)s minutes without activity. "
                                "Please sign in again.", minutes=minutes))
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        (
            UserSession.update(last_seen_at=now)
            .where((UserSession.id == row.id) & (UserSession.last_seen_at < now - TOUCH_INTERVAL))
            .execute()
        )
    if row.facts is not None:
        case_scope.remember_scope(row.user, row.facts)
    return Resumed(row.user)


# Every request runs this one statement: written once (peewee compiled the join's 22 columns on every
# request), and its row turned into a User here: peewee's raw query resolved the columns' names
# against the model on every request (~100 us, profiled; issue 12). The user's columns are named
# from the model, so they come back in the order _user_from reads them.
_SESSION_OF = (
    "SELECT {user_columns}, s.id, s.created_at, s.last_seen_at, s.revoked_at "
    'FROM user_session s JOIN "user" u ON u.id = s.user_id WHERE s.token_hash = ? LIMIT 1'
)
# A request that changes nothing (GET, HEAD) also reads the user's case scope in the same statement,
# as four more columns (portal.case_scope.session_fact_columns: the viewer's customer profile, linked
# cases, account colleagues and workgroups): one round trip fewer on every page.
_SESSION_AND_FACTS = (
    "SELECT {user_columns}, s.id, s.created_at, s.last_seen_at, s.revoked_at, {facts} "
    'FROM user_session s JOIN "user" u ON u.id = s.user_id WHERE s.token_hash = ? LIMIT 1'
)


@dataclass(frozen=True)
class _SessionRow:
    id: int
    user: User
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None
    facts: list | None = None  # (kind, id) rows of case_scope.session_facts(), if read with the session


@lru_cache(maxsize=1)
def _session_statement() -> tuple[str, tuple]:
    fields = tuple(User._meta.sorted_fields)
    columns = ", ".join(f'u."{field.column_name}"' for field in fields)
    return _SESSION_OF.format(user_columns=columns), tuple((field.name, field.python_value) for field in fields)


@lru_cache(maxsize=2)
def _session_and_facts_statement(postgres: bool) -> str:
    fields = User._meta.sorted_fields
    columns = ", ".join(f'u."{field.column_name}"' for field in fields)
    return _SESSION_AND_FACTS.format(user_columns=columns, facts=case_scope.session_fact_columns(postgres))


def _user_from(values, fields: tuple) -> User:
    """A User from its columns, as peewee builds one from a row (every value through its field's
    python_value, nothing marked changed). The values go into the instance's data as each field's
    accessor would put them (every field of User is a plain one), without 14 descriptor calls."""
    user = User(__no_default__=1)
    user.__data__.update({name: convert(value) for (name, convert), value in zip(fields, values)})
    return user


def _session_of(token_hash: str, *, with_facts: bool = False) -> _SessionRow | None:
    statement, fields = _session_statement()
    if with_facts:
        statement = _session_and_facts_statement(is_postgres(database))
    row = database.execute_sql(case_scope.sql_for(statement), (token_hash,)).fetchone()
    if row is None:
        return None
    moment = UserSession.created_at.python_value
    session_id, created_at, last_seen_at, revoked_at = row[len(fields):len(fields) + 4]
    facts = case_scope.session_facts(row[len(fields) + 4:]) if with_facts else None
    return _SessionRow(session_id, _user_from(row[:len(fields)], fields), moment(created_at), moment(last_seen_at),
                       moment(revoked_at), facts)


def end_session(token: str | None, *, now: datetime | None = None) -> None:
    """Sign one browser out (sign-out). Ending an unknown or ended session does nothing."""
    if token:
        (
            UserSession.update(revoked_at=now or utcnow())
            .where((UserSession.token_hash == _hash(token)) & UserSession.revoked_at.is_null())
            .execute()
        )


def end_all_sessions(user: User, *, keep: str | None = None, now: datetime | None = None) -> int:
    """End every session of the user except the one whose token is `keep` (if given). Called on
    "sign out everywhere" (keep nothing) and on password changes (keep the browser that changed it)."""
    condition = (UserSession.user == user) & UserSession.revoked_at.is_null()
    if keep:
        condition &= UserSession.token_hash != _hash(keep)
    return UserSession.update(revoked_at=now or utcnow()).where(condition).execute()


def _live(now: datetime):
    return (
        UserSession.revoked_at.is_null()
        & (UserSession.last_seen_at > now - _idle_limit())
        & (UserSession.created_at > now - _age_limit())
    )


def active_sessions(user: User, *, now: datetime | None = None):
    """The user's sessions that still sign them in, most recently used first."""
    return (
        UserSession.select()
        .where((UserSession.user == user) & _live(now or utcnow()))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )


def is_session(row: UserSession, token: str | None) -> bool:
    return bool(token) and row.token_hash == _hash(token)


def prune_sessions(*, now: datetime | None = None) -> int:
    """Delete sessions that can no longer sign anyone in (run by the scheduler)."""
    now = now or utcnow()
    with database.atomic():
        return UserSession.delete().where(~_live(now)).execute()


def started_at(token: str | None) -> datetime | None:
    """When the live session of token began (its sign-in), or None."""
    if not token:
        return None
    row = (
        UserSession.select(UserSession.created_at)
        .where((UserSession.token_hash == _hash(token)) & UserSession.revoked_at.is_null())
        .first()
    )
    return row.created_at if row else None
