"""Read a setting of the running application. Services use this instead of reaching into Flask."""

from flask import current_app

from notifier.settings import Settings


def setting(name: str):
    return current_app.config[name]


def notifier_settings():
    """The notifier's settings (backends, template budget) from the running application's config."""
    return Settings.from_mapping(current_app.config)
