"""Whose cases a user sees, resolved to ids once per request: the facts behind policy.case_visibility.

The policy used to express a customer's cases as three nested sub-queries; peewee compiled each
nested `IN (sub-query)` twice (once to test it for emptiness), so a dashboard spent more CPU writing
SQL than running it. Here the viewer's customer profile, linked cases, managed account's customers
and workgroups are read with one fixed statement, and visibility becomes flat conditions on those
ids. The statements are plain SQL written once: their shape never changes.

Very long lists (an account with thousands of customers) stay sub-queries on one table, so no
statement ever carries an unbounded number of parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import peewee

from portal import request_memo
from portal.db import database

# More ids than this are not listed in a statement: the condition uses a one-table sub-query instead.
MAX_LISTED_IDS = 500

# The statement reads one id more than MAX_LISTED_IDS, to know when there are too many.
_CUSTOMER_FACTS = """
SELECT 'customer', me.id FROM customer me WHERE me.user_id = ?
UNION ALL
SELECT 'linked', x.case_id FROM (
    SELECT l.case_id FROM case_customer_link l JOIN customer me ON me.id = l.customer_id
    WHERE me.user_id = ? LIMIT 501) x
UNION ALL
SELECT 'colleague', y.id FROM (
    SELECT other.id FROM customer other JOIN customer me ON other.account_id = me.account_id
    WHERE me.user_id = ? AND me.is_account_manager LIMIT 501) y
"""
_WORKGROUPS = "SELECT workgroup_id FROM workgroup_member WHERE user_id = ?"
# What _CUSTOMER_FACTS and _WORKGROUPS read, as four columns of the session's own row (portal/accounts/
# service/sessions.py, where "s" is the user_session): the customer profile's id, then the linked cases,
# the managed account's customers and the workgroups, each list as text ("3,17,40"), so a page reads
# who is signed in and whose cases they see in one round trip. One row with scalar sub-queries, not a
# UNION of (kind, id) rows: that one cost PostgreSQL twice the CPU of the two statements it replaced
# (each part looked the session up again; measured 0.13-0.17 against 0.06-0.10 ms), this one the same.
_SESSION_FACT_COLUMNS = (
    "(SELECT me.id FROM customer me WHERE me.user_id = s.user_id), "
    "(SELECT {list_of}(x.case_id{as_text}, ',') FROM ("
    "SELECT l.case_id FROM customer me JOIN case_customer_link l ON l.customer_id = me.id "
    "WHERE me.user_id = s.user_id LIMIT 501) x), "
    "(SELECT {list_of}(y.id{as_text}, ',') FROM ("
    "SELECT other.id FROM customer me JOIN customer other ON other.account_id = me.account_id "
    "WHERE me.user_id = s.user_id AND me.is_account_manager LIMIT 501) y), "
    "(SELECT {list_of}(m.workgroup_id{as_text}, ',') FROM workgroup_member m WHERE m.user_id = s.user_id)"
)


def session_fact_columns(postgres: bool) -> str:
    """The four columns (see _SESSION_FACT_COLUMNS) in the backend's words for a list of ids as text."""
    if postgres:
        return _SESSION_FACT_COLUMNS.format(list_of="string_agg", as_text="::text")
    return _SESSION_FACT_COLUMNS.format(list_of="group_concat", as_text="")


def session_facts(values) -> list[tuple[str, int]]:
    """The (kind, id) rows _CUSTOMER_FACTS and _WORKGROUPS read, from the four columns' values."""
    customer, linked, colleagues, workgroups = values
    facts = [("customer", customer)] if customer is not None else []
    for kind, ids in (("linked", linked), ("colleague", colleagues), ("workgroup", workgroups)):
        if ids:
            facts.extend((kind, int(value)) for value in ids.split(","))
    return facts


_IS_MEMBER = "SELECT 1 FROM workgroup_member WHERE workgroup_id = ? AND user_id = ?"
_VISIBLE = {
    "staff": 'SELECT 1 FROM "case" c WHERE c.id = ? AND (c.assignee_id = ? OR c.workgroup_id IN '
             "(SELECT m.workgroup_id FROM workgroup_member m WHERE m.user_id = ?))",
    "proxy": 'SELECT 1 FROM "case" c WHERE c.id = ? AND c.internal_contact_id = ?',
    "customer": 'SELECT 1 FROM "case" c JOIN customer me ON me.user_id = ? WHERE c.id = ? AND ('
                "c.customer_id = me.id "
                "OR EXISTS (SELECT 1 FROM case_customer_link l WHERE l.case_id = c.id AND l.customer_id = me.id) "
                "OR (me.is_account_manager AND c.customer_id IN "
                "(SELECT other.id FROM customer other WHERE other.account_id = me.account_id)))",
}


@lru_cache(maxsize=256)
def _sql(statement: str, param: str) -> str:
    return statement.replace("?", param)


def _rows(statement: str, params: tuple) -> list[tuple]:
    return list(database.execute_sql(_sql(statement, database.param), params).fetchall())


@dataclass(frozen=True)
class CaseScope:
    """kind: "all" (admins), "staff" (agents, supervisors), "proxy", "customer" or "none"."""

    kind: str
    user_id: int | None = None
    workgroup_ids: frozenset[int] = frozenset()
    customer_id: int | None = None
    # None when there are more than MAX_LISTED_IDS (then conditions use a sub-query).
    linked_case_ids: tuple[int, ...] | None = ()
    manages_account: bool = False
    colleague_ids: tuple[int, ...] | None = ()  # the managed account's customers, the viewer's own included

    def sees(self, case) -> bool | None:
        """Whether case (as loaded) is in the scope; None when only the database can tell."""
        if self.kind in ("all", "none"):
            return self.kind == "all"
        if self.kind == "staff":
            return case.assignee_id == self.user_id or case.workgroup_id in self.workgroup_ids
        if self.kind == "proxy":
            return case.internal_contact_id == self.user_id
        if case.customer_id == self.customer_id:
            return True
        unknown = False
        if self.linked_case_ids is None:
            unknown = True
        elif case.id in self.linked_case_ids:
            return True
        if self.manages_account:
            if self.colleague_ids is None:
                unknown = True
            elif case.customer_id in self.colleague_ids:
                return True
        return None if unknown else False


def _resolve(user) -> CaseScope:
    role = user.role
    if role in ("agent", "supervisor"):
        facts = [("workgroup", row[0]) for row in _rows(_WORKGROUPS, (user.id,))]
    elif role == "customer":
        facts = _rows(_CUSTOMER_FACTS, (user.id, user.id, user.id))
    else:
        facts = []
    return scope_from_facts(user, facts)


def scope_from_facts(user, facts) -> CaseScope:
    """The scope of user (loaded, active) from the rows (kind, id) that _CUSTOMER_FACTS and _WORKGROUPS
    read (or session_facts() gives); rows of kinds that the user's role does not use are ignored."""
    role = user.role
    if role == "admin":
        return CaseScope("all", user.id)
    if role in ("agent", "supervisor"):
        return CaseScope("staff", user.id, frozenset(value for kind, value in facts if kind == "workgroup"))
    if role == "proxy":
        return CaseScope("proxy", user.id)
    if role != "customer":
        return CaseScope("none")
    found: dict[str, list[int]] = {"customer": [], "linked": [], "colleague": [], "workgroup": []}
    for kind, value in facts:
        found[kind].append(value)
    if not found["customer"]:
        return CaseScope("none")

    def listed(ids: list[int]) -> tuple[int, ...] | None:
        return tuple(ids) if len(ids) <= MAX_LISTED_IDS else None

    return CaseScope("customer", user.id, customer_id=found["customer"][0], linked_case_ids=listed(found["linked"]),
                     manages_account=bool(found["colleague"]), colleague_ids=listed(found["colleague"]))


def case_scope(user) -> CaseScope:
    """The user's scope, read once per request (every time outside requests)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return CaseScope("none")
    return request_memo.remembered(_memo_key(user), lambda: _resolve(user))


def _memo_key(user) -> tuple:
    return ("case_scope", user.id, user.role)


def remember_scope(user, facts) -> None:
    """Inside a request that changes nothing: user's scope is the one these rows (kind, id) of
    session_facts() tell, read with the session that signed user in (one round trip for both), so
    case_scope(user) reads nothing more in this request. Outside such a request it does nothing:
    a request that writes reads the scope when it first needs it, after what it changed before."""
    if request_memo.read_only() and user.active:
        request_memo.keep(_memo_key(user), scope_from_facts(user, facts))


def unindexed(column):
    """+column: the same value, but the database will not pick that column's index to drive the query
    (both SQLite and PostgreSQL read unary plus so)."""
    return peewee.NodeList((peewee.SQL("+"), column), glue="")


def customer_condition(scope: CaseScope, column=lambda c: c):
    """Flat conditions on Case for a customer's scope (column() wraps each column tested)."""
    from portal.models.cases import Case, CaseCustomerLink
    from portal.models.people import Customer

    condition = column(Case.customer) == scope.customer_id
    if scope.linked_case_ids is None:
        condition |= column(Case.id).in_(CaseCustomerLink.select(CaseCustomerLink.case)
                                         .where(CaseCustomerLink.customer == scope.customer_id))
    elif scope.linked_case_ids:
        condition |= column(Case.id).in_(scope.linked_case_ids)
    if scope.manages_account:
        if scope.colleague_ids is None:
            account = Customer.select(Customer.account).where(Customer.id == scope.customer_id).scalar()
            condition |= column(Case.customer).in_(Customer.select(Customer.id).where(Customer.account == account))
        else:
            condition |= column(Case.customer).in_(scope.colleague_ids)
    return condition


def visibility_sql(scope: CaseScope, alias: str = "c") -> tuple[str, tuple]:
    """The condition policy.case_visibility(user) states, as SQL text on the "case" table aliased alias,
    with its parameters (placeholders "?": pass the text through sql_for()). Hand-written statements of
    fixed shape (the dashboard's) use it instead of compiling peewee expressions on every request;
    tests/cases/test_visibility_sql.py checks it selects exactly what the policy selects."""
    if scope.kind == "all":
        return f"{alias}.id IS NOT NULL", ()
    if scope.kind == "staff":
        if not scope.workgroup_ids:
            return f"{alias}.assignee_id = ?", (scope.user_id,)
        groups = sorted(scope.workgroup_ids)
        return (f"({alias}.assignee_id = ? OR {alias}.workgroup_id IN ({_marks(len(groups))}))",
                (scope.user_id, *groups))
    if scope.kind == "proxy":
        return f"{alias}.internal_contact_id = ?", (scope.user_id,)
    if scope.kind != "customer":
        return f"{alias}.id IS NULL", ()  # matches nothing: every case has an id
    parts, params = [f"{alias}.customer_id = ?"], [scope.customer_id]
    if scope.linked_case_ids is None:
        parts.append(f"{alias}.id IN (SELECT l.case_id FROM case_customer_link l WHERE l.customer_id = ?)")  # noqa: S608 -- alias is ours, values bound
        params.append(scope.customer_id)
    elif scope.linked_case_ids:
        parts.append(f"{alias}.id IN ({_marks(len(scope.linked_case_ids))})")
        params.extend(scope.linked_case_ids)
    if scope.manages_account:
        if scope.colleague_ids is None:
            parts.append(f"{alias}.customer_id IN (SELECT o.id FROM customer o WHERE o.account_id = "  # noqa: S608 -- values bound
                         "(SELECT me.account_id FROM customer me WHERE me.id = ?))")
            params.append(scope.customer_id)
        else:
            parts.append(f"{alias}.customer_id IN ({_marks(len(scope.colleague_ids))})")
            params.extend(scope.colleague_ids)
    return "(" + " OR ".join(parts) + ")", tuple(params)


@lru_cache(maxsize=512)
def _marks(n: int) -> str:
    return ", ".join("?" * n)


def sql_for(statement: str) -> str:
    """statement (written with "?" placeholders) in the current database's parameter style."""
    return _sql(statement, database.param)


def case_visible(scope: CaseScope, case_id: int) -> bool:
    """One fixed statement: whether the case with case_id is in scope now."""
    if scope.kind in ("all", "none"):
        return scope.kind == "all"
    params = {"staff": (case_id, scope.user_id, scope.user_id), "proxy": (case_id, scope.user_id),
              "customer": (scope.user_id, case_id)}[scope.kind]
    return bool(_rows(_VISIBLE[scope.kind], params))


def is_member(user, workgroup_id: int) -> bool:
    """Whether user is a member of the workgroup: from the resolved scope of agents and supervisors,
    else one fixed statement."""
    if user.role in ("agent", "supervisor") and user.active:
        return workgroup_id in case_scope(user).workgroup_ids
    return bool(_rows(_IS_MEMBER, (workgroup_id, user.id)))
