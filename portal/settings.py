"""Read a setting of the running application. Services use this instead of reaching into Flask."""

from flask import current_app


def setting(name: str):
    return current_app.config[name]
