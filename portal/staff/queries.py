"""Reads for the staff workspace: my cases, the workgroup queues, my tasks, the staff search and the
supervisor's counts. Every case query is limited by policy.case_visibility(user); rows come with
template, status, customer, workgroup and assignee joined, so a page makes a fixed number of queries
whatever the number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import peewee
from peewee import JOIN, fn

from portal import policy
from portal.cases.queries import search as keyword_search
from portal.cases.queries.search import StaffSearch, search_condition, staff_search, without_jit
from portal.clock import utcnow
from portal.fixed_reads import FixedRead
from portal.identifiers import parse_uuid
from portal.models.cases import Case, CaseCustomerLink
from portal.models.configuration import PRIORITIES, STATUS_CATEGORIES, CaseStatus, CaseTemplate
from portal.models.people import Customer, User
from portal.models.staff import CaseTask
from portal.models.teams import Workgroup, WorkgroupMember
from portal.pagination import Page, page_number, paginate, paginate_in_one_statement
from portal.service_levels import case_targets

PAGE_SIZE = 25
PRIORITY_ORDER = ("urgent", "high", "normal", "low")
OPEN_CATEGORIES = tuple(c for c in STATUS_CATEGORIES if c != "closed")

Assignee = User.alias("assignee")


@dataclass(frozen=True)
class QueueFilters:
    """The home page's filters, already checked: unknown values are dropped."""

    category: str = ""
    priority: str = ""
    template: str = ""
    queue: str = ""  # a workgroup uuid, or "" for all my queues
    mine_page: int = 1
    queue_page: int = 1
    sort: str = ""  # "" for the work order (most urgent, oldest first), "due" for the next service-level moment
    order: str = ""  # "desc" reverses the "due" sort

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        category = args.get("category", "")
        priority = args.get("priority", "")
        return cls(
            category=category if category in OPEN_CATEGORIES else "",
            priority=priority if priority in PRIORITIES else "",
            template=parse_uuid(args.get("template")) or "",
            queue=parse_uuid(args.get("queue")) or "",
            mine_page=page_number(args.get("mine_page")),
            queue_page=page_number(args.get("queue_page")),
            sort=sort_key(args.get("sort")),
            order="desc" if sort_key(args.get("sort")) and args.get("order") == "desc" else "",
        )

    def as_args(self, **changes) -> dict:
        values = replace(self, **changes)
        args = {"category": values.category, "priority": values.priority, "template": values.template,
                "queue": values.queue, "mine_page": values.mine_page if values.mine_page != 1 else "",
                "queue_page": values.queue_page if values.queue_page != 1 else "", "sort": values.sort,
                "order": values.order}
        return {key: value for key, value in args.items() if value}


def case_rows():
    """Cases with template, status, customer, workgroup and assignee (as case.assignee) joined."""
    return (
        Case.select(Case, CaseTemplate, CaseStatus, Customer, Workgroup, Assignee)
        .join(CaseTemplate)
        .switch(Case)
        .join(CaseStatus)
        .switch(Case)
        .join(Customer)
        .switch(Case)
        .join(Workgroup, JOIN.LEFT_OUTER)
        .switch(Case)
        .join(Assignee, JOIN.LEFT_OUTER, on=(Case.assignee == Assignee.id), attr="assignee")
    )


def priority_rank():
    """Urgent first, low last; an unexpected stored value after low."""
    return peewee.Case(Case.priority, [(p, rank) for rank, p in enumerate(PRIORITY_ORDER)], len(PRIORITY_ORDER))


def _work_order(query):
    return query.order_by(priority_rank(), Case.opened_at, Case.id)


def sort_key(value: str | None) -> str:
    """A sort staff lists know ("due"), or "" for the work order."""
    return value if value == "due" else ""


def sorted_cases(query, sort: str, descending: bool = False):
    """query in the chosen order. "due": by the stored, indexed next service-level moment (the most overdue
    first; reversed, the latest first), cases without a running target last either way."""
    if sort == "due":
        due = Case.sla_due.desc() if descending else Case.sla_due.asc()
        return query.order_by(Case.sla_due.is_null(), due, Case.id)
    return _work_order(query)


def due_sort_link(current: str, order: str) -> dict:
    """The sort and order arguments a "Due" column heading links to: sorting by it, or reversing it."""
    if current != "due":
        return {"sort": "due", "order": ""}
    return {"sort": "due", "order": "" if order == "desc" else "desc"}


def _filtered(query, filters: QueueFilters):
    query = query.where(CaseStatus.category != "closed")
    if filters.category:
        query = query.where(CaseStatus.category == filters.category)
    if filters.priority:
        query = query.where(Case.priority == filters.priority)
    if filters.template:
        query = query.where(CaseTemplate.uuid == filters.template)
    return query


def my_cases(user: User, filters: QueueFilters):
    """Open cases assigned to user, most urgent then oldest first (or as filters.sort says)."""
    query = case_rows().where((Case.assignee == user.id) & policy.case_visibility(user))
    return sorted_cases(_filtered(query, filters), filters.sort, filters.order == "desc")


def queue_workgroups(user: User) -> list[Workgroup]:
    """Whose unassigned queues user works: their active workgroups; every active one for admins."""
    query = Workgroup.select().where(Workgroup.active == True)  # noqa: E712
    if not policy.has_role(user, "admin"):
        query = query.where(Workgroup.id.in_(WorkgroupMember.select(WorkgroupMember.workgroup)
                                             .where(WorkgroupMember.user == user.id)))
    return list(query.order_by(fn.LOWER(Workgroup.name), Workgroup.id))


def queue_cases(user: User, workgroups: list[Workgroup], filters: QueueFilters):
    """Unassigned open cases of the chosen workgroup (or all of workgroups), most urgent then oldest (or as
    filters.sort says)."""
    ids = [w.id for w in workgroups if not filters.queue or w.uuid == filters.queue]
    query = case_rows().where(Case.assignee.is_null() & Case.workgroup.in_(ids or [0]) & policy.case_visibility(user))
    return sorted_cases(_filtered(query, filters), filters.sort, filters.order == "desc")


def queue_counts(user: User, workgroups: list[Workgroup], filters: QueueFilters) -> dict[int, int]:
    """Unassigned open cases per workgroup (filters apply), in one grouped query."""
    query = (
        Case.select(Case.workgroup, fn.COUNT(Case.id).alias("n"))
        .join(CaseStatus)
        .switch(Case)
        .join(CaseTemplate)
        .where(Case.assignee.is_null() & Case.workgroup.in_([w.id for w in workgroups] or [0]))
    )
    rows = _filtered(query, filters).group_by(Case.workgroup).tuples()
    return {workgroup_id: n for workgroup_id, n in rows}


def my_open_tasks(user: User, limit: int = 50) -> list[CaseTask]:
    """Open tasks assigned to user on cases they may see, earliest due first (undated last)."""
    return list(
        CaseTask.select(CaseTask, Case)
        .join(Case)
        .where((CaseTask.assignee == user.id) & (CaseTask.status == "open") & policy.case_visibility(user))
        .order_by(CaseTask.due_date.is_null(), CaseTask.due_date, CaseTask.created_at, CaseTask.id)
        .limit(limit)
    )


def open_templates():
    return CaseTemplate.select().order_by(fn.LOWER(CaseTemplate.name), CaseTemplate.id)


# --- search --------------------------------------------------------------------------------------


def customer_condition(customer: Customer):
    """Cases where customer is the primary or a linked customer."""
    linked = CaseCustomerLink.select(CaseCustomerLink.case).where(CaseCustomerLink.customer == customer.id)
    return (Case.customer == customer.id) | Case.id.in_(linked)


def _search_condition(user: User, text: str, customer: Customer | None, found: StaffSearch | None = None):
    if text.strip() or customer is None:
        condition = found.condition(user) if found is not None else search_condition(user, text, staff=True)
    else:
        condition = policy.case_visibility(user)
    if customer is not None:
        condition &= customer_condition(customer)
    return condition


def search_cases(user: User, text: str, customer: Customer | None = None):
    """Cases user may see whose staff document (every field, comments and internal notes) matches
    text, latest update first; limited to customer's cases when given (then no text lists them all)."""
    return case_rows().where(_search_condition(user, text, customer)).order_by(Case.updated_at.desc(), Case.id.desc())


def _latest_first(query):
    return query.order_by(Case.updated_at.desc(), Case.id.desc())


# What a row of the staff case table (templates/staff/_case_table.html, sla_state() included) reads of a
# case, its status, customer, workgroup and assignee: the search builds its rows from these columns
# rather than from all 120 of the six joined tables (the rows were a third of an agent's search CPU).
_LISTED_COLUMNS = (
    Case.id, Case.uuid, Case.reference, Case.title, Case.escalated, Case.priority, Case.template, Case.status,
    Case.customer, Case.workgroup, Case.assignee, Case.opened_at, Case.updated_at, Case.sla_due, Case.sla_paused,
    Case.first_response_at, *(getattr(Case, f"{name}_warn_at") for name in case_targets.TARGETS),
    CaseTemplate.id, CaseStatus.id, CaseStatus.name, CaseStatus.category, Customer.id, Customer.first_name,
    Customer.last_name, Workgroup.id, Workgroup.name, Assignee.id, Assignee.display_name,
)


# The rows of a page by id, compiled once per number of ids (a page holds at most PAGE_SIZE): peewee spent
# 0.7 ms turning this six-table read into SQL on every search page.
_ROWS_BY_ID: dict[int, FixedRead] = {}


def _listed_by_id(ids):
    return case_rows().select(*_LISTED_COLUMNS).where(Case.id.in_(list(ids)))


def _rows_by_id(keys):
    keys = list(keys)
    if len(keys) > PAGE_SIZE:
        return ((c.id, c) for c in _listed_by_id(keys))
    read = _ROWS_BY_ID.get(len(keys))
    if read is None:
        read = _ROWS_BY_ID.setdefault(len(keys), FixedRead(lambda *ids: _listed_by_id(ids), *["int"] * len(keys)))
    return ((c.id, c) for c in read(*keys))


def search_count_limit() -> int:
    """The staff search counts a common word's matches up to this many ("more than 1,000")."""
    return keyword_search.MAX_LISTED_MATCHES


def _newest_page(user: User, text: str, number: int) -> Page | None:
    """Page `number` of a keyword search as the walk of the viewer's newest cases finds it
    (keyword_search.newest_matches): the page and one more case, so the heading can say "more than
    number × PAGE_SIZE" (what the walk proved); None when the walk ends short of them."""
    ids = keyword_search.newest_matches(user, text, number * PAGE_SIZE + 1)
    if len(ids) <= number * PAGE_SIZE:
        return None
    rows = [(case_id,) for case_id in ids[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]]
    return Page(items=rows, number=number, size=PAGE_SIZE, has_next=True, more_than=number * PAGE_SIZE)


def search_page(user: User, text: str, customer: Customer | None, number: int, *, counted: bool = False) -> Page:
    """Page `number` of search_cases.

    A keyword search without a customer first walks the viewer's newest cases (keyword_search.
    newest_matches, both databases): when the page and one more case are among the newest
    MAX_WALKED, the page lists them and its heading says "more than number × PAGE_SIZE" (page.more_than),
    what that walk proved; the count is not read (counted=True, the "Count matches" link, reads it).
    Otherwise, and when counted, the keyword match is read once (staff_search: the ids of the visible
    matches, up to MAX_LISTED_MATCHES + 1). At most MAX_LISTED_MATCHES: the total is exact and the
    page's ids are read among them by id. More (a common word): the page says "more than 1,000"
    (total None, an uncounted page) and its ids are read walking the visible cases latest update
    first, each checked against the match. With a customer: one statement reads the page's ids and the
    exact total, as for any filtered list. Then the page's rows are read by id."""
    number = max(1, number)
    with without_jit():
        page = None
        if text.strip() and customer is None and not counted:
            page = _newest_page(user, text, number)
        if page is None:
            found = staff_search(user, text) if text.strip() else None
            if found is None or customer is not None:
                ids = _latest_first(Case.select(Case.id).where(_search_condition(user, text, customer, found)))
                return paginate_in_one_statement(ids, number, PAGE_SIZE, key=Case.id, rows_for=_rows_by_id)
            if not found.common:
                ids = _latest_first(Case.select(Case.id).where(Case.id.in_(found.visible or [0]))).tuples()
                page = paginate(ids, number, PAGE_SIZE, total=len(found.visible))
            else:
                ids = _latest_first(Case.select(Case.id).where(found.condition(user, ordered=True))).tuples()
                page = paginate(ids, number, PAGE_SIZE, counted=False)
                page.more_than = search_count_limit()
        keys = [case_id for (case_id,) in page.items]
        by_id = dict(_rows_by_id(keys)) if keys else {}
    page.items = [by_id[k] for k in keys if k in by_id]
    return page


# --- supervisor ----------------------------------------------------------------------------------


def supervised_workgroups(user: User) -> list[Workgroup]:
    """Workgroups a supervisor is a member of; every workgroup for admins."""
    query = Workgroup.select()
    if not policy.has_role(user, "admin"):
        query = query.where(Workgroup.id.in_(WorkgroupMember.select(WorkgroupMember.workgroup)
                                             .where(WorkgroupMember.user == user.id)))
    return list(query.order_by(Workgroup.active.desc(), fn.LOWER(Workgroup.name), Workgroup.id))


@dataclass
class WorkgroupLoad:
    workgroup: Workgroup
    open: int = 0
    unassigned: int = 0
    escalated: int = 0


@dataclass
class AgentLoad:
    user: User
    open: int = 0
    urgent: int = 0


def _open_in(workgroup_ids: list[int]):
    return (Case.workgroup.in_(workgroup_ids or [0])) & (CaseStatus.category != "closed")


def workgroup_loads(workgroups: list[Workgroup]) -> list[WorkgroupLoad]:
    """Open, unassigned and escalated open cases per workgroup: one grouped query."""
    unassigned = fn.SUM(peewee.Case(None, [(Case.assignee.is_null(), 1)], 0))
    escalated = fn.SUM(peewee.Case(None, [(Case.escalated == True, 1)], 0))  # noqa: E712
    rows = (
        Case.select(Case.workgroup, fn.COUNT(Case.id), unassigned, escalated)
        .join(CaseStatus)
        .where(_open_in([w.id for w in workgroups]))
        .group_by(Case.workgroup)
        .tuples()
    )
    by_id = {workgroup_id: (n, u, e) for workgroup_id, n, u, e in rows}
    loads = []
    for workgroup in workgroups:
        n, u, e = by_id.get(workgroup.id, (0, 0, 0))
        loads.append(WorkgroupLoad(workgroup, int(n or 0), int(u or 0), int(e or 0)))
    return loads


def agent_loads(workgroups: list[Workgroup]) -> list[AgentLoad]:
    """Each member of workgroups with their open cases in those workgroups: two queries (members, counts)."""
    ids = [w.id for w in workgroups]
    member_ids = WorkgroupMember.select(WorkgroupMember.user).where(WorkgroupMember.workgroup.in_(ids or [0]))
    members = list(
        User.select()
        .where(User.id.in_(member_ids))
        .order_by(fn.LOWER(User.display_name), User.id)
    )
    urgent = fn.SUM(peewee.Case(None, [(Case.priority == "urgent", 1)], 0))
    rows = (
        Case.select(Case.assignee, fn.COUNT(Case.id), urgent)
        .join(CaseStatus)
        .where(_open_in(ids) & Case.assignee.is_null(False))
        .group_by(Case.assignee)
        .tuples()
    )
    counts = {user_id: (n, u) for user_id, n, u in rows}
    return [AgentLoad(m, int(counts.get(m.id, (0, 0))[0] or 0), int(counts.get(m.id, (0, 0))[1] or 0))
            for m in members]


def drill_down(user: User, workgroups: list[Workgroup], *, agent: User | None = None,
               workgroup: Workgroup | None = None, unassigned: bool = False, at_risk: bool = False,
               sort: str = "", descending: bool = False):
    """Open cases of the supervised workgroups: one agent's, one workgroup's, or its unassigned ones; at_risk:
    only those past a service-level warning or overdue, the most overdue first. sort="due" orders any of them
    by the next service-level moment (descending: the latest first)."""
    ids = [w.id for w in workgroups]
    if workgroup is not None:
        ids = [workgroup.id] if workgroup.id in ids else []
    query = case_rows().where(_open_in(ids) & policy.case_visibility(user))
    if agent is not None:
        query = query.where(Case.assignee == agent.id)
    if unassigned:
        query = query.where(Case.assignee.is_null())
    if at_risk:
        query = query.where(case_targets.at_risk(utcnow()))
        sort = "due"
    return sorted_cases(query, sort, descending)


def members_by_workgroup(workgroup_ids: list[int]) -> dict[int, list[User]]:
    """Active staff members of each workgroup, by name, in one query: the reassign choices."""
    rows = (
        User.select(User, WorkgroupMember.workgroup.alias("workgroup_id"))
        .join(WorkgroupMember)
        .where(WorkgroupMember.workgroup.in_(workgroup_ids or [0]) & (User.active == True))  # noqa: E712
        .order_by(fn.LOWER(User.display_name), User.id)
        .objects()
    )
    members: dict[int, list[User]] = {}
    for member in rows:
        members.setdefault(member.workgroup_id, []).append(member)
    return members


def members_of_workgroup(workgroup_id: int) -> list[User]:
    """Active staff members of one workgroup, by name (the case page's assignee choices); the same
    people as members_by_workgroup([workgroup_id]), its SQL written once (portal.fixed_reads)."""
    return _MEMBERS_OF_WORKGROUP.list(workgroup_id)


_MEMBERS_OF_WORKGROUP = FixedRead(lambda workgroup_id: (
    User.select(User)
    .join(WorkgroupMember)
    .where((WorkgroupMember.workgroup == workgroup_id) & (User.active == True))  # noqa: E712
    .order_by(fn.LOWER(User.display_name), User.id)
), "int")


def case_tasks_page(case: Case, *, after_id: int | None, limit: int) -> list[CaseTask]:
    """Up to limit + 1 tasks of case by id after after_id, assignee joined (the API's task list; the
    caller checked policy.can_manage_tasks)."""
    query = (
        CaseTask.select(CaseTask, User)
        .join(User, JOIN.LEFT_OUTER, on=(CaseTask.assignee == User.id))
        .where(CaseTask.case == case)
    )
    if after_id is not None:
        query = query.where(CaseTask.id > after_id)
    return list(query.order_by(CaseTask.id).limit(limit + 1))
