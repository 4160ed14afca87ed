"""The navigation bar: one entry per page people start from, shown to the roles that may use it."""

from __future__ import annotations

import os

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from portal.i18n import _l, current_locale
from portal.policy import has_role

# (label, endpoint, roles allowed, what it is for[, a condition beyond the role: see _shown]).
NAVIGATION = [
    (_l("My cases"), "cases.dashboard", ("customer", "proxy"),
     _l("Your cases and where they stand: filter, search and see what waits for you.")),
    (_l("Workspace"), "staff.home", ("agent", "supervisor", "admin"),
     _l("Your cases, your workgroups' queues, your tasks and a search across every case you may see.")),
    (_l("Open a case"), "cases.new", ("customer", "proxy", "agent", "supervisor", "admin"),
     _l("Choose a form and tell us about your issue.")),
    (_l("Case settings"), "admin.index", ("admin",), _l("Case fields, case templates, statuses and reasons.")),
    (_l("Reports"), "reports.index", ("supervisor", "admin"),
     _l("Open and closed cases, response and closing times, satisfaction and the backlog, with charts.")),
    (_l("Customers"), "customers.search", ("agent", "supervisor", "admin"),
     _l("Find, create and edit customer profiles.")),
    (_l("Workgroups"), "teams.index", ("admin",), _l("Teams of agents and supervisors, and who is in them.")),
    (_l("Service levels"), "service_levels.index", ("admin",),
     _l("Business calendars, response and resolution targets per case template, escalation targets.")),
    (_l("People"), "admin.users", ("admin",),
     _l("Everyone who signs in: invite staff, change roles and workgroups, deactivate; the audit log.")),
    (_l("Colleagues"), "people.colleagues", ("customer",),
     _l("Who of your organisation has access to the portal; invite colleagues."), "account_manager"),
    (_l("Outbox"), "outbox_views.outbox", ("agent", "supervisor", "admin"),
     _l("Every email and text message: queued, sent, failed or stopped.")),
    (_l("Captured mail"), "outbox_views.mailbox", ("agent", "supervisor", "admin"),
     _l("Messages the demo captured instead of sending them."), "mailbox"),
    (_l("Received mail"), "mail_in.queue_list", ("supervisor", "admin"),
     _l("Email that could not be added to a case by itself: held or failed, to retry or discard.")),
    (_l("Notifications"), "notification_admin.index", ("admin",),
     _l("Message texts, who is told what, and on which channel.")),
    (_l("Webhooks"), "webhooks.index", ("admin",),
     _l("Endpoints that receive case events as signed HTTP requests, and their deliveries.")),
    (_l("Inbound email"), "mail_in_admin.index", ("admin",),
     _l("The addresses mail to which opens cases: template, workgroup, language, unknown senders.")),
]


def _shown(condition: str, user) -> bool:
    """Entries can name a condition beyond the role (the mailbox exists only with a dev sink)."""
    if condition == "mailbox":
        from portal.outbox_views.queries import mailbox_enabled

        return mailbox_enabled()
    if condition == "account_manager":
        from portal.policy import can_invite_colleagues

        return can_invite_colleagues(user)
    return True


def nav_links():
    """The entries the signed-in user may use, one of them marked current: the page's own entry,
    or else the first entry of the same area (a case page sits under "My cases")."""
    if not current_user.is_authenticated:
        return []
    user = current_user._get_current_object()
    return _links(user, _conditions(user), request.endpoint or "")


def nav_markup() -> Markup:
    """The navigation's entries as markup (templates/_nav_links.html), for the signed-in user.

    Every page shows it, and it is the same for everyone of one role, language and page: it is
    rendered once per application for each (role, conditions, language, page, script root) and then
    reused (profiled: 250 µs of every page before, most of it the role checks and url_for)."""
    if not current_user.is_authenticated:
        return Markup("")
    user = current_user._get_current_object()
    conditions, here = _conditions(user), request.endpoint or ""
    key = (user.role, conditions, str(current_locale()), here, request.script_root)
    cache = current_app.extensions.setdefault("caseport_navigation", {})
    rendered = cache.get(key)
    if rendered is None:
        links = _links(user, conditions, here)
        rendered = Markup(render_template("_nav_links.html", links=links))  # noqa: S704 -- a template's output
        if len(cache) >= _RENDERED_KEPT:
            cache.clear()
        cache[key] = rendered
    return rendered


_RENDERED_KEPT = 4096  # (role, conditions, language, page) combinations: a few hundred in practice


def _conditions(user) -> tuple:
    """Each entry's condition beyond the role, asked only of the roles whose entries have one."""
    return tuple(_shown(condition[0], user) if condition and has_role(user, *roles) else None
                 for _label, _endpoint, roles, _description, *condition in NAVIGATION)


def _links(user, conditions: tuple, here: str) -> list[dict]:
    links = []
    for (label, endpoint, roles, description, *_condition), shown in zip(NAVIGATION, conditions, strict=True):
        if has_role(user, *roles) and shown is not False:
            links.append({"label": label, "url": url_for(endpoint), "endpoint": endpoint,
                          "description": description, "current": False})
    _mark_current(links, _entry_endpoint(here, user))
    return links


def _mark_current(links: list[dict], here: str) -> None:
    exact = [link for link in links if link["endpoint"] == here]
    same_area = [link for link in links if link["endpoint"].split(".")[0] == here.split(".")[0]]
    # Within an area, the entry whose endpoint shares the longest start with the page's (admin.user_detail
    # sits under admin.users, not admin.index); the first such entry on a tie.
    same_area.sort(key=lambda link: -len(os.path.commonprefix([link["endpoint"], here])))
    for link in (exact or same_area)[:1]:
        link["current"] = True


def _entry_endpoint(here: str, user) -> str:
    """The entry a page sits under when its blueprint says otherwise: a case page (the cases blueprint,
    shared by everyone) is under the viewer's own start page, not under "Open a case"."""
    if here.startswith("cases.") and not here.startswith("cases.new"):
        return "staff.home" if has_role(user, "agent", "supervisor", "admin") else "cases.dashboard"
    return here
