"""Caseport portal: create_app() builds the Flask application. Importing this package has no side effects."""

from __future__ import annotations

from pathlib import Path

__all__ = ["create_app"]


def create_app(config: dict | None = None):
    from flask import Flask

    from portal import web
    from portal.config import load_config
    from portal.paths import STATIC, TEMPLATES

    instance_path = Path((config or {}).get("INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    app = Flask(
        "portal",
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
        instance_path=str(instance_path),
    )
    app.config.update(load_config(config, instance_path))
    web.init_app(app)
    return app
