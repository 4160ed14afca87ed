"""Where the top-level templates/ and static/ folders are: beside the package in a source checkout,
inside it (portal/_templates, portal/_static) in an installed wheel."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    installed = _PACKAGE / f"_{name}"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


TEMPLATES = asset_dir("templates")
STATIC = asset_dir("static")
NOTIFICATION_TEMPLATES = TEMPLATES / "notifications"
