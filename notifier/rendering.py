"""Rendering staff-editable templates safely.

Templates run in Jinja2's immutable sandbox with a deliberately small surface: no globals (no
`range`, `cycler`, `lipsum`...), a whitelist of filters, no attribute or method access on anything
but dicts (whose keys are the only "attributes"), bounded `*` and `**`, limited loop nesting and
bounded output. The context is plain JSON data, so there is nothing to reach through it anyway;
the restrictions exist so that a template mistake or a hostile edit fails with a clear message
instead of reaching Python internals or burning the worker.
"""

from __future__ import annotations

import functools
import re

import jinja2
from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment

from notifier.models import EMAIL, SMS
from notifier.sms_segments import sms_shape

MAX_SOURCE_CHARS = 20_000
MAX_SUBJECT_CHARS = 200
MAX_TEXT_CHARS = 100_000
MAX_HTML_CHARS = 300_000
MAX_SMS_SEGMENTS = 10
MAX_LOOP_NESTING = 2
MAX_REPEAT = 10_000

PARTS = {EMAIL: ("subject", "text", "html"), SMS: ("text",)}
REQUIRED_PARTS = {EMAIL: ("subject", "text"), SMS: ("text",)}

SAFE_FILTERS = (
    "abs", "capitalize", "count", "default", "d", "e", "escape", "first", "float", "forceescape",
    "indent", "int", "join", "last", "length", "list", "lower", "replace", "round", "sort", "string",
    "striptags", "sum", "title", "trim", "truncate", "unique", "upper", "urlencode", "wordcount",
    "wordwrap",
)
LOOP_ATTRIBUTES = frozenset(
    ("index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0",
     "previtem", "nextitem")
)


class TemplateError(ValueError):
    """A template that cannot be saved or rendered; the message says why, with a line when known."""


class RenderError(TemplateError):
    """Rendering one message failed; the message is dead, the reason recorded."""


class PlainDataSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**"])

    def __init__(self, *, autoescape: bool):
        super().__init__(undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=True)
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in SAFE_FILTERS}

    def getattr(self, obj, attribute):
        if isinstance(obj, dict):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        if isinstance(obj, LoopContext) and attribute in LOOP_ATTRIBUTES:
            return getattr(obj, attribute)
        raise SecurityError(
            f"'{attribute}' on a {type(obj).__name__}: templates may read context values and use "
            "filters, but not attributes or methods"
        )

    def getitem(self, obj, argument):
        if isinstance(obj, dict):
            return obj[argument] if argument in obj else self.undefined(obj=obj, name=str(argument))
        if isinstance(obj, list | str) and isinstance(argument, int):
            try:
                return obj[argument]
            except IndexError:
                return self.undefined(obj=obj, name=str(argument))
        raise SecurityError(f"indexing a {type(obj).__name__} with {type(argument).__name__} is not allowed")

    def call(self, __context, __obj, *args, **kwargs):
        if isinstance(__obj, Macro):
            return __obj(*args, **kwargs)
        raise SecurityError(f"calling {type(__obj).__name__} objects is not allowed in templates")

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if not isinstance(right, int | float) or abs(right) > 64 or abs(left) > 10**6:
                raise SecurityError("exponent too large in template")
            return left**right
        # Repetition of text or lists is where '*' can allocate without bound.
        sequence = isinstance(left, str | list) or isinstance(right, str | list)
        if sequence:
            count, item = (right, left) if isinstance(left, str | list) else (left, right)
            if isinstance(count, int) and count * len(item) > MAX_REPEAT:
                raise SecurityError("repetition too large in template")
        return left * right


TEXT_ENV = PlainDataSandbox(autoescape=False)
HTML_ENV = PlainDataSandbox(autoescape=True)

_FORBIDDEN_NODES = {
    nodes.Extends: "{% extends %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
}


def _environment(part: str) -> PlainDataSandbox:
    return HTML_ENV if part == "html" else TEXT_ENV


def check_source(part: str, source: str, variables: list[str] | None = None) -> None:
    """Validate one template part: size, syntax (with its line), forbidden tags, loop nesting and,
    when `variables` is given, that it uses no variable outside that list. Raises TemplateError."""
    if not isinstance(source, str):
        raise TemplateError(f"{part}: the template must be text")
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateError(f"{part}: {len(source)} characters; the limit is {MAX_SOURCE_CHARS}")
    env = _environment(part)
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"{part}, line {error.lineno}: {error.message}") from None
    for node_type, label in _FORBIDDEN_NODES.items():
        found = next(tree.find_all(node_type), None)
        if found is not None:
            raise TemplateError(f"{part}, line {found.lineno}: {label} is not allowed in message templates")
    _check_nesting(part, tree, 0)
    _check_reach(part, tree)
    if variables is not None:
        from jinja2 import meta

        unknown = sorted(meta.find_undeclared_variables(tree) - set(variables))
        if unknown:
            raise TemplateError(
                f"{part}: unknown variable(s) {', '.join(unknown)}; available: {', '.join(sorted(variables))}"
            )
    try:
        env.from_string(source)
    except jinja2.TemplateError as error:
        raise TemplateError(f"{part}: {error}") from None


def _check_reach(part: str, tree: nodes.Template) -> None:
    """Refuse when saving what the sandbox would refuse when sending: private names (the usual first
    step of a sandbox escape, `''.__class__`) and calls of anything but the template's own macros."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(name, str) and name.startswith("_"):
            raise TemplateError(
                f"{part}, line {node.lineno}: '{name}' is not allowed: templates may read context values "
                "and use filters, but not attributes or methods"
            )
    macros = {macro.name for macro in tree.find_all(nodes.Macro)}
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in macros:
            continue
        what = "method calls" if isinstance(call.node, nodes.Getattr | nodes.Getitem) else "calling functions"
        raise TemplateError(
            f"{part}, line {call.lineno}: {what} are not allowed in message templates; use filters "
            "instead (e.g. {{ name|upper }})"
        )


def _check_nesting(part: str, node: nodes.Node, depth: int) -> None:
    for child in node.iter_child_nodes():
        child_depth = depth + 1 if isinstance(child, nodes.For) else depth
        if child_depth > MAX_LOOP_NESTING:
            raise TemplateError(
                f"{part}, line {child.lineno}: loops nested more than {MAX_LOOP_NESTING} deep"
            )
        _check_nesting(part, child, child_depth)


def check_parts(channel: str, parts: dict, variables: list[str] | None = None) -> dict:
    """Validate a whole template (all parts for a channel); returns the parts kept. Raises TemplateError."""
    if channel not in PARTS:
        raise TemplateError(f"unknown channel {channel!r}")
    unknown = set(parts) - set(PARTS[channel])
    if unknown:
        raise TemplateError(f"{channel} templates have no part(s) {', '.join(sorted(unknown))}")
    for part in REQUIRED_PARTS[channel]:
        if not (parts.get(part) or "").strip():
            raise TemplateError(f"{part}: required for {channel} templates")
    kept = {part: parts[part] for part in PARTS[channel] if parts.get(part)}
    for part, source in kept.items():
        check_source(part, source, variables)
    return kept


@functools.lru_cache(maxsize=256)
def _compiled(part_kind: str, source: str) -> jinja2.Template:
    return _environment(part_kind).from_string(source)


def _render_bounded(part: str, source: str, context: dict, limit: int) -> str:
    chunks, size = [], 0
    # generate() streams, so a runaway loop stops at the limit instead of building it all first.
    for chunk in _compiled("html" if part == "html" else "text", source).generate(context):
        size += len(chunk)
        if size > limit:
            raise RenderError(f"{part}: rendered output exceeds {limit} characters")
        chunks.append(chunk)
    return "".join(chunks)


_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")


def render_parts(channel: str, parts: dict, context: dict) -> dict:
    """Render a template's parts with a plain-data context. Raises RenderError with the reason."""
    limits = {"subject": MAX_SUBJECT_CHARS * 4, "text": MAX_TEXT_CHARS, "html": MAX_HTML_CHARS}
    rendered = {}
    for part in PARTS.get(channel, ()):
        source = parts.get(part)
        if not source:
            continue
        try:
            rendered[part] = _render_bounded(part, source, context, limits[part])
        except RenderError:
            raise
        except jinja2.UndefinedError as error:
            raise RenderError(f"{part}: {error.message}") from None
        except SecurityError as error:
            raise RenderError(f"{part}: not allowed: {error}") from None
        except Exception as error:  # any template runtime error fails only this message
            raise RenderError(f"{part}: {type(error).__name__}: {error}") from None
    if channel == EMAIL:
        # A subject is one header line: line breaks would be header injection, so they become spaces.
        subject = _LINE_BREAKS.sub(" ", rendered.get("subject", "")).strip()
        if not subject:
            raise RenderError("subject: rendered empty")
        if len(subject) > MAX_SUBJECT_CHARS:
            raise RenderError(f"subject: {len(subject)} characters; the limit is {MAX_SUBJECT_CHARS}")
        rendered["subject"] = subject
    if channel == SMS:
        text = rendered.get("text", "").strip()
        shape = sms_shape(text)
        if shape.segments == 0:
            raise RenderError("text: rendered empty")
        if shape.segments > MAX_SMS_SEGMENTS:
            raise RenderError(f"text: {shape.segments} SMS segments; the limit is {MAX_SMS_SEGMENTS}")
        rendered["text"] = text
    return rendered
