"""The `caseport` command: db upgrade, create-user, demo, serve, notifier."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path

import click

from portal.i18n import _, ngettext


def _app(**config):
    from portal import create_app

    return create_app({k: v for k, v in config.items() if v is not None})


def operator_language(app) -> str:
    """The language the command speaks: the operator's locale (LC_ALL, LC_MESSAGES or LANG, as for
    any command-line program) when Caseport ships its language, else the portal's DEFAULT_LANGUAGE."""
    from portal.i18n import match_language

    with app.app_context():
        for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
            value = os.environ.get(name, "")
            if value:
                # "de_DE.UTF-8" -> "de_DE"; "C" and "POSIX" name no language.
                return match_language(value.split(".")[0].split("@")[0]) or app.config["DEFAULT_LANGUAGE"]
        return app.config["DEFAULT_LANGUAGE"]


@contextlib.contextmanager
def speaking(app):
    """An application context in the operator's language: what the command prints is translated as
    pages are (the CLI runs without a request, so no browser names a language)."""
    from flask_babel import force_locale

    language = operator_language(app)
    with app.app_context(), force_locale(language):
        yield


@click.group()
@click.version_option(package_name="caseport")
def main():
    """Caseport: a self-service case portal with a reliable notifier."""


@main.group()
def db():
    """Database schema."""


@db.command("upgrade")
def db_upgrade():
    """Apply every schema migration not yet applied."""
    from portal.bootstrap import prepare_database

    app = _app()
    applied = prepare_database(app, log=click.echo)
    with speaking(app):
        click.echo(ngettext("%(num)d migration applied; the schema is up to date.",
                            "%(num)d migrations applied; the schema is up to date.", len(applied)))


@db.command("makemigration")
@click.argument("name")
@click.option("--module", "modules", multiple=True, metavar="MODULE",
              help="Only models defined in this module (e.g. portal.models.cases); repeatable.")
def db_makemigration(name, modules):
    """Write a migration creating the tables of models that the migrations do not create yet."""
    import re
    import tempfile

    import peewee

    from portal.db import migration_names, missing_models, render_migration, upgrade
    from portal.models import all_models

    if not re.fullmatch(r"[a-z][a-z0-9_]{2,60}", name):
        raise click.BadParameter("use lower_case_words", param_hint="NAME")
    with tempfile.TemporaryDirectory() as scratch:
        scratch_db = peewee.SqliteDatabase(str(Path(scratch) / "scratch.db"))
        upgrade(scratch_db)
        models = missing_models(scratch_db, all_models())
        if modules:
            models = [m for m in models if m.__module__ in modules]
        scratch_db.close()
    if not models:
        click.echo("Every model's table is created by the existing migrations; nothing to write.")
        return
    import portal.migrations

    number = len(migration_names()) + 1
    path = Path(portal.migrations.__path__[0]) / f"{number:04d}_{name}.py"
    title = f"Create {', '.join(m._meta.table_name for m in models)}."
    path.write_text(render_migration(title, models))
    click.echo(f"wrote {path}")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="The name shown to others.")
@click.option("--role", type=click.Choice(["customer", "proxy", "agent", "supervisor", "admin"]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
@click.option("--time-zone", default="UTC", show_default=True)
def create_user(email, display_name, role, password, time_zone):
    """Create a user who can sign in straight away."""
    from portal.accounts.service import NewUser
    from portal.accounts.service import create_user as create
    from portal.bootstrap import prepare_database
    from portal.errors import DomainError
    from portal.people.rules import role_name

    app = _app()
    prepare_database(app)
    with speaking(app):
        try:
            user = create(NewUser(email=email, display_name=display_name, password=password, role=role,
                                  time_zone=time_zone))
        except DomainError as exc:
            # One line: the message, then each field's problem ("email: ...; password: ...").
            lines = [str(exc.message), *(f"{name}: {problem}" for name, problem in exc.fields.items())]
            raise click.ClickException("\n".join(lines)) from exc
        click.echo(_("Created %(role)s %(email)s.", role=role_name(user.role), email=user.email))


@main.command("reset-second-factor")
@click.option("--email", required=True)
def reset_second_factor(email):
    """Remove a user's second factor (authenticator app, recovery codes, remembered browsers), e.g. for
    the only admin, who lost both phone and recovery codes. Audited."""
    from portal.bootstrap import prepare_database
    from portal.errors import DomainError, NotFound
    from portal.mfa.service import operator_reset_second_factor

    app = _app()
    prepare_database(app)
    with speaking(app):
        try:
            user = operator_reset_second_factor(email)
        except NotFound as exc:
            raise click.ClickException(_("There is no user with the address %(email)s.", email=email)) from exc
        except DomainError as exc:
            raise click.ClickException(str(exc.message)) from exc
        click.echo(_("The second factor of %(email)s is reset: their next sign-in sets up a new one where their "
                     "role needs it.", email=user.email))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-notifier", is_flag=True, help="Do not deliver notifications from this process.")
def demo(host, port, no_notifier):
    """Migrate, load the demo data, print the logins and serve the portal with the notifier in-process."""
    from portal.bootstrap import prepare_database
    from portal.demo import DEMO_PASSWORD, load_demo_data
    from portal.demo.people import on_demo_password

    # Demo admins try the portal without an authenticator app first; MFA_REQUIRED_FOR=admin in the environment
    # shows the required set-up (production refuses "nobody").
    app = _app(BASE_URL=f"http://{host}:{port}", MAIL_BACKEND="devsink", SMS_BACKEND="devsink",
               MFA_REQUIRED_FOR=os.environ.get("MFA_REQUIRED_FOR") or "nobody")
    db = app.extensions["caseport_db"]
    prepare_database(app, log=click.echo)
    with db.connection_context():
        logins = load_demo_data()
        unchanged = on_demo_password([email for _role, email, _name in logins])
    with speaking(app):
        click.echo("\n" + _("Demo logins (password: %(password)s, unless marked as changed)", password=DEMO_PASSWORD))
        for role, email, name in logins:
            changed = "" if email in unchanged else "  " + _("(password changed since the demo was set up)")
            click.echo(f"  {role:<11} {email:<36} {name}{changed}")
        click.echo("\n" + _("Mail and text messages are captured, not sent: staff see them under "
                            "'Captured mail'."))
        if app.config["MFA_REQUIRED_FOR"] == "nobody":
            click.echo(_("No second factor is required in this demo (in production administrators always need "
                         "one); anyone may add an authenticator app or a passkey on their account page."))
        click.echo(_("The demo serves with Werkzeug's development server, which warns below that it is not for "
                     "production: right for trying Caseport on this machine; run it under gunicorn in "
                     "production (see the README)."))
    _serve(app, host, port, notifier=not no_notifier)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--with-notifier", is_flag=True, help="Also deliver notifications from this process.")
def serve(host, port, with_notifier):
    """Serve the portal (for production, run it under gunicorn: see the README)."""
    app = _app()
    _serve(app, host, port, notifier=with_notifier)


def _serve(app, host, port, *, notifier: bool):
    from werkzeug.serving import run_simple

    scheduler = None
    if notifier:
        from portal.jobs import build_app_scheduler

        scheduler = build_app_scheduler(app, blocking=False)
        scheduler.start()
    url = f"http://{host}:{port}/"
    with speaking(app):
        click.echo("\n" + _("Caseport is running on %(url)s (Ctrl+C to stop)", url=url))
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if scheduler:
            scheduler.shutdown(wait=False)


@main.command("seed")
@click.option("--cases", default=100_000, show_default=True, type=click.IntRange(1, 10_000_000),
              help="How many cases to generate.")
@click.option("--customers", type=click.IntRange(2, 10_000_000), help="How many customers [default: cases/20].")
@click.option("--seed", "random_seed", type=int, help="Random seed, for the same data set every time.")
def seed_command(cases, customers, random_seed):
    """Generate a large realistic data set (accounts, customers, cases, events, files, search index)."""
    from portal.bootstrap import prepare_database
    from portal.demo import DEMO_PASSWORD
    from portal.demo.seed import seed

    app = _app()
    prepare_database(app, log=click.echo)
    with speaking(app):
        label = _("Seeding cases")
    with app.extensions["caseport_db"].connection_context(), \
            click.progressbar(length=cases, label=label) as bar:
        report = seed(cases=cases, customers=customers, random_seed=random_seed, progress=bar.update)
    seconds, rate = f"{report.seconds:.1f}", f"{report.cases_per_second:.0f}"
    with speaking(app):
        click.echo(_("Seeded %(cases)s cases, %(events)s events, %(values)s field values, %(attachments)s "
                     "attachments, %(customers)s customers in %(accounts)s accounts in %(seconds)s s "
                     "(%(rate)s cases/s).", cases=report.cases, events=report.events, values=report.field_values,
                     attachments=report.attachments, customers=report.customers, accounts=report.accounts,
                     seconds=seconds, rate=rate))
        click.echo(ngettext("Logins (password %(password)s); %(email)s has %(num)d case:",
                            "Logins (password %(password)s); %(email)s has %(num)d cases:",
                            min(200, report.cases), password=DEMO_PASSWORD, email=report.busy_customer_email))
    for role, email in report.logins:
        click.echo(f"  {role:<9} {email}")


@main.group()
def sla():
    """Service levels."""


@sla.command("backfill")
def sla_backfill():
    """Store the time to first response and to close (business and calendar) of cases stored before reports had
    them, and the targets of open cases opened before service levels existed. In batches; safe to run again."""
    from portal.clock import utcnow
    from portal.service_levels.backfill import backfill

    app = _app()
    with app.extensions["caseport_db"].connection_context(), app.app_context():
        done = backfill(now=utcnow())
    with speaking(app):
        click.echo(_("Response and resolution times stored for %(first)d first responses and %(closed)d closed "
                     "cases; targets stored for %(targets)d open cases.", first=done["first_response"],
                     closed=done["resolution"], targets=done["targets"]))


@main.command("notifier")
def notifier_command():
    """Run the notification delivery scheduler (blocking). Safe to run more than one."""
    from portal.jobs import build_app_scheduler

    app = _app()
    scheduler = build_app_scheduler(app, blocking=True)
    with speaking(app):
        click.echo(_("Notifier running (Ctrl+C to stop)."))
    # SIGTERM (systemd, docker stop, kill) stops it as Ctrl+C does: the batch being sent is finished
    # and marked, so no message is left in flight to be held for review.
    signal.signal(signal.SIGTERM, _exit_quietly)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    if scheduler.running:
        scheduler.shutdown(wait=True)


def _exit_quietly(signum, frame):
    raise SystemExit(0)


@main.command("mail-in")
@click.option("--lmtp", "lmtp", metavar="HOST:PORT", help="Serve LMTP on HOST:PORT instead of reading one message.")
@click.option("--sender", "envelope_sender", metavar="ADDRESS", help="The envelope sender (Postfix: ${sender}).")
@click.option("--recipient", "recipients", multiple=True, metavar="ADDRESS",
              help="An envelope recipient (Postfix: ${original_recipient}); repeatable.")
def mail_in(lmtp, envelope_sender, recipients):
    """Receive email: one message on standard input (exit 0 once stored, 73 too large, 75 try again later),
    or an LMTP server with --lmtp. Each message is stored before it is acknowledged, then processed."""
    from portal.mail_in import receive

    if not lmtp:
        raw = sys.stdin.buffer.read()
        try:
            _app()
        except Exception:  # noqa: BLE001 - configuration or environment broken: the MTA keeps the message
            import traceback

            traceback.print_exc()
            sys.exit(receive.EX_TEMPFAIL)
        sys.exit(receive.receive_piped(raw, envelope_sender=envelope_sender, recipients=recipients))
    host, sep, port = lmtp.rpartition(":")
    if not sep or not port.isdigit():
        raise click.BadParameter("use HOST:PORT, e.g. 127.0.0.1:2003", param_hint="--lmtp")
    app = _app()
    controller = receive.lmtp_controller(app.config, app.url_map, host.strip("[]") or "127.0.0.1", int(port))
    # Blocked before the server's threads start (they inherit it), so only sigwait below sees them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    controller.start()
    with speaking(app):
        click.echo(_("Receiving email by LMTP on %(address)s (Ctrl+C to stop).", address=lmtp))
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        controller.stop()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


@main.group()
def translations():
    """The message catalogues (portal/translations)."""


@translations.command("update")
@click.option("--add", metavar="LANG", help="Start a catalogue for a new language (e.g. fr) first.")
def translations_update(add):
    """Extract the marked strings and merge them into every language's catalogue."""
    from babel import UnknownLocaleError

    from portal.catalogues import compile_catalogues, update_catalogues

    try:
        remaining = update_catalogues(add=add)
    except (ValueError, UnknownLocaleError) as exc:
        raise click.BadParameter(f"{add!r} is not a language tag", param_hint="--add") from exc
    for language, left in remaining.items():
        click.echo(f"{language}: {left} entr{'y' if left == 1 else 'ies'} to translate")
    compile_catalogues()
