"""Where one page's request CPU goes, step by step: exclusive time.thread_time per step, in-process.

profile_pages.py splits a page into SQL, rendering and "the rest" through Flask's test client (whose
own work lands in "the rest"). This script calls the WSGI app itself with the environ of a signed-in
browser's request (captured once from the test client, so the session cookie, its CSRF secret and the
user agent are a browser's), and times each of Flask's and the portal's steps with wrappers that
charge every slice of thread CPU to the innermost step running (exclusive times; calls counted):
request set-up and teardown (contexts, URL matching, the session cookie), each before_request and
after_request hook and context processor, Flask-Login's user loading and the session's resumption, the
view and its queries, the response object, SQL (statement text and execution), Jinja (the render's
set-up; with --templates each template's top level and blocks and the layout's helpers: url_for,
translations, the kept parts, the navigation). Timers cost about a microsecond a call: read the
ranking and the before/after differences, not the sum (the plain total, with no step timed, is printed
first). Garbage collections land in whichever step allocates at that moment.

    .venv/bin/python tests/bench/profile_request.py \\
        --database-url postgresql://caseport:caseport@127.0.0.1:5432/caseport_c --schema i12_bench_20k \\
        [--page dashboard|case|agent-case|search|agent-search] [--requests 300] [--templates]
        [--reference REF]   # case/agent-case: another case of the busy customer, e.g. an open one

Compare two code trees by running each tree's copy of this script from that tree's root, alternately.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"


class Steps:
    """Exclusive thread CPU per step: a step's time excludes the timed steps it calls."""

    def __init__(self):
        self.totals: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.stack = ["outside any step"]
        self.mark = time.thread_time()

    def _charge(self) -> None:
        now = time.thread_time()
        self.totals[self.stack[-1]] += now - self.mark
        self.mark = now

    def timed(self, function, step: str):
        steps = self

        def timed(*args, **kwargs):
            steps._charge()
            steps.stack.append(step)
            steps.calls[step] += 1
            try:
                return function(*args, **kwargs)
            finally:
                steps._charge()
                steps.stack.pop()

        if hasattr(function, "jinja_pass_arg"):  # Jinja passes the context to such functions
            timed.jinja_pass_arg = function.jinja_pass_arg
        return timed

    def timed_generator(self, function, step: str):
        """For Jinja's render functions (generators): each resumption is charged to the step."""
        steps = self

        def timed(*args, **kwargs):
            steps.calls[step] += 1
            iterator = function(*args, **kwargs)
            while True:
                steps._charge()
                steps.stack.append(step)
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    steps._charge()
                    steps.stack.pop()
                yield item

        return timed

    def wrap(self, owner, name: str, step: str) -> None:
        setattr(owner, name, self.timed(getattr(owner, name), step))

    def reset(self) -> None:
        self.totals.clear()
        self.calls.clear()
        self.mark = time.thread_time()


def install(app, steps: Steps, *, templates: bool) -> None:
    import flask.app
    import flask.ctx
    import flask.templating
    import flask_login.login_manager
    import peewee
    import werkzeug.wrappers.response as response

    from portal.accounts.service import sessions

    wrap = steps.wrap
    wrap(flask.app.Flask, "wsgi_app", "Flask: wsgi_app (request object, URL adapter)")
    wrap(flask.ctx.RequestContext, "push", "Flask: request context push")
    wrap(flask.ctx.RequestContext, "pop", "Flask: request context pop")
    wrap(flask.ctx.RequestContext, "match_request", "Flask: URL matching")
    wrap(flask.ctx.AppContext, "push", "Flask: app context push/pop")
    wrap(flask.ctx.AppContext, "pop", "Flask: app context push/pop")
    wrap(flask.app.Flask, "preprocess_request", "Flask: preprocess_request")
    wrap(flask.app.Flask, "full_dispatch_request", "Flask: full_dispatch_request")
    wrap(flask.app.Flask, "dispatch_request", "Flask: dispatch_request")
    wrap(flask.app.Flask, "finalize_request", "Flask: finalize_request")
    wrap(flask.app.Flask, "make_response", "Flask: make_response (body to bytes)")
    wrap(flask.app.Flask, "process_response", "Flask: process_response")
    wrap(flask.app.Flask, "do_teardown_request", "Flask: teardown")
    wrap(flask.app.Flask, "update_template_context", "Flask: update_template_context")
    wrap(response.Response, "__call__", "Werkzeug: response to WSGI")
    wrap(response.Response, "get_wsgi_headers", "Werkzeug: response headers")
    wrap(app.session_interface, "open_session", "session cookie: open")
    wrap(app.session_interface, "save_session", "session cookie: save")
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs,
                  app.template_context_processors):
        for blueprint, functions in hooks.items():
            hooks[blueprint] = [steps.timed(function, f"hook: {function.__module__}.{function.__qualname__}")
                                for function in functions]
    wrap(flask_login.login_manager.LoginManager, "_load_user", "Flask-Login: _load_user")
    app.login_manager._user_callback = steps.timed(app.login_manager._user_callback, "user loader")
    wrap(sessions, "resume_session", "session resumption (the User from its row)")
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = steps.timed(view, "view")
    wrap(flask.templating, "_render", "Jinja: render set-up and untimed template code")
    wrap(peewee.Database, "execute", "SQL: statement text (peewee)")
    wrap(peewee.Database, "execute_sql", "SQL: execution")
    wrap(peewee.CursorWrapper, "iterate", "SQL: rows to objects")
    wrap(peewee.Database, "connect", "SQL: connect/close")
    wrap(peewee.Database, "close", "SQL: connect/close")
    from portal.cases.routes import case_rows, dashboard

    for name in ("filter_data", "dashboard_for"):
        wrap(dashboard, name, f"dashboard: {name}")
    wrap(case_rows.CaseRowMarkup, "rows", "dashboard: rows' markup")
    if templates:
        from portal import fragments

        template_globals = app.jinja_env.globals
        for name in ("url_for", "csrf_token", "_"):
            template_globals[name] = steps.timed(template_globals[name], f"template: {name}()")
        template_globals["gettext"] = template_globals["_"]
        kept_filter = getattr(fragments, "KEPT_FILTER", None)  # (older trees: the tag had no lookup of its own)
        if kept_filter:
            app.jinja_env.filters[kept_filter] = steps.timed(app.jinja_env.filters[kept_filter],
                                                             "template: kept part lookup")
        wrap(fragments.RememberExtension, "_remembered", "template: kept part rendered")
        wrap(flask.templating.Environment, "get_template", "Jinja: get_template")
        from portal import navigation

        wrap(navigation, "nav_markup", "template: nav_markup()")


def time_templates(app, steps: Steps) -> None:
    """Each loaded template's top level and blocks as their own steps (after the warm-up loaded them)."""
    for template in list(app.jinja_env.cache.values()):
        template.root_render_func = steps.timed_generator(template.root_render_func, f"template {template.name}")
        for block in list(template.blocks):
            template.blocks[block] = steps.timed_generator(template.blocks[block],
                                                           f"template {template.name} block {block}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database seeded by `caseport seed`")
    parser.add_argument("--schema", help="PostgreSQL: the schema of a seeded database (bench_portal.py --reuse NAME)")
    parser.add_argument("--page", default="dashboard",
                        choices=["dashboard", "case", "agent-case", "search", "agent-search"])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--search", default="printer")
    parser.add_argument("--reference", help="case and agent-case: this case of the busy customer instead (e.g. an "
                                            "open one in the agent's workgroups) rather than the benchmark's")
    parser.add_argument("--templates", action="store_true", help="also time each template and the layout's helpers")
    parser.add_argument("--top", type=int, default=40, help="steps listed")
    args = parser.parse_args()

    from bench_portal import find_targets, postgres_schema_url
    from flask import request
    from profile_pages import CSRF_RE

    from portal import create_app
    from portal.demo import DEMO_PASSWORD

    url = postgres_schema_url(args.database_url, args.schema) if args.schema else args.database_url
    targets = find_targets(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    viewer = "agent" if args.page.startswith("agent") else "customer"
    path = {"dashboard": "/cases", "case": f"/cases/{args.reference or targets['customer_case'][0]}",
            "agent-case": f"/cases/{args.reference or targets['agent_case'][0]}",
            "search": f"/cases?q={quote_plus(args.search)}",
            "agent-search": f"/staff/search?q={quote_plus(args.search)}"}[args.page]
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_RE.search(page)
    signed_in = client.post("/login", data={"csrf_token": match.group(1) or match.group(2),
                                            "email": targets[viewer].email, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302, signed_in.status_code
    captured = {}

    def capture():
        captured.update(request.environ)

    app.before_request_funcs[None].insert(0, capture)
    for _ in range(3):  # the first page stores the session's CSRF secret in the cookie, as a browser keeps it
        client.get(path)
    app.before_request_funcs[None].remove(capture)
    environ = {key: value for key, value in captured.items() if not key.startswith("werkzeug.")}

    def request_once() -> None:
        statuses = []
        body = app(dict(environ, **{"wsgi.input": io.BytesIO(b"")}),
                   lambda status, headers, *_: statuses.append(status))
        b"".join(body)
        if hasattr(body, "close"):
            body.close()
        assert statuses[0].startswith("200"), statuses[0]

    for _ in range(20):
        request_once()
    started = time.thread_time()
    for _ in range(args.requests):
        request_once()
    plain = (time.thread_time() - started) * 1000 / args.requests
    steps = Steps()
    install(app, steps, templates=args.templates)
    for _ in range(5):
        request_once()
    if args.templates:
        time_templates(app, steps)
    steps.reset()
    started = time.thread_time()
    for _ in range(args.requests):
        request_once()
    steps._charge()
    timed = (time.thread_time() - started) * 1000 / args.requests
    print(f"{args.page} {path}: {plain:.3f} ms of CPU a request untimed, {timed:.3f} ms timed "
          f"({args.requests} requests each)")
    for step, seconds in sorted(steps.totals.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {seconds * 1000 / args.requests:7.3f} ms  {steps.calls[step] / args.requests:5.1f} calls  {step}")


if __name__ == "__main__":
    main()
