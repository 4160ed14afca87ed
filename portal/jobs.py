"""The scheduler the portal runs: notification delivery plus the portal's own periodic jobs.

It runs in `caseport notifier` (its own process) or inside `caseport demo`, never in web workers.
"""

from __future__ import annotations

import functools

import notifier
from notifier.scheduler import build_scheduler
from portal import settings


def _with_settings_of(app, func):
    """func reading app's configuration: the scheduler's threads start outside any request."""

    @functools.wraps(func)
    def job(*args, **kwargs):
        with settings.using(app.config, app.url_map):
            return func(*args, **kwargs)

    return job


def portal_jobs(app):
    """(function, trigger) pairs for the portal's periodic work."""
    from portal.accounts.service.limits import prune_throttles
    from portal.accounts.service.sessions import prune_sessions
    from portal.api.idempotency import prune_idempotency_keys
    from portal.cases.service.lifecycle import close_unanswered_resolutions, remind_unanswered_resolutions
    from portal.mail_in.process import process_waiting
    from portal.mfa.devices import prune_devices
    from portal.passkeys.challenges import prune_passkey_challenges
    from portal.service_levels.breaches import act_on_service_levels
    from portal.sso.service import prune_sso_logins
    from portal.submissions.service import prune_submissions

    return [
        (_with_settings_of(app, prune_throttles), {"trigger": "interval", "minutes": 15}),
        (_with_settings_of(app, prune_sessions), {"trigger": "interval", "minutes": 15}),
        (_with_settings_of(app, prune_sso_logins), {"trigger": "interval", "hours": 1}),
        (_with_settings_of(app, prune_submissions), {"trigger": "interval", "hours": 1}),
        (_with_settings_of(app, prune_idempotency_keys), {"trigger": "interval", "hours": 1}),
        (_with_settings_of(app, prune_devices), {"trigger": "interval", "hours": 1}),
        (_with_settings_of(app, prune_passkey_challenges), {"trigger": "interval", "hours": 1}),
        # Both are safe to run from two schedulers at once: each case is claimed by a conditional update.
        (_with_settings_of(app, remind_unanswered_resolutions), {"trigger": "interval", "minutes": 10}),
        (_with_settings_of(app, close_unanswered_resolutions), {"trigger": "interval", "minutes": 10}),
        # Service-level warnings and breaches: each claimed by a conditional update, so also safe twice.
        (_with_settings_of(app, act_on_service_levels), {"trigger": "interval", "minutes": 1}),
        # Received mail its receiving process left unprocessed (it died after storing): claimed one by one.
        (_with_settings_of(app, process_waiting), {"trigger": "interval", "minutes": 1}),
    ]


def delivery_check(app):
    """The notifier's `suppress` hook: recipient preferences read just before each send, with app's
    configuration (delivery runs in a scheduler thread)."""
    from portal.notification_preferences.queries import delivery_suppression

    return _with_settings_of(app, delivery_suppression)


def build_app_scheduler(app, *, blocking: bool):
    delivery = notifier.Settings.from_mapping(app.config)
    return build_scheduler(delivery, blocking=blocking, extra_jobs=portal_jobs(app), suppress=delivery_check(app))
