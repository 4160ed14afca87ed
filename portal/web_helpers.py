"""Small pieces every blueprint's views share: mapping domain errors to forms, role guards, safe redirects,
the CSRF protection and the viewer's time zone. Imports no feature, so any view module may import it."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, render_template, send_file
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from portal.errors import ValidationFailed
from portal.files import storage
from portal.languages import viewer_zone  # noqa: F401 -- views import it from here
from portal.policy import has_role


def apply_errors(form, exc: ValidationFailed, rename: dict[str, str] | None = None) -> None:
    """Put a service's field errors next to the form's fields; the rest at the top of the form."""
    rename = rename or {}
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, rename.get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
            placed = True
        else:
            form.form_errors.append(message)
            placed = True
    if not placed or not exc.fields:
        form.form_errors.append(exc.message)


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def role_required(*roles: str):
    """Guard a view by role. Pages for a role others should not know about answer 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from flask import current_app

                return current_app.login_manager.unauthorized()
            if not has_role(current_user, *roles):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def status_for(*forms) -> int:
    """400 when a submitted form has errors, so tests and tools see the refusal."""
    return 400 if any(f.errors or f.form_errors for f in forms) else 200


def rate_limited_page(template: str, form, exc):
    """The form's page again with a throttle's refusal (RateLimited with retry_after): 429 and Retry-After."""
    form.form_errors.append(exc.message)
    return render_template(template, form=form), 429, {"Retry-After": str(exc.retry_after)}


# The app's CSRF protection (portal.web initialises it); views that must take a post without a
# session's token, such as one-click unsubscribe, mark themselves with @csrf.exempt.
csrf = CSRFProtect()


def file_download(attachment):
    """An attachment's bytes, always as a download (never rendered by the browser), or None when its file
    is gone from disk. The caller has checked that the viewer may have it (policy.can_download_file)."""
    path = storage.path_of(current_app.config["UPLOAD_DIR"], attachment.stored_name)
    if not path.exists():
        return None
    # The stored type without parameters: Flask adds "charset=utf-8" to text/* itself (all text is UTF-8).
    response = send_file(path, mimetype=attachment.content_type.partition(";")[0], as_attachment=True,
                         download_name=attachment.original_name, max_age=0, conditional=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
