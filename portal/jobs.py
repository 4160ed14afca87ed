"""The scheduler the portal runs: notification delivery plus the portal's own periodic jobs.

It runs in `caseport notifier` (its own process) or inside `caseport demo`, never in web workers.
"""

from __future__ import annotations

import functools

import notifier
from notifier.scheduler import build_scheduler


def _in_app_context(app, func):
    @functools.wraps(func)
    def job():
        with app.app_context():
            return func()

    return job


def portal_jobs(app):
    """(function, trigger) pairs for the portal's periodic work."""
    from portal.accounts.service.limits import prune_throttles
    from portal.accounts.service.sessions import prune_sessions
    from portal.cases.lifecycle import close_unanswered_resolutions, remind_unanswered_resolutions

    return [
        (_in_app_context(app, prune_throttles), {"trigger": "interval", "minutes": 15}),
        (_in_app_context(app, prune_sessions), {"trigger": "interval", "minutes": 15}),
        # Both are safe to run from two schedulers at once: each case is claimed by a conditional update.
        (_in_app_context(app, remind_unanswered_resolutions), {"trigger": "interval", "minutes": 10}),
        (_in_app_context(app, close_unanswered_resolutions), {"trigger": "interval", "minutes": 10}),
    ]


def delivery_check(app):
    """The notifier's `suppress` hook: recipient preferences read just before each send. Delivery
    runs in a scheduler thread, so the check enters the app context itself."""
    from portal.notification_preferences.queries import delivery_suppression

    def suppress(message):
        with app.app_context():
            return delivery_suppression(message)

    return suppress


def build_app_scheduler(app, *, blocking: bool):
    settings = notifier.Settings.from_mapping(app.config)
    return build_scheduler(settings, blocking=blocking, extra_jobs=portal_jobs(app), suppress=delivery_check(app))
