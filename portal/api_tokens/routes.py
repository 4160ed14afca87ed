"""The token pages: one's own API tokens on the account page area, and the admins' page for service
accounts and every token. Thin views: parse, call one portal.api_tokens service, flash, redirect.

A new token's secret is rendered once, in the answer to the POST that made it (no-store, like every
signed-in page), and never put in a redirect URL or the session: Flask's session is a signed, not an
encrypted, cookie, so a flashed secret would sit readable in the browser's cookie jar. The form's
submission key (portal.submissions) makes a second sending of the same form (a reload of that
answer) make no second token; the page then says the secret was shown already.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.api_tokens import queries, service
from portal.api_tokens.forms import ConfirmForm, ServiceAccountForm, ServiceTokenForm, TokenForm
from portal.api_tokens.service_accounts import create_service_account
from portal.clock import utcnow
from portal.errors import AlreadyDone, NotAllowed, NotFound, ValidationFailed
from portal.i18n import _
from portal.identifiers import by_uuid
from portal.models.people import User
from portal.web_helpers import apply_errors, role_required, status_for

bp = Blueprint("api_tokens", __name__)

def _sent_twice(back: str):
    flash(_("This form was sent twice; the token was made once, and its secret was shown only the first "
            "time. If you did not copy it, revoke the token and make a new one."), "info")
    return redirect(url_for(back))


def _created(token, secret: str, back: str):
    return render_template("api_tokens/created.html", token=token, secret=secret, back=back,
                           scopes=service.SCOPES)


# --- one's own tokens ------------------------------------------------------------------------------


@login_required
def index():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = service.issue_token(current_user, current_user, name=form.name.data,
                                                scopes=form.scopes.data or [], days=form.days.data,
                                                submission=form.submission.data)
        except AlreadyDone:
            return _sent_twice("api_tokens.index")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            return _created(token, secret, "api_tokens.index")
    return render_template("api_tokens/index.html", form=form, tokens=list(queries.tokens_of(current_user)),
                           scopes=service.SCOPES, now=utcnow()), status_for(form)


@login_required
def revoke(token_uuid):
    token = service.token_for(current_user, str(token_uuid))
    form = ConfirmForm()
    back = "api_tokens.index" if token.user_id == current_user.id else "api_tokens.admin"
    if form.validate_on_submit():
        service.revoke_token(current_user, token.uuid)
        flash(_("The token \u201c%(name)s\u201d is revoked: it no longer works.", name=token.name), "success")
        return redirect(url_for(back))
    return render_template("api_tokens/revoke.html", token=token, form=form, back=back), status_for(form)


# --- admins: service accounts and every token -----------------------------------------------------


def _admin_page(token_form: ServiceTokenForm | None = None, account_form: ServiceAccountForm | None = None):
    accounts = queries.service_accounts(current_user)
    token_form = token_form or ServiceTokenForm()
    token_form.set_accounts(accounts)
    account_form = account_form or ServiceAccountForm()
    return render_template("api_tokens/admin.html", accounts=accounts, tokens=queries.all_tokens(current_user),
                           token_form=token_form, account_form=account_form, scopes=service.SCOPES,
                           limit=queries.ADMIN_LIST_LIMIT, now=utcnow()), status_for(token_form, account_form)


@role_required("admin")
def admin():
    return _admin_page()


@role_required("admin")
def admin_issue():
    form = ServiceTokenForm()
    if not form.validate_on_submit():
        return _admin_page(token_form=form)
    owner = by_uuid(User, form.account.data)
    try:
        if owner is None:
            raise NotFound()
        token, secret = service.issue_token(current_user, owner, name=form.name.data, scopes=form.scopes.data or [],
                                            days=form.days.data, submission=form.submission.data)
    except AlreadyDone:
        return _sent_twice("api_tokens.admin")
    except (NotFound, NotAllowed):
        # Not a service account (or gone): admins make tokens for service accounts only.
        form.account.errors = [_("Choose one of the service accounts.")]
        return _admin_page(token_form=form)
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return _admin_page(token_form=form)
    return _created(token, secret, "api_tokens.admin")


@role_required("admin")
def admin_service_account():
    form = ServiceAccountForm()
    if form.validate_on_submit():
        try:
            user = create_service_account(current_user, name=form.name.data, role=form.role.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("The service account %(name)s is created. Give it workgroups on its People page, then make "
                    "it a token here.", name=user.display_name), "success")
            return redirect(url_for("api_tokens.admin"))
    return _admin_page(account_form=form)


bp.add_url_rule("/account/api-tokens", view_func=index, methods=["GET", "POST"])
bp.add_url_rule("/account/api-tokens/<uuid:token_uuid>/revoke", view_func=revoke, methods=["GET", "POST"])
bp.add_url_rule("/admin/api-tokens", view_func=admin, methods=["GET"])
bp.add_url_rule("/admin/api-tokens", endpoint="admin_issue", view_func=admin_issue, methods=["POST"])
bp.add_url_rule("/admin/api-tokens/service-accounts", view_func=admin_service_account, methods=["POST"])
