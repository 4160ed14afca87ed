"""Opening cases. Business rules and the transaction live here; every channel calls open_case()."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import peewee

from portal import config_cache, policy
from portal.case_config.queries import Layout, audience_for, template_layout, template_offered_to
from portal.case_config.service import system_status
from portal.case_config.service.values import validate_case_values
from portal.cases.service.attachments import record_attachments, remove_stored, store_uploads
from portal.cases.service.search_index import documents_for_new_case, store_documents
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from portal.events import case_events
from portal.files.storage import StorageUnavailable
from portal.fixed_reads import FixedRead
from portal.fixed_writes import insert_row
from portal.i18n import _l
from portal.identifiers import by_uuid, parse_uuid
from portal.models.assets import Asset
from portal.models.cases import CASE_CHANNELS, Case, CaseEvent, CaseFieldValue
from portal.models.configuration import CaseTemplate
from portal.models.people import Account, Customer, User
from portal.models.teams import Workgroup
from portal.notify.queries import rule_book
from portal.notify.service import plan_case_opened
from portal.service_levels.case_targets import opening_targets
from portal.submissions import service as submissions


def new_reference() -> str:
    """8 random digits, never starting with 0 (so it reads the same as a number)."""
    return str(10_000_000 + secrets.randbelow(90_000_000))


@dataclass(frozen=True)
class FilingTarget:
    """Whom a case is for: a customer profile, its account (if any) and optionally one of its assets."""

    customer: Customer
    account: Account | None
    asset: Asset | None


def filing_target(actor: User, *, customer_uuid: object, account_uuid: object = None,
                  asset_uuid: object = None) -> FilingTarget:
    """Resolve the account, contact and asset chosen in the new-case flow (public UUIDs from links and
    forms, so anything may arrive) and check them with check_filing_target().

    Anyone signed in may call it. Customers never pick an account, so theirs is ignored and no
    message names another account's contacts or assets to them. Raises ValidationFailed with a
    message under "account", "customer" or "asset" (unknown, or not belonging together) and
    NotAllowed (a customer naming someone else).
    """
    customer_side = audience_for(actor) == "customer"
    account = None
    if account_uuid and not customer_side:
        account = by_uuid(Account, account_uuid)
        if account is None:
            raise _refused("account", _l("We could not find that account. Search for it again."))
    customer = None
    customer_text = parse_uuid(customer_uuid)
    if customer_text:  # junk never reaches the database
        customer = (
            Customer.select(Customer, Account)
            .join(Account, peewee.JOIN.LEFT_OUTER)
            .where(Customer.uuid == customer_text)
            .first()
        )
    if customer is None:
        raise _refused("customer", _l("We could not find that customer. Choose the customer again."))
    if customer_side:
        check_filing_target(actor, customer)  # their own profile, before anything else is looked at
    if account is not None and customer.account_id != account.id:
        raise _refused("customer", _l("%(customer)s is not a contact of %(account)s. Choose one of its contacts.",
                                      customer=customer.full_name, account=account.name))
    asset = find_asset(asset_uuid) if asset_uuid else None
    check_filing_target(actor, customer, asset)
    return FilingTarget(customer=customer, account=customer.account if customer.account_id else None, asset=asset)


# A customer's own profile with its account: every submission of a customer reads it (SQL built once).
_OWN_PROFILE = FixedRead(lambda user_id: (Customer.select(Customer, Account)
                                          .join(Account, peewee.JOIN.LEFT_OUTER)
                                          .where(Customer.user == user_id)
                                          .limit(1)), "int")


def own_filing_target(actor: User) -> FilingTarget | None:
    """A customer's own profile as whom the case is for (what filing_target() gives for it), read in one
    statement; None when the user has no customer profile. Raises NotAllowed as check_filing_target()."""
    customer = _OWN_PROFILE.first(actor.id)
    if customer is None:
        return None
    check_filing_target(actor, customer)
    return FilingTarget(customer=customer, account=customer.account if customer.account_id else None, asset=None)


def find_asset(asset_uuid: object) -> Asset:
    """The asset a form or link names by its public UUID. Raises ValidationFailed ("asset") when there
    is none; whether it may be chosen is check_filing_target()'s question."""
    asset = by_uuid(Asset, asset_uuid)
    if asset is None:
        raise _refused("asset", _l("We could not find that product or asset. Choose it again, or none."))
    return asset


def check_filing_target(actor: User, customer: Customer, asset: Asset | None = None) -> None:
    """Whether actor may open a case for customer about asset: a customer only for their own profile;
    a proxy only for a contact of an account; staff for anyone. The asset must be an active one of
    the customer's account. Raises NotAllowed or ValidationFailed ("customer", "asset")."""
    audience = audience_for(actor)
    if audience == "customer":
        if customer.user_id != actor.id:
            raise NotAllowed(_l("You can only open cases for yourself."))
    elif audience == "proxy":
        if customer.account_id is None:
            raise _refused("customer", _l("%(customer)s is not a contact of any account. You can open cases only "
                                          "for contacts of an account.", customer=customer.full_name))
    elif audience != "staff":
        raise NotAllowed()
    if asset is None:
        return
    if customer.account_id is None or asset.account_id != customer.account_id:
        if audience == "customer":  # never name another account's asset to a customer
            raise _refused("asset", _l("That product or asset is not one of your account's. Choose another, "
                                       "or none."))
        raise _refused("asset", _l("%(asset)s does not belong to %(customer)s's account. Choose one of its "
                                   "products or assets, or none.", asset=asset.name, customer=customer.full_name))
    if not asset.active:
        raise _refused("asset", _l("%(asset)s is no longer in use. Choose another product or asset, or none.",
                                   asset=asset.name))


def _refused(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, {field: message})


def open_case(actor: User, template: CaseTemplate, values: Mapping, *, customer: Customer,
              asset: Asset | None = None, files: Sequence = (), follow_up_of: Case | None = None,
              submission: str | None = None, layout: Layout | None = None, channel: str = "web",
              workgroup: Workgroup | None = None) -> Case:
    """Open a case from a template for a customer, optionally about an asset, with files attached,
    optionally as the follow-up of an earlier case the actor may see.

    Anyone the template is offered to may call it, for whom check_filing_target() allows; a proxy
    becomes the case's internal contact. An asset only when the template asks which product or asset
    the case is about (CaseTemplate.asks_asset): a template with a product field of its own takes none.
    Values and files are all checked before anything is saved,
    so one answer reports every problem; on any failure nothing is saved and no file is left on disk.
    `layout` is the template's layout for the actor's audience when the caller (the form) already
    read it. `channel` says how it came in (CASE_CHANNELS: web, api, email). `workgroup` is where it
    lands instead of the template's default workgroup (an inbound email address's own).
    Raises NotFound (template not offered to actor), NotAllowed (filing for someone else),
    ValidationFailed (values, "files", "customer" or "asset"; one message per form field; a
    StorageUnavailable when the files could not be stored), AlreadyDone (this submission key
    already opened a case: its reference) or Conflict (no free reference; practically never).
    """
    audience = audience_for(actor)
    if audience is None or not template_offered_to(template, actor):
        raise NotFound()
    check_filing_target(actor, customer)  # whom it is for comes first: nothing else is looked at otherwise
    if follow_up_of is not None and not policy.can_view_case(actor, follow_up_of):
        raise NotFound()
    layout = layout or template_layout(template, audience)
    errors: dict[str, str] = {}
    if asset is not None:  # checked with the answers, so one refusal names every problem
        if not template.asks_asset:
            errors["asset"] = _l("This form does not ask about a product or asset. Leave it out.")
        else:
            try:
                check_filing_target(actor, customer, asset)
            except ValidationFailed as exc:
                errors.update(exc.fields)
    clean = None
    try:
        clean = validate_case_values(template, values, audience, layout=layout)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    # Files are checked even when the values are not, so people learn about both in one go.
    stored: list = []
    refusal = ValidationFailed
    try:
        stored = store_uploads(files)
    except StorageUnavailable as exc:
        errors.update(exc.fields)
        refusal = StorageUnavailable
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors or clean is None:
        remove_stored(stored)
        raise refusal(_l("Some answers need another look."), errors)
    fields = {p.key: p.field for p in layout.fields}
    values_by_field = [(fields[key], value) for key, value in clean.values.items()]
    options = [option for placed in layout.fields for option in placed.options]
    now = utcnow()
    # Everything that only reads is done before the transaction: on SQLite every other submission
    # waits for its write lock, so the transaction below only writes (see tests/bench/bench_submit.py).
    case = _new_case(reference=new_reference(), template=template, title=clean.title, summary=clean.summary,
                     reason=clean.reason, status=system_status("open"), priority=template.default_priority,
                     customer=customer, asset=asset, created_by=actor,
                     internal_contact=actor if audience == "proxy" else None,
                     workgroup=workgroup or template.default_workgroup,
                     follow_up_of=follow_up_of, opened_at=now, updated_at=now, channel=_channel(channel),
                     language=_language_of(customer, actor))
    for name, value in opening_targets(case, now).items():  # read now: the transaction below only writes
        setattr(case, name, value)
    rules = rule_book(template.id)

    def prepared():  # what depends on the reference: every message and the search documents name it
        return plan_case_opened(case, actor, now=now, rules=rules), documents_for_new_case(case, values_by_field,
                                                                                            options)

    notices, documents = prepared()
    try:
        # on SQLite it takes the write lock up front (see portal.db.connect); it writes no configuration, so what
        # it reads of it (the webhook routes) is taken as it stood when the request read it
        with config_cache.unchanged(), database.atomic():
            key = submissions.claim(actor, submission)
            if not _insert_with_fresh_reference(case):
                notices, documents = prepared()
            rows = [{"case": case, "field": field, "value": value} for field, value in values_by_field]
            if rows:
                CaseFieldValue.insert_many(rows).execute()
            data = {"template": template.name, "values": clean.values}
            if follow_up_of is not None:
                data["follow_up_of"] = follow_up_of.reference
            if case.channel != "web":
                data["channel"] = case.channel
            created = insert_row(CaseEvent(case=case, kind="created", actor=actor, public=True, created_at=now,
                                           data=data))
            files = record_attachments(actor, case, stored, event=created)
            for notice in notices:
                notice.send(created)
            store_documents([(case.id, documents)], new=True)
            submissions.settle(actor, key, case.reference)
            shown = {name: value for name, value in clean.values.items() if not fields[name].is_internal}
            hidden = {name: value for name, value in clean.values.items() if fields[name].is_internal}
            case_events.case_created(case, actor, created, fields=shown, attachments=files, now=now)
            if hidden:
                case_events.internal_values_set(case, actor, created, hidden, now)
    except BaseException:
        remove_stored(stored)
        raise
    return case


def _language_of(customer: Customer, actor: User) -> str:
    """The case's language: its customer's, or the filer's when the customer has no account (or is them)."""
    if customer.user_id is None or customer.user_id == actor.id:
        return actor.language
    return customer.user.language


def _channel(channel: str) -> str:
    if channel not in CASE_CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")  # a programming error: callers pass a constant
    return channel


def _new_case(**values) -> Case:
    return Case(**values)


def _insert_with_fresh_reference(case: Case) -> bool:
    """Insert the case under its reference, drawing another on a clash. Returns whether the first
    reference was kept (False: what names the reference must be worked out again)."""
    for attempt in range(20):
        try:
            with database.atomic():  # a savepoint: a clash rolls back only this attempt
                insert_row(case)  # the SQL of its fifty columns is built once (portal.fixed_writes)
            return attempt == 0
        except peewee.IntegrityError:
            case.reference = new_reference()
    raise Conflict(_l("We could not give the case a reference number. Please try again."))
