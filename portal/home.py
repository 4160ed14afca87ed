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
    # Customers and proxies come for their cases, staff for their workspace.
    if current_user.role in ("customer", "proxy"):
        return redirect(url_for("cases.dashboard"))
    if current_user.role in ("agent", "supervisor", "admin"):
        return redirect(url_for("staff.home"))
    return render_template("home/index.html")
