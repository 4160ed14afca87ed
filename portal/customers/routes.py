"""Staff pages for customer profiles, accounts and assets. Thin views: parse, call one service, redirect."""

from __future__ import annotations

from babel.lists import format_list
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal.customers import queries, service
from portal.customers.forms import AccountForm, AssetForm, ConfirmForm, CustomerForm, CustomerSearchForm
from portal.customers.rules import parse_search, prefill_from_search
from portal.errors import Conflict, ValidationFailed
from portal.i18n import _
from portal.models.people import STAFF_ROLES
from portal.settings import setting
from portal.web_helpers import apply_errors, role_required

bp = Blueprint("customers", __name__, url_prefix="/customers")


@bp.app_template_filter("word_list")
def word_list(words, style: str = "standard") -> str:
    """Words joined as the reader's language joins them: "name and email address", style="or" for
    "email address or phone number"."""
    return format_list([str(word) for word in words], style=style, locale=get_locale())


def _status(form, warning: bool = False) -> int:
    if form.errors or form.form_errors:
        return 400
    return 409 if warning else 200


@bp.get("/")
@role_required(*STAFF_ROLES)
def search():
    form = CustomerSearchForm(request.args)
    result = None
    if "q" in request.args and form.validate():
        result = queries.search_customers(current_user, form.q.data,
                                          phone_region=setting("DEFAULT_PHONE_REGION"))
    return render_template("customers/search.html", form=form, result=result), _status(form)


def _customer_data(form: CustomerForm) -> service.CustomerData:
    return service.CustomerData(first_name=form.first_name.data, last_name=form.last_name.data,
                                email=form.email.data, phone=form.phone.data,
                                account_number=form.account_number.data,
                                is_account_manager=form.is_account_manager.data)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new():
    form = CustomerForm()
    if request.method == "GET":
        # Coming from a search that found nobody, or from an account page: start from what is known.
        for name, value in prefill_from_search(parse_search(request.args.get("q"),
                                                            setting("DEFAULT_PHONE_REGION"))).items():
            getattr(form, name).data = value
        account_uuid = request.args.get("account")
        if account_uuid:
            form.account_number.data = queries.account_by_uuid(current_user, account_uuid).account_number
    duplicates = None
    if form.validate_on_submit():
        try:
            customer = service.create_customer(current_user, _customer_data(form),
                                               confirm_duplicate=form.confirm_duplicate.data)
        except service.PossibleDuplicate as exc:
            duplicates = exc.matches
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("Profile created for %(name)s, customer number %(number)s.", name=customer.full_name,
                    number=customer.customer_number), "success")
            return redirect(url_for("customers.detail", customer_uuid=customer.uuid))
    return (render_template("customers/customer_form.html", form=form, customer=None, duplicates=duplicates),
            _status(form, warning=bool(duplicates)))


@bp.get("/<uuid:customer_uuid>")
@role_required(*STAFF_ROLES)
def detail(customer_uuid):
    customer = queries.customer_by_uuid(current_user, customer_uuid)
    cases = list(queries.cases_of_customer(current_user, customer))
    return render_template("customers/detail.html", customer=customer, cases=cases)


@bp.route("/<uuid:customer_uuid>/edit", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit(customer_uuid):
    customer = queries.customer_by_uuid(current_user, customer_uuid)
    form = CustomerForm(obj=customer)
    if request.method == "GET":
        form.account_number.data = customer.account.account_number if customer.account_id else ""
        form.phone.data = customer.phone or ""
        form.email.data = customer.email or ""
    duplicates = None
    if form.validate_on_submit():
        try:
            service.update_customer(current_user, customer.uuid, _customer_data(form),
                                    confirm_duplicate=form.confirm_duplicate.data)
        except service.PossibleDuplicate as exc:
            duplicates = exc.matches
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("The profile is saved."), "success")
            return redirect(url_for("customers.detail", customer_uuid=customer.uuid))
    return (render_template("customers/customer_form.html", form=form, customer=customer, duplicates=duplicates),
            _status(form, warning=bool(duplicates)))


# --- accounts and assets ---------------------------------------------------------------------------


@bp.get("/accounts/")
@role_required(*STAFF_ROLES)
def accounts():
    text = (request.args.get("q") or "")[:200]
    rows = queries.accounts_overview(current_user, text)
    return render_template("customers/accounts.html", rows=rows, q=text)


@bp.get("/accounts/<uuid:account_uuid>")
@role_required(*STAFF_ROLES)
def account(account_uuid):
    found = queries.account_by_uuid(current_user, account_uuid)
    return render_template("customers/account.html", account=found,
                           contacts=list(queries.contacts_of_account(found)),
                           assets=list(queries.assets_of_account(found, include_inactive=True)),
                           confirm_form=ConfirmForm())


@bp.route("/accounts/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new_account():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            created = service.create_account(current_user, service.AccountData(form.name.data,
                                                                               form.account_number.data))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("Account %(number)s created.", number=created.account_number), "success")
            return redirect(url_for("customers.account", account_uuid=created.uuid))
    return render_template("customers/account_form.html", form=form, account=None), _status(form)


@bp.route("/accounts/<uuid:account_uuid>/edit", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit_account(account_uuid):
    found = queries.account_by_uuid(current_user, account_uuid)
    form = AccountForm(obj=found)
    if form.validate_on_submit():
        try:
            service.update_account(current_user, found.uuid, service.AccountData(form.name.data,
                                                                                 form.account_number.data))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("The account is saved."), "success")
            return redirect(url_for("customers.account", account_uuid=found.uuid))
    return render_template("customers/account_form.html", form=form, account=found), _status(form)


@bp.route("/accounts/<uuid:account_uuid>/assets/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new_asset(account_uuid):
    found = queries.account_by_uuid(current_user, account_uuid)
    form = AssetForm()
    if form.validate_on_submit():
        try:
            created = service.create_asset(current_user, found.uuid, service.AssetData(form.name.data,
                                                                                       form.identifier.data))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("%(asset)s added to %(account)s.", asset=str(created), account=found.name), "success")
            return redirect(url_for("customers.account", account_uuid=found.uuid))
    return render_template("customers/asset_form.html", form=form, account=found, asset=None), _status(form)


@bp.route("/assets/<uuid:asset_uuid>/edit", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit_asset(asset_uuid):
    asset = queries.asset_by_uuid(current_user, asset_uuid)
    form = AssetForm(obj=asset)
    if request.method == "GET":
        form.identifier.data = asset.identifier or ""
    if form.validate_on_submit():
        try:
            service.update_asset(current_user, asset.uuid, service.AssetData(form.name.data, form.identifier.data))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("The asset is saved."), "success")
            return redirect(url_for("customers.account", account_uuid=asset.account.uuid))
    return (render_template("customers/asset_form.html", form=form, account=asset.account, asset=asset),
            _status(form))


@bp.post("/assets/<uuid:asset_uuid>/<any(deactivate, activate):action>")
@role_required(*STAFF_ROLES)
def set_asset_active(asset_uuid, action):
    # CSRFProtect has checked the token already; the button carries nothing else.
    asset = service.set_asset_active(current_user, asset_uuid, active=(action == "activate"))
    if asset.active:
        flash(_("%(asset)s reactivated.", asset=str(asset)), "success")
    else:
        flash(_("%(asset)s deactivated: it is no longer offered for new cases.", asset=str(asset)), "success")
    return redirect(url_for("customers.account", account_uuid=asset.account.uuid))
