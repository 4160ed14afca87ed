"""The staff workspace's own pages: home (my cases, my workgroups' queues, my tasks), the staff search
and the supervisor's view. Thin views: read the filters, call the queries, render."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from portal.i18n import format_number
from portal.identifiers import by_uuid
from portal.models.people import STAFF_ROLES, Customer, User
from portal.models.teams import Workgroup
from portal.pagination import page_number, paginate
from portal.staff import queries
from portal.staff.forms import AssignForm, CaseSearchForm
from portal.web_helpers import role_required

staff_only = role_required(*STAFF_ROLES)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/", view_func=home, methods=["GET"])
    bp.add_url_rule("/search", view_func=search, methods=["GET"])
    bp.add_url_rule("/supervisor", view_func=supervisor, methods=["GET"])


@staff_only
def home():
    filters = queries.QueueFilters.from_args(request.args)
    workgroups = queries.queue_workgroups(current_user)
    return render_template(
        "staff/home.html",
        filters=filters,
        mine=paginate(queries.my_cases(current_user, filters), filters.mine_page, queries.PAGE_SIZE),
        workgroups=workgroups,
        queue=paginate(queries.queue_cases(current_user, workgroups, filters), filters.queue_page,
                       queries.PAGE_SIZE),
        queue_counts=queries.queue_counts(current_user, workgroups, filters),
        my_tasks=queries.my_open_tasks(current_user),
        templates=list(queries.open_templates()),
        due_sort_link=queries.due_sort_link,
    )


@staff_only
def search():
    form = CaseSearchForm(request.args)
    customer = by_uuid(Customer, request.args.get("customer"))
    text = form.q.data or "" if form.validate() else ""
    # count=1: the "Count matches" link of a page that listed a common word's newest matches uncounted.
    counted = request.args.get("count") == "1"
    page = None
    if text.strip() or customer is not None:
        page = queries.search_page(current_user, text, customer, page_number(request.args.get("page")),
                                   counted=counted)
    more_than = page.more_than if page is not None and page.total is None else None
    return render_template("staff/search.html", form=form, customer=customer, page=page, text=text,
                           counted=counted, more_than=None if more_than is None else format_number(more_than),
                           may_count=more_than is not None and more_than < queries.search_count_limit()), (
        200 if not form.errors else 400)


@role_required("supervisor", "admin")
def supervisor():
    workgroups = queries.supervised_workgroups(current_user)
    agent = by_uuid(User, request.args.get("agent"))
    workgroup = by_uuid(Workgroup, request.args.get("workgroup"))
    unassigned = request.args.get("unassigned") == "1"
    at_risk = request.args.get("at_risk") == "1"
    sort = "due" if at_risk else queries.sort_key(request.args.get("sort"))
    order = "desc" if sort and request.args.get("order") == "desc" else ""
    drilled = agent is not None or workgroup is not None or at_risk
    page = None
    members = {}
    if drilled:
        page = paginate(queries.drill_down(current_user, workgroups, agent=agent, workgroup=workgroup,
                                           unassigned=unassigned, at_risk=at_risk, sort=sort,
                                           descending=order == "desc"),
                        page_number(request.args.get("page")), queries.PAGE_SIZE)
        members = queries.members_by_workgroup(list({c.workgroup_id for c in page.items if c.workgroup_id}))
    return render_template("staff/supervisor.html", workgroup_loads=queries.workgroup_loads(workgroups),
                           agent_loads=queries.agent_loads(workgroups), agent=agent, workgroup=workgroup,
                           unassigned=unassigned, at_risk=at_risk, page=page, members=members, sort=sort,
                           order=order, due_sort_link=queries.due_sort_link,
                           assign_form=AssignForm(prefix="assign"))
