"""How staff handle a case: who has it (taking and assigning it), where it is (moving it between
workgroups, escalating and de-escalating it) and how urgent it is (its priority).

Every function takes the acting user and the case first and asks portal.policy whether the actor
may do it (NotFound when they may not see the case, NotAllowed otherwise). It then checks the case's
state on the case it was handed and writes with portal.cases.service.transitions.write_case, which
changes the case only while it is still in that state (Conflict otherwise, naming who changed it), in
one transaction with a CaseEvent (actor, time) in the feed; it reindexes the case when its searchable
text changed and tells people through portal.notify.service. The other staff services (details, tasks,
contacts) work the same way and share the helpers of portal.staff.service.shared.
"""

from __future__ import annotations

from datetime import datetime

from portal import policy
from portal.cases.rules import clean_text
from portal.cases.service.search_index import reindex_case
from portal.cases.service.transitions import EVENTS_BY_FIELD, NOT_CLOSED, explain, write_case
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from portal.events import case_events
from portal.i18n import _l
from portal.identifiers import by_uuid
from portal.models.cases import Case, CaseEvent
from portal.models.configuration import PRIORITIES
from portal.models.people import STAFF_ROLES, User
from portal.models.teams import Workgroup
from portal.notify.service import notify_case_event
from portal.staff.labels import priority_label, priority_label_in
from portal.staff.service.shared import STAFF_ONLY, record, require_open

MAX_REASON = 2000


def _refused(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, {field: message})


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


# --- assignment ----------------------------------------------------------------------------------


def _notify_assigned(case: Case, event: CaseEvent, actor: User, now: datetime) -> None:
    """The new assignee learns who gave them the case; the customer only that the team (by name)
    and the assignee's display name handle it: never a staff member's contact details."""
    assignee = case.assignee
    common = {"assignee_name": assignee.display_name}
    notify_case_event("case_assigned", case, event, actor=actor, audiences=("assignee",),
                      extra={**common, "for_assignee": True, "assigned_by": actor.display_name},
                      personal=_priority_for(case), now=now)
    notify_case_event("case_assigned", case, event, actor=actor, audiences=("customer",),
                      extra={**common, "for_assignee": False, "assigned_by": ""}, personal=_priority_for(case),
                      now=now)


def _priority_for(case: Case):
    """The case's priority in each recipient's language, for a notification's `priority`."""
    return lambda person: {"priority": priority_label_in(case.priority, person.language)}


# Assigning is decided on the assignee the actor saw and on the workgroup whose membership was checked.
ASSIGNMENT = (NOT_CLOSED, "assignee", "workgroup")


def _assign(actor: User, case: Case, assignee: User | None, now: datetime) -> CaseEvent:
    previous = case.assignee if case.assignee_id else None
    with database.atomic():
        write_case(actor, case, expect=ASSIGNMENT, now=now, assignee=assignee)
        event = record(case, "assigned", actor, now, data={"from": _name(previous), "to": _name(assignee)})
        if assignee is not None:
            _notify_assigned(case, event, actor, now)
        case_events.assigned(case, actor, event, previous, now)
    return event


def take_case(actor: User, case: Case, *, seen_assignee: str | None = None,
              now: datetime | None = None) -> CaseEvent:
    """Assign the case to the actor (policy.can_take: members of its workgroup, admins any case).
    seen_assignee, when given, is the UUID of the assignee the actor saw ("" for nobody): if that
    is no longer so, someone else took or assigned the case since, and it is not taken from them.
    Raises NotFound, NotAllowed (not a member), InvalidTransition (closed, already theirs) or
    Conflict (someone else took, assigned or moved it meanwhile)."""
    policy.require(policy.can_handle_case, actor, case, message=STAFF_ONLY)
    require_open(actor, case)
    if case.assignee_id == actor.id:
        raise InvalidTransition(_l("You already handle this case."))
    if seen_assignee is not None and seen_assignee != (case.assignee.uuid if case.assignee_id else ""):
        raise Conflict(explain(actor, case, EVENTS_BY_FIELD["assignee"])
                       or _l("Someone else changed who handles this case since you opened it. Look at it again."))
    policy.require(policy.can_take, actor, case, message=_l("Only members of the case's workgroup can take it."))
    return _assign(actor, case, actor, now or utcnow())


def assign_case(actor: User, case: Case, assignee_uuid: str | None, *, now: datetime | None = None) -> CaseEvent:
    """Assign the case to a member of its workgroup, or to nobody (back to the queue) with an empty
    choice (policy.can_assign: supervisors of the case's workgroup and admins; agents may only take
    it, choosing themselves). Raises NotFound, NotAllowed, ValidationFailed ("assignee": not a member,
    unknown), InvalidTransition (closed, no change) or Conflict (changed meanwhile)."""
    policy.require(policy.can_handle_case, actor, case, message=STAFF_ONLY)
    require_open(actor, case)
    assignee = by_uuid(User, assignee_uuid) if assignee_uuid else None
    agent = policy.has_role(actor, "agent")
    if agent and assignee is not None and assignee.id == actor.id:
        return take_case(actor, case, now=now)
    if not policy.can_assign(actor, case, assignee):
        raise NotAllowed(_l("Agents can take a case but not assign it to others. Ask a supervisor.") if agent
                         else _l("Only supervisors of the case's workgroup can assign it."))
    if assignee_uuid:
        if assignee is None or assignee.role not in STAFF_ROLES or not assignee.active:
            raise _refused("assignee", _l("Choose a member of the case's workgroup."))
        if not policy.is_member(assignee, case.workgroup_id):
            raise _refused("assignee", _l("%(person)s is not a member of %(workgroup)s.", person=assignee.display_name,
                                          workgroup=case.workgroup.name) if case.workgroup_id
                           else _l("%(person)s is not a member of any workgroup of the case.",
                                   person=assignee.display_name))
    if (assignee.id if assignee else None) == case.assignee_id:
        raise InvalidTransition(explain(actor, case, ("assigned",)) or _l("The case is already assigned that way."))
    return _assign(actor, case, assignee, now or utcnow())


def move_case(actor: User, case: Case, workgroup_uuid: str | None, *, now: datetime | None = None) -> CaseEvent:
    """Move the case to another workgroup; the assignee stays only if they are a member there
    (policy.can_move: supervisors between their own workgroups, admins anywhere; active workgroups
    only). Raises NotFound, NotAllowed, ValidationFailed ("workgroup"), InvalidTransition or Conflict."""
    policy.require(policy.can_handle_case, actor, case, message=STAFF_ONLY)
    require_open(actor, case)
    target = by_uuid(Workgroup, workgroup_uuid)
    if target is None or not target.active:
        raise _refused("workgroup", _l("Choose an active workgroup from the list."))
    policy.require(policy.can_move, actor, case, target.id,
                   message=_l("Supervisors can move cases only between their own workgroups."))
    if target.id == case.workgroup_id:
        raise InvalidTransition(_l("The case is already with %(workgroup)s.", workgroup=target.name))
    return _move(actor, case, target, "workgroup_changed", now or utcnow())


# A move is decided on the workgroup it leaves, the assignee it keeps or drops and the escalation flag.
MOVE = (NOT_CLOSED, "workgroup", "assignee", "escalated")


def _move(actor: User | None, case: Case, target: Workgroup, kind: str, now: datetime, *, body: str = "",
          escalated: bool | None = None, data: dict | None = None) -> CaseEvent:
    old_workgroup = case.workgroup if case.workgroup_id else None
    previous = old_workgroup.name if old_workgroup is not None else None
    old_assignee, old_escalated = (case.assignee if case.assignee_id else None), case.escalated
    keeps_assignee = case.assignee_id is not None and policy.is_member(case.assignee, target.id)
    dropped = _name(case.assignee) if case.assignee_id and not keeps_assignee else None
    changes: dict = {"workgroup": target}
    if not keeps_assignee:
        changes["assignee"] = None
    if escalated is not None:
        changes["escalated"] = escalated
    with database.atomic():
        write_case(actor, case, expect=MOVE, now=now, **changes)
        event = record(case, kind, actor, now, body=body,
                       data={"from": previous, "to": target.name, "unassigned": dropped, **(data or {})})
        if kind == "escalated":
            notify_case_event("case_escalated", case, event, actor=actor, audiences=("workgroup", "supervisors"),
                              extra={"reason": body, "escalated_by": _name(actor) or "", "from_team": previous or ""},
                              personal=_priority_for(case), now=now)
        if body:
            reindex_case(case.id)
        case_events.moved(kind, case, actor, event, old_workgroup=old_workgroup, old_assignee=old_assignee,
                          old_escalated=old_escalated, reason=body, now=now)
    return event


def escalate_case(actor: User, case: Case, reason: str, *, now: datetime | None = None) -> CaseEvent:
    """Escalate to the template's escalation workgroup with a required reason: the case moves there,
    is marked escalated, keeps its assignee only if they are a member there; the workgroup and its
    supervisors are told. Any staff member who may see the case (policy.can_escalate). Raises NotFound,
    NotAllowed, ValidationFailed ("reason"), InvalidTransition (closed, already escalated, no escalation
    workgroup) or Conflict (moved or escalated meanwhile)."""
    policy.require(policy.can_escalate, actor, case, message=STAFF_ONLY)
    require_open(actor, case)
    if case.escalated:
        raise InvalidTransition(explain(actor, case, ("escalated",)) or _l("This case is already escalated."))
    target = case.template.escalation_workgroup if case.template.escalation_workgroup_id else None
    if target is None or not target.active:
        raise InvalidTransition(_l("Cases of type %(template)s have no escalation workgroup. Ask an administrator "
                                   "to set one on the case template.", template=case.template.name))
    why = clean_text(reason, field="reason", required=_l("Say why the case needs escalating."), limit=MAX_REASON)
    return _move(actor, case, target, "escalated", now or utcnow(), body=why, escalated=True)


# Data of the "escalated" feed entry of a case escalated because it missed a service-level target.
MISSED_TARGET = {"automatically": "missed_target"}


def escalate_automatically(case: Case, target: str, *, now: datetime) -> CaseEvent | None:
    """The breach job escalates a case that missed a service-level target (target: first_response,
    next_response, resolution, ola) to its template's escalation workgroup, like escalate_case does for
    people (feed entry, typed event, the workgroup and its supervisors told), by nobody. None when there is
    nothing to do: the case is already escalated, closed, or its template has no active escalation
    workgroup. Raises Conflict when the case moved meanwhile (the caller's transaction rolls back)."""
    expert = case.template.escalation_workgroup if case.template.escalation_workgroup_id else None
    if case.escalated or case.status.category == "closed" or expert is None or not expert.active:
        return None
    if expert.id == case.workgroup_id:
        return None
    return _move(None, case, expert, "escalated", now, escalated=True, data={**MISSED_TARGET, "target": target})


def deescalate_case(actor: User, case: Case, reason: str = "", *, now: datetime | None = None) -> CaseEvent:
    """Send an escalated case back to the template's default workgroup (escalated becomes False).
    Any staff member who may see it (policy.can_deescalate). Raises NotFound, NotAllowed,
    ValidationFailed, InvalidTransition or Conflict."""
    policy.require(policy.can_deescalate, actor, case, message=STAFF_ONLY)
    require_open(actor, case)
    if not case.escalated:
        raise InvalidTransition(explain(actor, case, ("deescalated",)) or _l("This case is not escalated."))
    target = case.template.default_workgroup if case.template.default_workgroup_id else None
    if target is None or not target.active:
        raise InvalidTransition(_l("Cases of type %(template)s have no default workgroup to return to. Move the "
                                   "case to a workgroup instead.", template=case.template.name))
    why = clean_text(reason, field="reason", required="", limit=MAX_REASON)
    return _move(actor, case, target, "deescalated", now or utcnow(), body=why, escalated=False)


# --- priority ------------------------------------------------------------------------------------


def set_priority(actor: User, case: Case, priority: str, *, now: datetime | None = None) -> CaseEvent:
    """Change the priority (low, normal, high, urgent). Staff who may see the case
    (policy.can_set_priority). Raises NotFound, NotAllowed, ValidationFailed ("priority"),
    InvalidTransition (closed, unchanged) or Conflict (changed meanwhile)."""
    policy.require(policy.can_set_priority, actor, case, message=STAFF_ONLY)
    require_open(actor, case)
    if priority not in PRIORITIES:
        raise _refused("priority", _l("Choose a priority from the list."))
    if priority == case.priority:
        raise InvalidTransition(explain(actor, case, ("priority_changed",), to=PRIORITIES[priority])
                                or _l("The priority is already %(priority)s.", priority=priority_label(priority)))
    now = now or utcnow()
    with database.atomic():
        previous = case.priority
        write_case(actor, case, expect=(NOT_CLOSED, "priority"), now=now, priority=priority)
        event = record(case, "priority_changed", actor, now,
                       data={"from": PRIORITIES.get(previous, previous), "to": PRIORITIES[priority]})
        case_events.priority_changed(case, actor, event, previous, now)
    return event
