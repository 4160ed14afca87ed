"""Customer and proxy portal pages. The views live in modules by area; importing them here registers
them on the blueprint."""

from portal.cases import case_views, dashboard_views, filing_views  # noqa: F401 - registers the views
from portal.cases.blueprint import bp

__all__ = ["bp"]
