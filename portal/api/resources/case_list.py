"""GET /cases: the cases the token's user may see, filtered, in pages with a keyset cursor.

One statement reads a page, whatever its size: each case joined to its template, status, customer,
workgroup and assignee, limited by portal.policy.case_visibility (or, with `q`, by the pages' keyword
search, which includes it). Filters by UUID are conditions on the joined rows, so an unknown UUID
simply matches nothing and costs no lookup.

Two orders, both keyed on a value and the case's UUID (unique), so a page starts strictly after the
last case of the previous one:
- `-opened_at` (default): newest first. A case's opening time never changes, so paging through never
  repeats or skips a case, whatever is opened or changed meanwhile; cases opened after the first page
  was read are not in this pass (they come before it): start again, or use `updated_at`.
- `updated_at`: least recently changed first, for synchronising. A case changed while you page moves
  to the end, so it is seen again there (at least once, never skipped); keep the last page's cursor
  and come back for what changed since.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Literal

import peewee
import pydantic
from flask_login import current_user

from portal import policy
from portal.api.framework import ApiError, operation
from portal.api.pagination import BAD_CURSOR, DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from portal.api.resources.case_models import CaseList, Category, Priority
from portal.api.resources.case_reads import summary_of
from portal.api.schemas import Model
from portal.cases.queries.search import search_condition
from portal.i18n import _l
from portal.identifiers import parse_uuid
from portal.models.cases import Case
from portal.models.configuration import CaseStatus, CaseTemplate
from portal.models.people import Customer, User
from portal.models.teams import Workgroup

STAFF_FILTER = _l("Only staff can filter cases by this.")


def _uuid(value: str | None) -> str | None:
    if value is None:
        return None
    text = parse_uuid(value)
    if text is None:
        raise ValueError("must be a UUID")
    return text



class CaseListQuery(Model):
    status_category: list[Category] | None = pydantic.Field(
        default=None, description="Only cases whose status is in one of these categories (repeat the "
                                  "parameter for several).")
    status: str | None = pydantic.Field(default=None, description="A status UUID.")
    template: str | None = pydantic.Field(default=None, description="A case template UUID.")
    workgroup: str | None = pydantic.Field(default=None, description="A workgroup UUID.")
    customer: str | None = pydantic.Field(default=None, description="The primary customer's profile UUID.")
    assignee: str | None = pydantic.Field(default=None, description="Staff only: a staff member's UUID, `me`, "
                                                                    "or `none` for unassigned cases.")
    priority: list[Priority] | None = pydantic.Field(default=None, description="Staff only; repeat for several.")
    updated_since: pydantic.AwareDatetime | None = pydantic.Field(
        default=None, description="Only cases changed at or after this time: ISO 8601 with a time zone, e.g. "
                                  "2026-03-01T08:00:00Z (encode a + offset as %2B).")
    q: str | None = pydantic.Field(default=None, max_length=500, description="Keywords, searched as on the case "
                                                                             "pages (all words must match).")
    order: Literal["-opened_at", "updated_at"] = pydantic.Field(
        default="-opened_at", description="-opened_at: newest first (stable while paging); updated_at: least "
                                          "recently changed first (for synchronising).")
    limit: int = pydantic.Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = pydantic.Field(default=None, max_length=1000,
                                        description="The next_cursor of the previous page.")

    @pydantic.field_validator("status", "template", "workgroup", "customer")
    @classmethod
    def _uuids(cls, value):
        return _uuid(value)

    @pydantic.field_validator("assignee")
    @classmethod
    def _assignee(cls, value):
        return value if value in (None, "me", "none") else _uuid(value)


Assignee = User.alias("assignee_user")


def _rows():
    """Only the columns a summary shows (building rows into objects is most of a list's cost)."""
    return (
        Case.select(Case.id, Case.uuid, Case.reference, Case.title, Case.priority, Case.escalated, Case.opened_at,
                    Case.updated_at, Case.assignee, Case.workgroup, Case.status, Case.template, Case.customer,
                    CaseTemplate.id, CaseTemplate.uuid, CaseTemplate.name,
                    CaseStatus.id, CaseStatus.uuid, CaseStatus.name, CaseStatus.category,
                    Customer.id, Customer.uuid, Customer.first_name, Customer.last_name,
                    Workgroup.id, Workgroup.uuid, Workgroup.name,
                    Assignee.id, Assignee.uuid, Assignee.display_name)
        .join(CaseTemplate)
        .switch(Case)
        .join(CaseStatus)
        .switch(Case)
        .join(Customer)
        .switch(Case)
        .join(Workgroup, peewee.JOIN.LEFT_OUTER)
        .switch(Case)
        .join(Assignee, peewee.JOIN.LEFT_OUTER, on=(Case.assignee == Assignee.id), attr="assignee_user")
    )


def _kind(query: CaseListQuery, user: User) -> str:
    """What a cursor is bound to: this user and these filters (not the page size)."""
    filters = query.model_dump(mode="json", exclude={"cursor", "limit"})
    digest = hashlib.sha256(json.dumps([user.uuid, filters], sort_keys=True).encode()).hexdigest()[:16]
    return f"cases:{digest}"


def _after(query: CaseListQuery, key: list | None):
    if key is None:
        return None
    try:
        moment, case_uuid = datetime.fromisoformat(key[0]), str(key[1])
    except (ValueError, TypeError, IndexError):
        raise ApiError(400, "invalid_cursor", BAD_CURSOR, {"cursor": BAD_CURSOR}) from None
    if query.order == "updated_at":
        return (Case.updated_at > moment) | ((Case.updated_at == moment) & (Case.uuid > case_uuid))
    return (Case.opened_at < moment) | ((Case.opened_at == moment) & (Case.uuid < case_uuid))


@operation("/cases", "GET", scope="cases:read", tag="Cases", query=CaseListQuery, response=CaseList,
           summary="List and search cases")
def list_cases(query: CaseListQuery) -> CaseList:
    """The cases the token's user may see, as on their dashboard or the staff lists, filtered and in pages.
    Follow `next_cursor` (with the same filters) until it is null.

    Ordering and stability: `order=-opened_at` (default) lists the newest first; paging through it never
    repeats or skips a case, whatever is opened or changed meanwhile (cases opened after the first page
    are not in the pass). `order=updated_at` lists the least recently changed first: a case changed while
    you page moves to the end and is seen again (never skipped), which suits synchronising with
    `updated_since`.

    Customers and proxies cannot filter by priority or assignee (they do not see them)."""
    user = current_user
    staff = policy.is_staff(user)
    refused = {name: STAFF_FILTER for name in ("priority", "assignee") if getattr(query, name) and not staff}
    if refused:
        raise ApiError(422, "invalid", STAFF_FILTER, refused)
    kind = _kind(query, user)
    rows = _rows()
    rows = rows.where(search_condition(user, query.q, staff=staff) if query.q else policy.case_visibility(user))
    conditions = []
    if query.status_category:
        conditions.append(CaseStatus.category.in_(query.status_category))
    if query.status:
        conditions.append(CaseStatus.uuid == query.status)
    if query.template:
        conditions.append(CaseTemplate.uuid == query.template)
    if query.workgroup:
        conditions.append(Workgroup.uuid == query.workgroup)
    if query.customer:
        conditions.append(Customer.uuid == query.customer)
    if query.assignee == "me":
        conditions.append(Case.assignee == user.id)
    elif query.assignee == "none":
        conditions.append(Case.assignee.is_null())
    elif query.assignee:
        conditions.append(Assignee.uuid == query.assignee)
    if query.priority:
        conditions.append(Case.priority.in_(query.priority))
    if query.updated_since:
        conditions.append(Case.updated_at >= query.updated_since)
    after = _after(query, decode_cursor(kind, query.cursor))
    if after is not None:
        conditions.append(after)
    for condition in conditions:
        rows = rows.where(condition)
    if query.order == "updated_at":
        rows = rows.order_by(Case.updated_at, Case.uuid)
    else:
        rows = rows.order_by(Case.opened_at.desc(), Case.uuid.desc())
    page = list(rows.limit(query.limit + 1))
    more = len(page) > query.limit
    page = page[:query.limit]
    items = [summary_of(case, staff, getattr(case, "assignee_user", None) if case.assignee_id else None)
             for case in page]
    next_cursor = None
    if more:
        last = page[-1]
        moment = last.updated_at if query.order == "updated_at" else last.opened_at
        next_cursor = encode_cursor(kind, [moment.isoformat(), last.uuid])
    return CaseList(items=items, next_cursor=next_cursor)
