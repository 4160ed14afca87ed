"""Case settings pages for admins. Every view is guarded by @role_required("admin") and every
service call checks the actor again. The views live in three modules by area; importing them here
registers them on the blueprint."""

from portal.admin import field_views, settings_views, template_views  # noqa: F401 - registers the views
from portal.admin.blueprint import bp

__all__ = ["bp"]
