"""Who hears of what happens to a case, and the outbox rows that tell them; the admins' writes to
the rules table.

Services call `notify_case_event(...)` (or the notify_* function for their change) inside their
transaction (transactional outbox): the rows exist if and only if the change committed. Audiences
are resolved by portal.notify.queries, filtered by the same visibility policy as the pages, then
`channels_for` picks each one's channels. Nobody is told of their own action, except in the receipt
for a case they filed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

import peewee

import notifier
from portal.clock import utcnow
from portal.db import database
from portal.errors import ValidationFailed
from portal.i18n import _l
from portal.mail_in.threading import reply_address
from portal.models.cases import Case, CaseEvent
from portal.models.configuration import PRIORITIES, CaseStatus
from portal.models.notifications import NotificationRule
from portal.models.people import User
from portal.notification_preferences.service import unsubscribe_headers
from portal.notify.catalogue import event_title
from portal.notify.queries import (
    Person,
    RuleBook,
    audience_members,
    case_context,
    latest_staff_reply,
    missing_templates,
    rule_book,
    template_id,
)
from portal.notify.rules import (
    AUDIENCE_LABELS,
    AUDIENCES,
    CHANNELS,
    CUSTOMER_AUDIENCES,
    EVENT_AUDIENCES,
    RULE_EVENTS,
    cell_name,
    excerpt,
    fitted,
    variant_for,
)
from portal.notify.wording import recipient_locale, recipient_zone, worded_context
from portal.policy import is_staff, require_admin, viewers_of_case
from portal.service_levels.expectations import Expectation, expectation_for, format_promise

CUSTOMER_SIDE = CUSTOMER_AUDIENCES


def handlers_audience(case: Case) -> tuple[str, ...]:
    """Who handles a case: its assignee, or its workgroup while nobody is assigned."""
    return ("assignee",) if case.assignee_id else ("workgroup",)


def notify_case_event(event: str, case: Case, occurrence: CaseEvent, **who) -> int:
    """Queue `event` for every person in `audiences` (per the rules), except the actor.

    `occurrence` is the feed entry that caused it: its UUID makes the outbox key, so the same
    occurrence can never be sent twice. `who` is what plan_case_event takes. Returns the number of
    messages queued.
    """
    return plan_case_event(event, case, **who).send(occurrence)


@dataclass(frozen=True)
class Notice:
    """The messages of one event, worked out (who, on which channels, with which variables) and
    not yet written: a service can plan before its transaction and send inside it."""

    event: str
    case: Case
    outgoing: tuple[notifier.Outgoing, ...]
    now: datetime

    def send(self, occurrence: CaseEvent) -> int:
        """Write the messages, keyed by the occurrence that caused them, in one INSERT. Returns how many."""
        return notifier.enqueue_all(self.event, f"{self.event}:{occurrence.uuid}", self.outgoing,
                                    variant=variant_for(self.case.template), topic=self.case.reference,
                                    thread=self.case.uuid, now=self.now)


def plan_case_event(
    event: str,
    case: Case,
    *,
    actor: User | None,
    audiences: tuple[str, ...],
    extra: dict | None = None,
    now: datetime | None = None,
    include_actor: bool = False,
    personal: Callable[[Person], dict] | None = None,
    skip: Collection[str] = (),
    told: set[str] | None = None,
    rules: RuleBook | None = None,
) -> Notice:
    """The messages telling every person in `audiences` (per the rules) of `event`, except the actor.

    Receipts pass include_actor=True (nobody is told of their own action otherwise).
    `personal(person)` adds variables that differ per recipient; every message has `for_staff` (the
    recipient is staff). Values of `extra` and `personal` that are text for people may be given as
    datetimes, dates or lazy labels (_l): each recipient gets them in their language and time zone.
    People whose key is in `skip` are left out; the keys of those told are
    added to `told`. `rules` is the case template's rule book when the caller already read it (for
    several events of one change). The case may be one not yet stored (see plan_case_opened).

    The statements it runs do not grow with the number of people: one read of the rules, one per
    audience, at most two for the visibility of all of them; Notice.send then writes one INSERT.
    """
    offered = EVENT_AUDIENCES.get(event, ())
    if not set(audiences) <= set(offered):
        raise ValueError(f"{event} is not offered to {sorted(set(audiences) - set(offered))} in the rules table")
    now = now or utcnow()
    rules = rules or rule_book(case.template_id)
    people: dict[str, tuple[Person, set[str]]] = {}
    for audience in audiences:
        channels = rules.channels(event, audience)
        if not channels:
            continue
        for person in audience_members(case, audience):
            is_actor = actor is not None and person.user is not None and person.user.id == actor.id
            if (is_actor and not include_actor) or person.key in skip:
                continue
            known = people.setdefault(person.key, (person, set()))
            known[1].update(channels)
    # Staff and customers are told only of cases they may open: the same policy as the pages.
    viewers = viewers_of_case([person.user for person, _ in people.values() if person.user], case)
    outgoing = []
    for person, channels in people.values():
        if person.user is not None and person.user.id not in viewers:
            continue
        # In the recipient's words: moments in their zone, labels and dates in their language.
        own = worded_context({**(extra or {}), **(personal(person) if personal else {})},
                             language=person.language, time_zone=person.time_zone)
        context = fitted({**case_context(case, person.name, person.time_zone, person.language),
                          "for_staff": person.user is not None and is_staff(person.user), **own})
        recipients = []
        if "email" in channels and person.email:
            recipients.append(notifier.Recipient("email", person.email, name=person.name, language=person.language,
                                                 ref=person.user.uuid if person.user else person.key))
        if "sms" in channels and person.phone:
            recipients.append(notifier.Recipient("sms", person.phone, name=person.name, language=person.language,
                                                 ref=person.user.uuid if person.user else person.key))
        if not recipients:
            continue
        headers = unsubscribe_headers(person.user.uuid, event) if person.user else None
        # Replies thread by a reply address naming this case and this person (portal.mail_in.threading).
        reply_to = reply_address(case.uuid, person.user.uuid, now=now) if person.user else None
        if reply_to:
            headers = {**(headers or {}), "Reply-To": reply_to}
        outgoing.append(notifier.Outgoing(recipients, context, headers))
        if told is not None:
            told.add(person.key)
    return Notice(event, case, tuple(outgoing), now)


# --- what each case change tells whom (called by the services inside their transaction) ---------------


def notify_case_opened(case: Case, created: CaseEvent, actor: User, *, now: datetime | None = None) -> int:
    """A new case: a receipt to whoever filed it (a proxy as the internal contact, the customer
    filing for themselves) and word to the customer side when someone filed it for them
    (case_created); its workgroup, or its assignee when filed already assigned, hears of it
    (case_opened_for_team) unless they filed it themselves."""
    return sum(notice.send(created) for notice in plan_case_opened(case, actor, now=now))


def promise_for(expected: Expectation | None, person: Person) -> dict:
    """The receipt's expected_answer and team_back_at, in the person's language and time zone."""
    if expected is None or expected.kind != "answer":
        return {"expected_answer": "", "team_back_at": ""}
    zone, locale = recipient_zone(person.time_zone), recipient_locale(person.language)
    return {"expected_answer": format_promise(expected.due, zone, locale),
            "team_back_at": format_promise(expected.back_at, zone, locale) if expected.back_at else ""}


def plan_case_opened(case: Case, actor: User, *, now: datetime | None = None,
                     rules: RuleBook | None = None) -> list[Notice]:
    """notify_case_opened's messages, worked out before the case is stored: opening a case plans
    them before its transaction (with the rule book it read) and sends them inside it. The case's
    reference, UUID and links must be final: plan again if they change."""
    on_behalf = actor.id != case.customer.user_id
    rules = rules or rule_book(case.template_id)
    expected = expectation_for(case, now or utcnow())
    return [
        plan_case_event(
            "case_created", case, actor=actor, audiences=CUSTOMER_SIDE, include_actor=True,
            extra={"filed_by": actor.display_name if on_behalf else "", "on_behalf": on_behalf},
            personal=lambda person: {"you_filed": person.user is not None and person.user.id == actor.id,
                                     **promise_for(expected, person)},
            now=now, rules=rules),
        plan_case_event(
            "case_opened_for_team", case, actor=actor, audiences=(*handlers_audience(case), "supervisors"),
            extra={"priority": PRIORITIES.get(case.priority, case.priority), "case_summary": excerpt(case.summary),
                   "filed_by": actor.display_name,
                   "assignee_name": case.assignee.display_name if case.assignee_id else ""},
            now=now, rules=rules),
    ]


def notify_status_changed(case: Case, event: CaseEvent, actor: User, previous: CaseStatus, *,
                          now: datetime | None = None) -> int:
    """Staff changed the status with the status picker (case.status is the new one). A closed status
    tells the customer side and the assignee (case_closed); a waiting status tells the customer side,
    with the team's latest public reply (case_waiting). Then case_status_changed goes to whoever the
    rules route it to, except those just told of this change."""
    status = case.status
    told: set[str] = set()
    queued = 0
    rules = rule_book(case.template_id)
    if status.category == "closed":
        queued += notify_case_event("case_closed", case, event, actor=actor, audiences=(*CUSTOMER_SIDE, "assignee"),
                                    extra={"closed_by": actor.display_name, "resolution": case.resolution},
                                    now=now, told=told, rules=rules)
    elif status.category == "waiting":
        reply = latest_staff_reply(case)
        queued += notify_case_event(
            "case_waiting", case, event, actor=actor, audiences=CUSTOMER_SIDE,
            extra={"changed_by": actor.display_name, "latest_reply": excerpt(reply.body) if reply else "",
                   "latest_reply_by": reply.actor.display_name if reply else ""},
            now=now, told=told, rules=rules)
    return queued + notify_case_event(
        "case_status_changed", case, event, actor=actor, audiences=AUDIENCES,
        extra={"changed_by": actor.display_name, "from_status": previous.name, "to_status": status.name},
        now=now, skip=told, rules=rules)


def notify_resolution_accepted(case: Case, event: CaseEvent, actor: User, *, rating: int | None, remark: str,
                               now: datetime | None = None) -> int:
    """The customer side accepted the resolution and the case closed: the rest of the customer side
    hears that it is closed (case_closed); the assignee (the workgroup while unassigned, and the
    supervisors if the rules say so) hears it was accepted, with the rating and remark."""
    rules = rule_book(case.template_id)
    queued = notify_case_event("case_closed", case, event, actor=actor, audiences=CUSTOMER_SIDE,
                               extra={"closed_by": actor.display_name, "resolution": case.resolution}, now=now,
                               rules=rules)
    return queued + notify_case_event(
        "case_resolution_accepted", case, event, actor=actor, audiences=(*handlers_audience(case), "supervisors"),
        extra={"author_name": actor.display_name, "resolution": case.resolution, "rating": rating or 0,
               "remark": excerpt(remark)},
        now=now, rules=rules)


# --- the rules table, edited by admins ------------------------------------------------------------


def save_rules(actor, case_template, choices: dict[tuple[str, str], set[str]]) -> int:
    """Store the whole table for one scope (a template, or None for every template): one row per
    offered (event, audience) with the chosen channels. Admins only (NotAllowed otherwise);
    ValidationFailed for unknown events, audiences or channels, for an audience the event never
    reaches, and for a channel the event has no template for in this scope (nothing is saved; the
    message of each refused cell is under `cell_name(...)`). Returns the number of rows written."""
    require_admin(actor)
    for (event, audience), channels in choices.items():
        if event not in EVENT_AUDIENCES or audience not in AUDIENCES or not set(channels) <= set(CHANNELS):
            raise ValidationFailed(_l("That rule table names an unknown event, audience or channel."))
        if channels and audience not in EVENT_AUDIENCES[event]:
            raise ValidationFailed(_l("“%(event)s” is never sent to the audience “%(audience)s”, so it has no "
                                      "channels to choose there.", event=event_title(event),
                                      audience=AUDIENCE_LABELS[audience]))
    missing = missing_templates(case_template)
    refused = {
        cell_name(event, audience, channel): _no_template_message(event, channel)
        for (event, audience), channels in choices.items()
        for channel in sorted(channels)
        if (event, channel) in missing
    }
    if refused:
        raise ValidationFailed(
            _l("Some choices name a channel that has no message template for the event, so nothing could be "
               "sent. Create the template first, or leave that channel off. Nothing was saved."), refused)
    scope_id = template_id(case_template)
    now = utcnow()
    rows = [
        {"case_template": scope_id, "event": event, "audience": audience,
         "email": "email" in choices.get((event, audience), ()), "sms": "sms" in choices.get((event, audience), ()),
         "updated_at": now}
        for event in RULE_EVENTS
        for audience in EVENT_AUDIENCES[event]
    ]
    with database.atomic():
        _delete_scope(scope_id)
        try:
            NotificationRule.insert_many(rows).execute()
        except peewee.IntegrityError:
            raise ValidationFailed(_l("Someone saved these rules at the same time; reload and try again.")) from None
    return len(rows)


def _no_template_message(event: str, channel: str):
    if channel == "sms":
        return _l("“%(event)s” has no text message template yet.", event=event_title(event))
    return _l("“%(event)s” has no email template yet.", event=event_title(event))


def reset_rules(actor, case_template) -> int:
    """Forget the stored rules of one scope, so it falls back (template → default → built-in).
    Admins only. Returns the number of rows removed."""
    require_admin(actor)
    with database.atomic():
        return _delete_scope(template_id(case_template))


def _delete_scope(scope_id: int | None) -> int:
    scope = (
        NotificationRule.case_template.is_null()
        if scope_id is None
        else NotificationRule.case_template == scope_id
    )
    return NotificationRule.delete().where(scope).execute()


# The targets as notifications name them (in the recipient's language).
SLA_TARGET_LABELS = {
    "first_response": _l("First response"),
    "next_response": _l("Next response"),
    "resolution": _l("Resolution"),
    "ola": _l("Escalation workgroup's target"),
}


@dataclass(frozen=True)
class _Occurrence:
    """What a service-level notification is keyed by (it has no feed entry): the case, the target and its due
    moment, so a warning or breach of one target is never sent twice."""

    uuid: str


def notify_service_level(case: Case, target: str, what: str, *, now: datetime | None = None) -> int:
    """A target of the case reached its warning share (what="warned": sla_warning to its assignee, or its
    workgroup while nobody is assigned) or was missed (what="breached": sla_breached, the supervisors too).
    Told by nobody: the breach job calls it."""
    event = "sla_breached" if what == "breached" else "sla_warning"
    audiences = (*handlers_audience(case), "supervisors") if what == "breached" else handlers_audience(case)
    due = getattr(case, f"{target}_due")
    occurrence = _Occurrence(f"{case.uuid}:{target}:{due.isoformat() if due else ''}")
    notice = plan_case_event(event, case, actor=None, audiences=audiences, now=now,
                             extra={"target": SLA_TARGET_LABELS[target], "due_at": due,
                                    "priority": PRIORITIES.get(case.priority, case.priority)})
    return notice.send(occurrence)
