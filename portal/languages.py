"""Connecting portal.i18n to Flask: which locale and time zone a request is shown in, Flask-Babel's
catalogues, and what pages need (<html lang dir>, JSON that can hold translated messages).

The locale of a request: the signed-in user's language, else the best of the browser's
Accept-Language the portal offers (a regional tag keeps its region for dates and numbers: de-AT is
shown in German with Austrian conventions), else DEFAULT_LANGUAGE.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request
from flask.globals import _cv_app
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel, LazyString, format_decimal, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from portal import i18n
from portal.catalogues import TRANSLATIONS
from portal.settings import setting


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, also for translatable messages (API error bodies, flashed messages kept in the
    session): they are put into words in the request's language when written."""

    @staticmethod
    def default(o):
        if isinstance(o, (i18n.LazyText, LazyString)):
            return str(o)
        return DefaultJSONProvider.default(o)


def init_app(app: Flask) -> None:
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)
    Babel(app, locale_selector=select_locale, timezone_selector=select_time_zone,
          default_translation_directories=str(TRANSLATIONS))
    i18n.install(gettext=_gettext, ngettext=_ngettext, locale=_locale, zone=viewer_zone)
    # Pages call gettext hundreds of times (every label, every cell's data-label): look the request's
    # catalogue up once, not through Flask-Babel's context lookups each time (profiled: 28 % of a list).
    app.jinja_env.install_gettext_callables(
        gettext=lambda message: _translations().ugettext(message),
        ngettext=lambda singular, plural, num: _translations().ungettext(singular, plural, num),
        newstyle=True,
    )
    # ... and call it directly: Jinja's own newstyle `_` resolves `gettext`, which calls the function
    # above, each through Context.call (three calls and two context lookups for every `_()`, about
    # 12 µs; a page has 40-60). These do what Jinja's newstyle functions do, in one call.
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)

    @app.context_processor
    def language_globals():
        return {"html_lang": html_lang(), "text_dir": text_direction()}


def _translations():
    """The catalogue of the request's locale, remembered on Flask-Babel's per-request state for as long
    as that locale holds (force_locale changes it, and with it the catalogue). Read from the application
    context directly, not through the `g` proxy: every translated word of a page asks for it."""
    state = _babel_state()
    if state is not None:
        remembered = state.get("caseport_translations")
        if remembered is not None and remembered[0] is state.get("babel_locale"):
            return remembered[1]
    translations = get_translations()
    state = _babel_state()
    if state is not None:
        state["caseport_translations"] = (state.get("babel_locale"), translations)
    return translations


def _babel_state() -> dict | None:
    """The attributes of Flask-Babel's per-request state (g._flask_babel), if it has been created."""
    context = _cv_app.get(None)
    if context is None:
        return None
    state = vars(context.g).get("_flask_babel")
    return vars(state) if state is not None else None


@pass_eval_context  # (not the context: Jinja copies a block's whole context for each call that takes it)
def _template_gettext(eval_ctx, message: str, /, **variables) -> str:
    """Jinja's newstyle gettext (jinja2.ext): the translation, marked safe under autoescape, and always
    %-formatted with the (escaped) variables."""
    text = _translations().ugettext(message)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 -- a catalogue's text, as Jinja's own gettext marks it
    # Jinja formats even without variables ("%%" becomes "%"); a text without "%" comes out the same
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables) -> str:
    """Jinja's newstyle ngettext: as _template_gettext, with `num` among the variables."""
    variables.setdefault("num", num)
    text = _translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 -- as above
    return text % variables


def plural_samples() -> list[tuple[str, int]]:
    """One count for each plural category of the reader's language (CLDR's "one", "few", "other" ...):
    a page renders a text once per category for a script, which picks one with Intl.PluralRules."""
    return _plural_samples(str(i18n.current_locale()))


@lru_cache(maxsize=32)
def _plural_samples(locale: str) -> list[tuple[str, int]]:
    rule = Locale.parse(locale).plural_form
    samples: dict[str, int] = {}
    for count in range(1000):
        samples.setdefault(rule(count), count)
    return list(samples.items())


def count_texts(limit: int) -> Markup:
    """The live character counter's words (static/js/forms.js) for a long text of at most `limit`
    characters, as JSON in every plural form of the reader's language: {"one": {"left": "%(num)s
    character left.", "over": "..."}, "other": {...}}, chosen in the browser with Intl.PluralRules, the
    count put in with Intl.NumberFormat. Worked out once per language and limit: a staff case page has
    six long texts, and each cost eight translations and a JSON dump."""
    return _count_texts(str(i18n.current_locale()), limit)


@lru_cache(maxsize=256)
def _count_texts(locale: str, limit: int) -> Markup:
    ngettext = _translations().ungettext  # by this name the catalogue tools find the texts
    texts = {}
    for category, n in _plural_samples(locale):
        texts[category] = {
            "left": ngettext("%(num)s character left.", "%(num)s characters left.", n) % {"num": "%(num)s"},
            "over": ngettext("%(num)s character too many (the limit is %(limit)s).",
                             "%(num)s characters too many (the limit is %(limit)s).", n)
            % {"num": "%(num)s", "limit": format_decimal(limit)},
        }
    policies = current_app.jinja_env.policies  # what the template's |tojson used
    return htmlsafe_json_dumps(texts, dumps=policies["json.dumps_function"], **policies["json.dumps_kwargs"])


def _gettext(message: str, **params) -> str:
    text = _translations().ugettext(message)
    return text % params if params else text


def _ngettext(singular: str, plural: str, num: int, **params) -> str:
    params.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % params


def _locale() -> Locale:
    # In an application context Flask-Babel decides: a request's selected locale, a command's forced
    # one (portal.cli), else DEFAULT_LANGUAGE. Outside any (a worker thread running a service): the
    # portal's language, from its settings.
    if _cv_app.get(None) is not None:
        # the locale Flask-Babel settled on for this request, read straight from its state (pages ask
        # for it for every date they show); get_locale() works it out the first time
        state = _babel_state()
        locale = state.get("babel_locale") if state is not None else None
        return locale if locale is not None else get_locale()
    return Locale.parse(str(setting("DEFAULT_LANGUAGE") or "en").replace("-", "_"))


def select_locale() -> str:
    if not has_request_context():  # a command or a job: no browser, no signed-in user
        return current_app.config.get("DEFAULT_LANGUAGE", "en")
    if current_user and current_user.is_authenticated:
        chosen = i18n.match_language(getattr(current_user, "language", None))
        if chosen:
            return chosen
    for tag, _quality in request.accept_languages:
        chosen = i18n.match_language(tag)
        if chosen:
            return chosen
    return current_app.config.get("DEFAULT_LANGUAGE", "en")


def viewer_zone() -> ZoneInfo:
    """The signed-in person's time zone (UTC for visitors or an unknown zone), once per request."""
    if not has_request_context():
        return ZoneInfo("UTC")
    if "viewer_zone" not in g:
        name = current_user.time_zone if current_user.is_authenticated else None
        try:
            g.viewer_zone = ZoneInfo(name or "UTC")
        except (KeyError, ValueError):
            g.viewer_zone = ZoneInfo("UTC")
    return g.viewer_zone


def select_time_zone() -> str:
    return viewer_zone().key


def current_language() -> str:
    """The bare language of this request's locale ("de" for de_AT): what a new account is given."""
    return _locale().language


def current_locale_name() -> str:
    """The request's locale as text ("de_AT"): what a page shown in it is kept under (portal.fragments).
    Remembered beside Flask-Babel's per-request state for as long as that locale holds, as the
    catalogue is: a list page asks for it for every kept part (Babel builds the text each time)."""
    locale = _locale()
    state = _babel_state()
    if state is None:
        return str(locale)
    remembered = state.get("caseport_locale_name")
    if remembered is not None and remembered[0] is locale:
        return remembered[1]
    name = str(locale)
    state["caseport_locale_name"] = (locale, name)
    return name


def html_lang() -> str:
    return str(_locale()).replace("_", "-")


def text_direction(locale: Locale | None = None) -> str:
    locale = locale or _locale()
    return "rtl" if locale.character_order == "right-to-left" else "ltr"
