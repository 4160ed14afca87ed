"""`{% remember key, ... %}...{% endremember %}`: a part of a page rendered once and reused while
everything it shows is the same.

A list page draws the same chrome for most of its views: the dashboard's sortable column headings,
its status groups, its filter form with the statuses and forms in use, its page links. Profiled
(issue 12), they were half of the dashboard's rendering: dozens of macro calls, translated words and
addresses each time, for markup that depends only on the reader's language and the view (the query
arguments, the counts, the choices). The tag renders its body the first time, keeps the markup per
application under the template, the tag's line and number in it, the request's locale and script
root and the key values the template names, and hands out the kept markup after that (looked up
through a filter, without rendering anything).

The template names EVERY value its body reads besides translations and addresses (tests check each
use: the page with the memo equals the page without it, for many views in several languages, in an
order that reuses entries). Keys may be hashable values, dicts, lists and MultiDicts (frozen here);
as in any dict, 1 and True are the same key, so each position of a key should hold one type.
Nothing personal or per-request (a CSRF token, a time relative to now) may be inside such a block.
At most `KEPT` fragments are kept per application; when full, the memo starts over.
"""

from __future__ import annotations

from flask.globals import _cv_request
from jinja2 import nodes, pass_context
from jinja2.ext import Extension
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from portal.languages import current_locale_name

KEPT = 4096
KEPT_FILTER = "_caseport_kept_fragment"
_NOTHING_KEPT: dict = {}


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


@pass_context  # also keeps Jinja from calling it at compile time when every value named is a constant
def _kept_fragment(template_context, place_and_values: tuple):
    """The kept markup of a part, or None (not kept yet, or nothing is kept: then the tag's CallBlock
    renders it)."""
    context = _cv_request.get(None)  # the request's context itself: not through the proxies
    if not template_context.environment.remember_fragments or context is None:
        return None
    return context.app.extensions.get("caseport_fragments", _NOTHING_KEPT).get(_key(context, *place_and_values))


def _key(context, place: str, values: tuple) -> tuple:
    """What a part is kept under: its place, the request's locale and script root, the values named."""
    return place, current_locale_name(), context.request.script_root, _frozen(values)


class RememberExtension(Extension):
    """The `remember` tag (see the module's text). `environment.remember_fragments = False` renders every
    block each time (tests compare both)."""

    tags = {"remember"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(remember_fragments=True)
        environment.filters[KEPT_FILTER] = _kept_fragment

    def parse(self, parser):
        token = next(parser.stream)
        values = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endremember",), drop_needle=True)
        lineno = token.lineno
        # the tag's place in its template: the line and the tag's number in the template (two tags on
        # one line naming the same values are two parts)
        number = getattr(parser, "_caseport_remember_tags", 0)
        parser._caseport_remember_tags = number + 1
        place = nodes.Const(f"{parser.name or parser.filename}:{lineno}:{number}")
        call = self.call_method("_remembered", [place, nodes.Tuple(values, "load")])
        render = nodes.CallBlock(call, [], [], body).set_lineno(lineno)
        # A kept part is looked up through a filter, which Jinja calls directly: the CallBlock alone
        # built a Macro for its body and went through Context.call on every use, kept or not
        # (about 5 us a part, profiled). Only a part not kept yet is rendered through the CallBlock.
        kept = f"_remembered_{number}"
        lookup = nodes.Filter(nodes.Tuple([place, nodes.Tuple(values, "load")], "load"), KEPT_FILTER,
                              [], [], None, None)
        return [
            nodes.Assign(nodes.Name(kept, "store"), lookup).set_lineno(lineno),
            nodes.If(nodes.Not(nodes.Test(nodes.Name(kept, "load"), "none", [], [], None, None)),
                     [nodes.Output([nodes.Name(kept, "load")])], [], [render]).set_lineno(lineno),
        ]

    def _remembered(self, place: str, values: tuple, caller) -> str:
        context = _cv_request.get(None)  # the request's context itself: not through the proxies
        if not self.environment.remember_fragments or context is None:
            return caller()
        key = _key(context, place, values)
        kept = context.app.extensions.setdefault("caseport_fragments", {})
        markup = kept.get(key)
        if markup is None:
            markup = Markup(caller())  # noqa: S704 -- the block's own output, escaped as it was rendered
            if len(kept) >= KEPT:
                kept.clear()
            kept[key] = markup
        return markup
