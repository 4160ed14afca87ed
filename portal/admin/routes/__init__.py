"""Case settings pages for admins: the admin blueprint, with the views of each area registered
explicitly. Every view is guarded by @role_required("admin") and every service call checks the actor
again.

    settings.py   the overview, statuses and case reasons
    fields.py     custom case fields and the options of single-select fields
    templates.py  case templates: details, fields in two sections, conditions, publish and retire
    users.py      people: users list and search, invitations, roles, workgroups, deactivation, audit log
"""

from flask import Blueprint

from portal.admin.routes import fields, settings, templates, users

bp = Blueprint("admin", __name__, url_prefix="/admin")
for area in (settings, fields, templates, users):
    area.register(bp)

__all__ = ["bp"]
