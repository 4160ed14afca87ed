"""`{% remember key, ... %}...{% endremember %}`: a part of a page rendered once and reused while
everything it shows is the same.

A list page draws the same chrome for most of its views: the dashboard's sortable column headings,
its status groups, its filter form with the statuses and forms in use, its page links. Profiled
(issue 12), they were half of the dashboard's rendering: dozens of macro calls, translated words and
addresses each time, for markup that depends only on the reader's language and the view (the query
arguments, the counts, the choices). The tag renders its body the first time, keeps the markup per
application under the template, the tag's line, the request's locale and script root and the key
values the template names, and hands out the kept markup after that.

The template names EVERY value its body reads besides translations and addresses (tests check each
use: the page with the memo equals the page without it, for many views in several languages, in an
order that reuses entries). Keys may be hashable values, dicts, lists and MultiDicts (frozen here);
as in any dict, 1 and True are the same key, so each position of a key should hold one type.
Nothing personal or per-request (a CSRF token, a time relative to now) may be inside such a block.
At most `KEPT` fragments are kept per application; when full, the memo starts over.
"""

from __future__ import annotations

from flask.globals import _cv_request
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from portal.languages import current_locale_name

KEPT = 4096


_PLAIN = (str, int, bool, type(None))


def _frozen(value):
    """value as something hashable that compares equal exactly when the value does."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:  # most often of plain values or named tuples: hashable as they are
        items = tuple(value)
        try:
            hash(items)
        except TypeError:
            items = tuple(_frozen(item) for item in value)
        return (kind.__name__, items)
    if isinstance(value, MultiDict):
        return ("multidict", tuple(value.items(multi=True)))
    if isinstance(value, dict):
        return ("dict", tuple((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_frozen(item) for item in value))
    hash(value)  # anything else must be hashable as it is (a frozen dataclass, text, numbers)
    return value


class RememberExtension(Extension):
    """The `remember` tag (see the module's text). `environment.remember_fragments = False` renders every
    block each time (tests compare both)."""

    tags = {"remember"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(remember_fragments=True)

    def parse(self, parser):
        token = next(parser.stream)
        values = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endremember",), drop_needle=True)
        place = nodes.Const(f"{parser.name or parser.filename}:{token.lineno}")
        call = self.call_method("_remembered", [place, nodes.Tuple(values, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(token.lineno)

    def _remembered(self, place: str, values: tuple, caller) -> str:
        context = _cv_request.get(None)  # the request's context itself: not through the proxies
        if not self.environment.remember_fragments or context is None:
            return caller()
        key = (place, current_locale_name(), context.request.script_root, _frozen(values))
        kept = context.app.extensions.setdefault("caseport_fragments", {})
        markup = kept.get(key)
        if markup is None:
            markup = Markup(caller())  # noqa: S704 -- the block's own output, escaped as it was rendered
            if len(kept) >= KEPT:
                kept.clear()
            kept[key] = markup
        return markup
