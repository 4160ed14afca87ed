"""Bringing a database up to date: schema migrations, then the default notification templates."""

from __future__ import annotations

from notifier import templates as notification_templates
from portal.case_config.service import ensure_system_statuses
from portal.db import upgrade


def prepare_database(app, log=None) -> list[str]:
    """Migrate and seed the default message templates (both idempotent). Returns the migrations applied."""
    db = app.extensions["caseport_db"]
    with db.connection_context():
        applied = upgrade(db, log=log)
        with db.atomic():
            notification_templates.seed_defaults(app.config["NOTIFICATION_TEMPLATES_DIR"])
            ensure_system_statuses()
    return applied
