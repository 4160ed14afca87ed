"""Absolute links put into notifications. Routes register the same paths (see PATHS)."""

from __future__ import annotations

from portal.settings import setting

PATHS = {
    "password_reset": "/reset-password/<token>",
    "verify_email": "/verify-email/<token>",
    "case": "/cases/<reference>",
}


def absolute(name: str, **values: str) -> str:
    path = PATHS[name]
    for key, value in values.items():
        path = path.replace(f"<{key}>", value)
    return setting("BASE_URL").rstrip("/") + path
