"""Reads for the case pages: the case a viewer may see, its field values as people see them, its feed,
files, linked customers and next steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

import peewee

from portal import config_cache, policy, request_memo
from portal.case_config.queries import audience_for
from portal.cases.rules import shown_value
from portal.cases.service.readings import NOT_KNOWN
from portal.errors import NotFound
from portal.fixed_reads import FixedRead
from portal.identifiers import by_uuid
from portal.models.cases import Attachment, Case, CaseCustomerLink, CaseEvent, CaseFieldValue
from portal.models.configuration import CaseField, CaseReason, CaseStatus, CaseTemplate, FieldOption, TemplateField
from portal.models.people import Customer, User
from portal.models.readings import CaseReading
from portal.models.staff import CaseTask
from portal.models.teams import Workgroup


@dataclass
class ShownValue:
    label: str
    text: str
    field_type: str


@dataclass(frozen=True)
class CaseValue:
    """One custom value of a case with what the pages need of its field: its place in the case's
    template (None when the field left the template) and its option's label (None if none)."""

    value: str
    field_id: int
    key: str
    label: str
    field_type: str
    visibility: str
    section: str | None
    position: int | None
    placed_id: int | None
    option_label: str | None


def case_values(case: Case) -> list[CaseValue]:
    """Every custom value of the case (internal fields too) in one query: each value with its field,
    its place in the case's template and its option label. Read once per request that changes
    nothing (the case page shows them and the staff details form starts from them)."""
    return request_memo.remembered(("case_values", case.id), lambda: _case_values(case)) \
        if request_memo.read_only() else _case_values(case)


def _case_values(case: Case) -> list[CaseValue]:
    return [CaseValue(*row) for row in _CASE_VALUES(case.id, case.template_id)]


def _case_values_query(case_id: int, template_id: int):
    return (
        CaseFieldValue.select(CaseFieldValue.value, CaseField.id, CaseField.key, CaseField.label,
                              CaseField.field_type, CaseField.visibility, TemplateField.section,
                              TemplateField.position, TemplateField.id, FieldOption.label)
        .join(CaseField)
        .join(TemplateField, peewee.JOIN.LEFT_OUTER,
              on=((TemplateField.field == CaseField.id) & (TemplateField.template == template_id)))
        .switch(CaseFieldValue)
        .join(FieldOption, peewee.JOIN.LEFT_OUTER,
              on=((FieldOption.field == CaseFieldValue.field) & (FieldOption.value == CaseFieldValue.value)))
        .where(CaseFieldValue.case == case_id)
        .tuples()
    )


_CASE_VALUES = FixedRead(_case_values_query, "int", "int")


def values_by_key(case: Case) -> dict[str, str]:
    """The case's custom values by field key (what the staff details form starts with)."""
    return {value.key: value.value for value in case_values(case)}


def values_by_section(case: Case, viewer: User) -> dict[str, list[ShownValue]]:
    """The case's custom values in the template's two sections, in template order. Values whose field
    left the template (or is inactive) still show, under "more", so nothing a case holds is hidden
    by a template change. Internal fields only for staff."""
    staff = audience_for(viewer) == "staff"
    placed, loose = [], []
    for row in case_values(case):
        if not staff and row.visibility != "customer":
            continue
        field = _FieldFacts(row.field_id, row.field_type)
        shown = ShownValue(row.label, shown_value(field, row.value, {(row.field_id, row.value): row.option_label}
                                                  if row.option_label else {}), row.field_type)
        if row.placed_id is None:
            loose.append((row.label.lower(), shown))
        else:
            placed.append(((0 if row.section == "top" else 1, row.position, row.placed_id), row.section, shown))
    sections: dict[str, list[ShownValue]] = {"top": [], "more": []}
    for _, section, shown in sorted(placed, key=lambda row: row[0]):
        sections[section].append(shown)
    sections["more"].extend(shown for _, shown in sorted(loose, key=lambda row: row[0]))
    return sections


@dataclass(frozen=True)
class _FieldFacts:
    """What shown_value reads of a field."""

    id: int
    field_type: str


def case_with_details(reference: str, *, for_staff: bool = False, reader_id: int | None = None):
    """The case with its template, status, reason, customer, workgroup and the person who filed it
    (the page names a proxy who filed it: a lazy read of its own before) in one query (or None).
    for_staff: also its assignee and its template's escalation and default workgroups, which the
    staff side of the case page shows (joined, instead of one lazy read each). reader_id: also when
    that user last read the case (last_reading(case, user)), which the page records after showing it."""
    case = (_STAFF_CASE if for_staff else _CASE).first((reference or "")[:8], reader_id or 0)
    if case is not None and reader_id:
        case.reading_of = reader_id
    return case


def last_reading(case: Case, user: User):
    """When user last read case (None: never), as the case's read found it when it was read for them
    (case_with_details' reader_id); else readings.NOT_KNOWN, and the service asks the database."""
    if getattr(case, "reading_of", None) != user.id:
        return NOT_KNOWN
    raw = case.last_seen_at
    return None if raw is None else CaseReading.seen_at.python_value(raw)


# What the case's reads carry of the users and workgroups they join besides its own (who filed it, its
# assignee, its template's escalation and default workgroups): what the pages, the rules and the
# notifications read of them; not a user's password hash or sign-in history. Fewer columns to convert
# and a statement short enough for psycopg to keep its parsed form (4,096 characters: the staff read
# was 4,341 and was parsed again on every request).
_USER_COLUMNS = ("id", "uuid", "email", "display_name", "role", "time_zone", "language", "phone", "active")
_WORKGROUP_COLUMNS = ("id", "uuid", "name", "email", "active", "calendar")


def _columns(alias, names: tuple[str, ...]) -> list:
    return [getattr(alias, name) for name in names]


def _case_query(reference: str, reader_id: int, for_staff: bool):
    created_by = User.alias("created_by")
    query = (
        Case.select(Case, CaseTemplate, CaseStatus, CaseReason, Customer, Workgroup,
                    *_columns(created_by, _USER_COLUMNS))
        .join(CaseTemplate)
        .switch(Case)
        .join(CaseStatus)
        .switch(Case)
        .join(CaseReason, peewee.JOIN.LEFT_OUTER)
        .switch(Case)
        .join(Customer)
        .switch(Case)
        .join(Workgroup, peewee.JOIN.LEFT_OUTER)
        .switch(Case)
        .join(created_by, on=(Case.created_by == created_by.id), attr="created_by")
    )
    if for_staff:
        assignee = User.alias("assignee")
        escalation = Workgroup.alias("escalation_workgroup")
        default = Workgroup.alias("default_workgroup")
        query = (
            query.select_extend(*_columns(assignee, _USER_COLUMNS), *_columns(escalation, _WORKGROUP_COLUMNS),
                                *_columns(default, _WORKGROUP_COLUMNS))
            .switch(Case)
            .join(assignee, peewee.JOIN.LEFT_OUTER, on=(Case.assignee == assignee.id), attr="assignee")
            .switch(CaseTemplate)
            .join(escalation, peewee.JOIN.LEFT_OUTER, on=(CaseTemplate.escalation_workgroup == escalation.id),
                  attr="escalation_workgroup")
            .switch(CaseTemplate)
            .join(default, peewee.JOIN.LEFT_OUTER, on=(CaseTemplate.default_workgroup == default.id),
                  attr="default_workgroup")
        )
    # Whether the case has any task and any linked customer: most have neither, and the page then
    # skips those reads (a statement each: about 0.3 ms of client and server CPU on PostgreSQL).
    tasks = CaseTask.select(CaseTask.id).where(CaseTask.case == Case.id)
    links = CaseCustomerLink.select(CaseCustomerLink.id).where(CaseCustomerLink.case == Case.id)
    # and when the viewer last read it (no one has the id 0): the page records a new reading after
    # showing it, and most views find the case unchanged since and write nothing (a statement less)
    seen = (CaseReading.select(CaseReading.seen_at)
            .where((CaseReading.case == Case.id) & (CaseReading.user == reader_id)).limit(1))
    query = query.select_extend(peewee.fn.EXISTS(tasks).alias("has_tasks"),
                                peewee.fn.EXISTS(links).alias("has_links"), seen.alias("last_seen_at"))
    return query.where(Case.reference == reference).limit(1)


_CASE = FixedRead(lambda reference, reader_id: _case_query(reference, reader_id, False), "str", "int")
_STAFF_CASE = FixedRead(lambda reference, reader_id: _case_query(reference, reader_id, True), "str", "int")


class FeedActor:
    """What the feed shows of the person who did something: uuid and name."""

    __slots__ = ("uuid", "display_name")

    def __init__(self, uuid: str, display_name: str):
        self.uuid, self.display_name = uuid, display_name


class FeedEvent:
    """One event of the feed with the columns the case page and the API show, read from the row's values
    as the database gave them (`row`), each converted by the model's field as usual when first asked
    for, not a model instance: building 50 CaseEvent and User instances was a tenth of the case page's
    CPU (issue 12), and converting every value of 50 rows 0.2 ms of it, for a feed whose entries are
    mostly kept (portal.cases.routes.feed_lines keeps an entry's markup under its row: the row is
    every value the event is made of, hashable, its data being the stored JSON text). actor is None
    for the portal itself."""

    def __init__(self, row: tuple):
        self.row = row

    # the values no field converts, as the row has them
    id = property(lambda self: self.row[0])
    kind = property(lambda self: self.row[2])
    actor_id = property(lambda self: self.row[3])
    body = property(lambda self: self.row[5])

    @cached_property
    def uuid(self):
        return _EVENT_UUID(self.row[1])

    @cached_property
    def public(self) -> bool:
        return _PUBLIC(self.row[4])

    @cached_property
    def data(self):
        return _DATA(self.row[6])

    @cached_property
    def created_at(self) -> datetime:
        return _moment(self.row[7])

    @cached_property
    def actor(self) -> FeedActor | None:
        row = self.row
        return FeedActor(_ACTOR_UUID(row[8]), row[9]) if row[3] is not None else None


@dataclass
class FeedEntry:
    event: FeedEvent
    attachments: list
    # A logged contact's own time (stored as ISO text in the event's data), None for other events.
    contacted_at: datetime | None = None


def _contacted_at(event) -> datetime | None:
    if event.kind != "contact_logged":
        return None
    try:
        return datetime.fromisoformat((event.data or {}).get("contacted_at", ""))
    except (TypeError, ValueError):
        return None


def feed_for(case: Case, viewer: User) -> list[FeedEntry]:
    """The activity feed, oldest first, with each entry's actor and files in two queries.
    Internal notes, their files and internal events appear only for staff. The actor carries
    only what the feed shows of a person (uuid and name), not the whole account row."""
    staff = policy.can_see_internal(viewer, case)
    events = [FeedEvent(row) for row in (_STAFF_FEED if staff else _PUBLIC_FEED).rows(case.id)]
    files = (_STAFF_FILES if staff else _PUBLIC_FILES)(case.id)
    by_event: dict[int | None, list] = {}
    for attachment in files:
        by_event.setdefault(attachment.event_id, []).append(attachment)
    entries = [FeedEntry(event, by_event.pop(event.id, []), _contacted_at(event)) for event in events]
    # Files recorded without an event (e.g. on the new-case form) belong to the "created" entry.
    loose = by_event.pop(None, [])
    if loose and entries:
        entries[0].attachments = loose + entries[0].attachments
    return entries


def _feed_events(case_id: int, staff: bool):
    events = (
        CaseEvent.select(CaseEvent.id, CaseEvent.uuid, CaseEvent.kind, CaseEvent.actor, CaseEvent.public,
                         CaseEvent.body, CaseEvent.data, CaseEvent.created_at, User.uuid, User.display_name)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(CaseEvent.actor == User.id))
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.created_at, CaseEvent.id)
    )
    return (events if staff else events.where(CaseEvent.public == True)).tuples()  # noqa: E712


# The feed's columns that the drivers do not give as the fields give them (both give ints and strs as
# they are): converted by their own fields, the others taken as they come (a tenth of the rows' cost).
_EVENT_UUID, _PUBLIC, _DATA = CaseEvent.uuid.python_value, CaseEvent.public.python_value, CaseEvent.data.python_value
_CREATED_AT, _ACTOR_UUID = CaseEvent.created_at.python_value, User.uuid.python_value


def _moment(value):
    """_CREATED_AT(value), written out for the stored text SQLite gives (psycopg gives a datetime): peewee
    normalises the text and parses it in a chain of calls, half of an event's conversions."""
    if value.__class__ is str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return _CREATED_AT(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return _CREATED_AT(value)


def _feed_files(case_id: int, staff: bool):
    files = Attachment.select().where(Attachment.case == case_id).order_by(Attachment.created_at, Attachment.id)
    return files if staff else files.where(Attachment.public == True)  # noqa: E712


_STAFF_FEED = FixedRead(lambda case_id: _feed_events(case_id, True), "int")
_PUBLIC_FEED = FixedRead(lambda case_id: _feed_events(case_id, False), "int")
_STAFF_FILES = FixedRead(lambda case_id: _feed_files(case_id, True), "int")
_PUBLIC_FILES = FixedRead(lambda case_id: _feed_files(case_id, False), "int")


def attachment_for_viewer(case: Case, viewer: User, attachment_uuid: str):
    """An attachment of the case the viewer may download (policy.can_download_file), or None."""
    attachment = by_uuid(Attachment, attachment_uuid)  # can_download_file checks it is this case's
    return attachment if policy.can_download_file(viewer, case, attachment) else None


def linked_customers(case: Case) -> list[Customer]:
    return _LINKED.list(case.id) if may_have(case, "has_links") else []


_LINKED = FixedRead(lambda case_id: (
    Customer.select()
    .join(CaseCustomerLink, on=(CaseCustomerLink.customer == Customer.id))
    .where(CaseCustomerLink.case == case_id)
    .order_by(Customer.first_name, Customer.last_name)
), "int")


def next_steps(case: Case) -> list[CaseTask]:
    """The case's customer-visible tasks (the "Next steps" on the customer's case page): open ones
    first, earliest due first (undated last)."""
    return _NEXT_STEPS.list(case.id) if may_have(case, "has_tasks") else []


def may_have(case: Case, flag: str) -> bool:
    """False when the case was read with case_with_details and that read found none (flag "has_tasks"
    or "has_links"); True when it found some, or when the case was read otherwise (then the list is
    read to know)."""
    return bool(getattr(case, flag, True))


_NEXT_STEPS = FixedRead(lambda case_id: (
    CaseTask.select()
    .where((CaseTask.case == case_id) & (CaseTask.customer_visible == True))  # noqa: E712
    .order_by(CaseTask.status.desc(), CaseTask.due_date.is_null(), CaseTask.due_date, CaseTask.id)
), "int")


def case_for_viewer(user: User, reference: str) -> Case:
    """The case with this reference if the user may see it, else NotFound (never NotAllowed)."""
    case = case_with_details(reference, for_staff=policy.is_staff(user), reader_id=getattr(user, "id", None))
    if case is None or not policy.can_view_case(user, case):
        raise NotFound()
    return case


def follow_up_source(actor: User, reference: str | None) -> Case | None:
    """The case a new one is to follow up (from "open a follow-up case" on a closed case): only one
    the actor may see; None for no reference or one they may not see. Anyone may call it."""
    if not reference:
        return None
    try:
        return case_for_viewer(actor, reference)
    except NotFound:
        return None


def statuses_to_choose() -> tuple[CaseStatus, ...]:
    """The statuses staff may move a case to by hand: the active ones, except resolved (that takes a
    proposed resolution), in the admin's order. Read once per configuration change (portal.config_cache:
    an open case's staff page asked for them on every view); shared, to read only."""
    return config_cache.cached(("statuses_to_choose",), lambda: tuple(_STATUSES_TO_CHOOSE.list()))


_STATUSES_TO_CHOOSE = FixedRead(lambda: (
    CaseStatus.select()
    .where((CaseStatus.active == True) & (CaseStatus.category != "resolved"))  # noqa: E712
    .order_by(CaseStatus.position, CaseStatus.name)
))
