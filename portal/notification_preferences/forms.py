"""Forms of the preferences page: the checkboxes are read by name (one per event and channel), so the
form carries only the CSRF token; the service decides what may be chosen."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
