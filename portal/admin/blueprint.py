"""The admin blueprint, shared by the view modules that routes.py gathers."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


def status_for(*forms) -> int:
    """400 when a submitted form has errors, so tests and tools see the refusal."""
    return 400 if any(f.errors or f.form_errors for f in forms) else 200
