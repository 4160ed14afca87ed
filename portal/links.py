"""Absolute links for mail, text messages and anything else read outside the portal's pages.

Built from the application's own URL rules (the URL map create_app registered in portal.settings) and
the configured BASE_URL, so they need no request or application context: services, jobs and the CLI
get the same links a page's url_for(..., _external=True) would give behind that address. BASE_URL,
not the request's host, because a link in mail must point at the portal's public address whoever
triggered it (a job, or a request that reached the portal by another name).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from portal.settings import NotConfigured, current


def absolute(endpoint: str, **values: object) -> str:
    """The absolute URL of endpoint (e.g. "cases.detail", reference=...) under BASE_URL.

    Raises werkzeug.routing.BuildError for an unknown endpoint or missing values, NotConfigured when
    no application registered its URL map.
    """
    registered = current()
    if registered.url_map is None:
        raise NotConfigured("No URL map: build the application with create_app() first.")
    base = urlsplit(str(registered.config["BASE_URL"]))
    adapter = registered.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
