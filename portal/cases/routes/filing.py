"""Filing a case: whom it is for (proxies and staff pick an account and a contact), which template,
then the template's form with files. Thin views: parse, call one service, redirect.

The whole flow works without JavaScript as a chain of GET pages; the choices travel as public UUIDs
in the query string (account, customer) and the service checks them again on every POST. Which of the
account's products or assets the case is about is asked once, on the form, and only by a template that
asks it (CaseTemplate.asks_asset); an asset in a link (a follow-up's) only pre-selects that choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import MultipleFileField, SelectField
from wtforms.fields.choices import SelectChoice

from portal.case_config.forms import build_case_form, condition_hint
from portal.case_config.queries import audience_for, offered_template, offered_templates, template_layout
from portal.case_config.rules import form_name
from portal.cases.queries.case_page import follow_up_source
from portal.cases.service import opening
from portal.cases.service.attachments import FILES_FIELD, chosen_files
from portal.customers.queries import accounts_search, assets_of_account, contacts_of_account
from portal.errors import AlreadyDone, NotAllowed, ValidationFailed
from portal.files.rules import ALLOWED_DESCRIPTION, human_size
from portal.files.storage import StorageUnavailable
from portal.i18n import _, _l, ngettext
from portal.identifiers import by_uuid
from portal.models.configuration import CaseTemplate
from portal.models.people import Account
from portal.submissions.forms import SENT_TWICE, OnceForm
from portal.web_helpers import apply_errors

NO_PROFILE = _l("Your sign-in is not linked to a customer profile yet, so we cannot open a case for you. "
                "Please contact us and we will link it.")
CHOOSE_CONTACT = _l("Choose the customer the case is for.")
CHOOSE_FILES_AGAIN = _l("Please choose your files again: browsers do not keep chosen files when a form comes back "
                        "with a problem.")
TARGET_KEYS = ("account", "customer", "asset")
# Pickers list at most this many contacts or assets: a huge account must not make a huge page.
PICKER_LIMIT = 300
ASSET_FIELD = "asset"  # the form's product or asset choice; the service reports its refusals under this name
# The contact step sends this, so "Continue" with nobody chosen can be told apart from arriving at the step.
FROM_CONTACT = "from"


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/new", view_func=new, methods=["GET"])
    bp.add_url_rule("/new/<uuid:template_uuid>", view_func=new_from_template, methods=["GET", "POST"])


@dataclass
class Picker:
    """What the proxy and staff steps show: an account search, an account's contacts, or the chosen
    target with the templates offered."""

    step: str
    query: str = ""
    accounts: list = field(default_factory=list)
    account: Account | None = None
    contacts: list = field(default_factory=list)
    truncated: bool = False
    chosen_customer: str = ""
    target: opening.FilingTarget | None = None
    error: str | None = None


def _carried(follow_up) -> dict[str, str]:
    """What travels through every step besides the target: the case being followed up, if any."""
    return {"follow_up": follow_up.reference} if follow_up is not None else {}


def _target_args(target: opening.FilingTarget | None, follow_up=None) -> dict[str, str]:
    """The query string that carries a chosen target (and a followed-up case) from page to page."""
    args = _carried(follow_up)
    if target is None:
        return args
    args["customer"] = target.customer.uuid
    if target.account is not None:
        args["account"] = target.account.uuid
    if target.asset is not None:
        args["asset"] = target.asset.uuid
    return args


@login_required
def new():
    templates = list(offered_templates(audience_for(current_user)))
    follow_up = follow_up_source(current_user, request.args.get("follow_up", "").strip())
    if audience_for(current_user) in ("proxy", "staff"):
        args = request.args
        if follow_up is not None and not any(key in args for key in (*TARGET_KEYS, "q")):
            args = _target_of_case(follow_up)  # a follow-up is for the same customer unless changed
        picker = _picker(args)
        status = 400 if picker.error else 200
        return render_template("cases/new.html", templates=templates, picker=picker, follow_up=follow_up,
                               carried=_carried(follow_up),
                               target_args=_target_args(picker.target, follow_up)), status
    target_args = _carried(follow_up)
    if follow_up is not None and follow_up.asset_id:
        target_args["asset"] = follow_up.asset.uuid  # pre-selected on forms that ask for it
    return render_template("cases/new.html", templates=templates, picker=None, follow_up=follow_up,
                           carried=_carried(follow_up), target_args=target_args)


def _target_of_case(case) -> dict[str, str]:
    customer = case.customer
    return {"customer": customer.uuid, "account": customer.account.uuid if customer.account_id else "",
            "asset": case.asset.uuid if case.asset_id and case.asset.active else ""}  # retired: nothing to pre-select


def _picker(args) -> Picker:
    """Work out the step from the query string: customer chosen → templates (unless they want to change
    whom it is for); account chosen → its contacts; else search."""
    customer_uuid = args.get("customer", "").strip()
    account_uuid = args.get("account", "").strip()
    error = None
    if customer_uuid:
        try:
            target = opening.filing_target(current_user, customer_uuid=customer_uuid, account_uuid=account_uuid,
                                           asset_uuid=args.get("asset", "").strip())
        except (ValidationFailed, NotAllowed) as exc:
            error = exc.message
        else:
            if "change" not in args:
                return Picker(step="templates", target=target)
            if target.account is not None:
                return _contact_step(target.account, chosen_customer=target.customer.uuid)
    elif "customer" in args or (account_uuid and FROM_CONTACT in args):
        error = CHOOSE_CONTACT  # the contact step was sent with nobody chosen
    if account_uuid:
        account = by_uuid(Account, account_uuid)
        if account is not None:
            return _contact_step(account, error=error)
        error = error or _("We could not find that account. Search for it again.")
    query = args.get("q", "")[:200]
    return Picker(step="account", query=query, accounts=list(accounts_search(query)), error=error)


def _contact_step(account: Account, *, chosen_customer: str = "", error: str | None = None) -> Picker:
    contacts = list(contacts_of_account(account).limit(PICKER_LIMIT + 1))
    return Picker(step="contact", account=account, contacts=contacts[:PICKER_LIMIT],
                  truncated=len(contacts) > PICKER_LIMIT, chosen_customer=chosen_customer, error=error)


def _offered_template_or_404(template_uuid) -> CaseTemplate:
    return offered_template(current_user, template_uuid) or abort(404)


def _asset_field(template: CaseTemplate, target: opening.FilingTarget | None, linked: str) -> SelectField | None:
    """The form's "Product or asset" choice: only when the template asks it and the customer's account
    has products or assets in use. `linked` (an asset UUID from the link) is pre-selected when it is one
    of them; anything else in the link is ignored without a word."""
    if not template.asks_asset or target is None or target.account is None:
        return None
    assets = list(assets_of_account(target.account).limit(PICKER_LIMIT))
    if not assets:
        return None
    choices = [SelectChoice("", _("None in particular"))] + [SelectChoice(a.uuid, str(a)) for a in assets]
    chosen = linked if any(a.uuid == linked for a in assets) else ""
    return SelectField(_("Product or asset"), choices=choices, default=chosen, validate_choice=False,
                       description=_("Optional: one of the products or assets registered for %(account)s, if "
                                     "the case is about one.", account=target.account.name))


def _form_class(template: CaseTemplate, audience: str, layout, asset_field: SelectField | None = None):
    base = build_case_form(template, audience, base=OnceForm, layout=layout)
    max_files, max_bytes = current_app.config["UPLOAD_MAX_FILES"], current_app.config["UPLOAD_MAX_BYTES"]
    help_text = ngettext("Optional: screenshots, photos or documents that help explain the problem. Up to %(num)d "
                         "file of at most %(size)s: %(types)s.",
                         "Optional: screenshots, photos or documents that help explain the problem. Up to %(num)d "
                         "files of at most %(size)s each: %(types)s.",
                         max_files, size=human_size(max_bytes), types=str(ALLOWED_DESCRIPTION))
    extra = {FILES_FIELD: MultipleFileField(_("Files"), description=help_text)}
    if asset_field is not None:
        extra[ASSET_FIELD] = asset_field
    return type(base.__name__, (base,), extra)


def _target_from_request():
    """(target, problem): whom the form is for. Customers file for their own profile unless they name
    another one (which the service refuses); proxies and staff must have chosen someone."""
    args = request.args
    customer_uuid = args.get("customer", "").strip()
    try:
        if not customer_uuid and audience_for(current_user) == "customer":
            own = opening.own_filing_target(current_user)
            return (own, None) if own is not None else (None, NO_PROFILE)
        if not customer_uuid:
            return None, CHOOSE_CONTACT
        return opening.filing_target(current_user, customer_uuid=customer_uuid,
                                     account_uuid=args.get("account", "").strip()), None
    except (ValidationFailed, NotAllowed) as exc:
        return None, exc.message


@login_required
def new_from_template(template_uuid):
    template = _offered_template_or_404(template_uuid)
    audience = audience_for(current_user)
    target, blocker = _target_from_request()
    follow_up = follow_up_source(current_user, request.args.get("follow_up", "").strip())
    if request.method == "GET" and blocker is CHOOSE_CONTACT:
        flash(_("First choose the customer the case is for."), "warning")
        return redirect(url_for("cases.new", **_carried(follow_up)))
    layout = template_layout(template, audience)
    asset_field = _asset_field(template, target, request.args.get("asset", "").strip())
    form = _form_class(template, audience, layout, asset_field)()
    status = 400 if blocker else 200
    if request.method == "POST":
        status = 400
        if blocker:
            form.form_errors.append(blocker)
        elif form.validate_on_submit():
            try:
                chosen = form[ASSET_FIELD].data if asset_field is not None else ""
                asset = opening.find_asset(chosen) if chosen else None
                case = opening.open_case(current_user, template, request.form, customer=target.customer,
                                         asset=asset, files=request.files.getlist(FILES_FIELD),
                                         follow_up_of=follow_up, submission=form.submission.data, layout=layout)
            except AlreadyDone as done:  # a double click: the first sending opened the case
                flash(SENT_TWICE, "info")
                return redirect(url_for("cases.detail", reference=done.result))
            except ValidationFailed as exc:
                apply_errors(form, exc)
                status = 503 if isinstance(exc, StorageUnavailable) else status
            except NotAllowed as exc:
                form.form_errors.append(exc.message)
            else:
                flash(_opened_message(case, target), "success")
                return redirect(url_for("cases.detail", reference=case.reference))
        if chosen_files(request.files.getlist(FILES_FIELD)):
            form[FILES_FIELD].errors = [*list(form[FILES_FIELD].errors or []), CHOOSE_FILES_AGAIN]
    sections = {name: [(form[form_name(p.key)], p) for p in layout.section(name)] for name in ("top", "more")}
    hints = {p.key: condition_hint(p, layout) for p in layout.fields}
    target_args = _target_args(target, follow_up)
    target_args.pop("asset", None)  # chosen on this form now, not carried in its address
    return render_template("cases/form.html", template=template, form=form, sections=sections, hints=hints,
                           blocker=blocker, target=target, for_someone_else=audience != "customer",
                           asks_asset=asset_field is not None, follow_up=follow_up, carried=_carried(follow_up),
                           target_args=target_args), status


def _opened_message(case, target: opening.FilingTarget) -> str:
    if target.customer.user_id == current_user.id:
        return _("Your case %(reference)s is open. We will keep you posted here.", reference=case.reference)
    return _("Case %(reference)s is open for %(customer)s.", reference=case.reference,
             customer=target.customer.full_name)
