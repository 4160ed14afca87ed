"""Caseport portal: create_app() builds the Flask application. Importing this package has no side effects."""

from __future__ import annotations

import gc
from pathlib import Path

__all__ = ["create_app"]


def create_app(config: dict | None = None):
    from flask import Flask

    from portal import templating, web
    from portal.config import load_config
    from portal.paths import STATIC, TEMPLATES

    instance_path = Path((config or {}).get("INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    app = Flask(
        "portal",
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
        instance_path=str(instance_path),
    )
    app.jinja_environment = templating.Environment  # before anything builds app.jinja_env
    app.config.update(load_config(config, instance_path))
    web.init_app(app)
    register_blueprints(app)
    register_webhooks()
    if not app.config.get("TESTING"):
        # Everything loaded so far (modules, the app, its blueprints) lives as long as the process:
        # exempt it from the garbage collector's full passes, which otherwise walk those ~140,000
        # objects every few hundred requests (measured: 0.15 ms per dashboard request on average).
        # Not in tests, which build many apps in one process and drop them.
        gc.freeze()
    return app


def register_webhooks() -> None:
    """Webhooks: the notifier's webhook channel (beside its own email and SMS) with the portal's
    endpoints, and their deliveries queued with every recorded event."""
    from portal.events.service import follow
    from portal.webhooks.deliveries import enqueue_for_event, register_channel

    register_channel()
    follow(enqueue_for_event)


def register_blueprints(app) -> None:
    """Every feature's pages, in one list: a new feature adds its blueprint here (and its menu entry,
    if any, in portal/navigation.py). Imported here, not at the top: importing portal loads no feature."""
    from portal.accounts.routes import bp as accounts
    from portal.admin.routes import bp as admin
    from portal.api.routes import bp as api
    from portal.api_tokens.routes import bp as api_tokens
    from portal.cases.routes import bp as cases
    from portal.customers.routes import bp as customers
    from portal.home import bp as home
    from portal.mail_in.admin_routes import bp as mail_in_admin
    from portal.mail_in.routes import bp as mail_in
    from portal.mfa.routes import bp as mfa
    from portal.notification_admin.routes import bp as notification_admin
    from portal.notification_preferences.routes import bp as notification_preferences
    from portal.outbox_views.routes import bp as outbox_views
    from portal.passkeys.routes import bp as passkeys
    from portal.people.routes import bp as people
    from portal.reports.routes import bp as reports
    from portal.service_levels.routes import bp as service_levels
    from portal.sso.routes import bp as sso
    from portal.staff.routes import bp as staff
    from portal.teams.routes import bp as teams
    from portal.webhooks.routes import bp as webhooks

    for blueprint in (
        accounts,  # sign-in, sign-up, password reset, profile
        home,  # / sends each user to where their work is
        outbox_views,  # staff screens over the notifier: the outbox and captured mail
        customers,  # customer profiles, accounts and assets
        teams,  # workgroups (admins)
        admin,  # case fields, case templates, statuses and reasons (admins)
        service_levels,  # business calendars, SLA policies, OLA targets (admins)
        cases,  # the customer and proxy portal: dashboard, filing, the case page
        notification_admin,  # message texts and who is told what (admins)
        notification_preferences,  # each user's notification choices, one-click unsubscribe
        staff,  # the agent workspace
        mail_in,  # the inbound mail queue: held and failed email (supervisors, admins)
        people,  # accepting an invitation; account managers' colleagues (the admin pages are admin's)
        reports,  # charts and figures for supervisors (their workgroups) and admins
        api,  # the JSON API for other systems (/api/v1/), bearer tokens only
        api_tokens,  # one's own API tokens; admins' service accounts and every token
        webhooks,  # webhook endpoints, their deliveries and secrets (admins)
        mail_in_admin,  # inbound email addresses that open cases (admins)
        sso,  # single sign-on with OpenID Connect providers
        passkeys,  # passkeys (WebAuthn): the account page's list, passwordless sign-in
        mfa,  # the second factor: verifying and enrolling at sign-in, one's own on the account page
    ):
        app.register_blueprint(blueprint)
