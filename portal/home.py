"""The start page: sends each signed-in user to where their work is."""

from flask import Blueprint, redirect, url_for
from flask_login import current_user

from portal.policy import is_staff

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    # Customers and proxies come for their cases, staff for their workspace.
    return redirect(url_for("staff.home" if is_staff(current_user) else "cases.dashboard"))
