"""The start page after signing in: where each role goes first."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return _home()


@login_required
def _home():
    # Customers and proxies come for their cases; staff keep this page until their workspace exists.
    if current_user.role in ("customer", "proxy"):
        return redirect(url_for("cases.dashboard"))
    return render_template("home/index.html")
