"""Checking and rendering staff-editable templates.

Templates run in the sandbox of notifier.sandbox, under the resource budget of notifier.budget
(size of every value, steps, macro calls, time), with a plain-data context and bounded output.
`check_parts` refuses at save time what the sandbox would refuse when sending, with the part and the
line; a trial render with sample data under the same budget (see notifier.templates.save_version)
refuses what would run out of budget.
"""

from __future__ import annotations

import functools

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError

from notifier import registry
from notifier.budget import BudgetExceeded, TemplateLimits, budget
from notifier.models import EMAIL, SMS
from notifier.sandbox import PlainDataSandbox, environment_for
from notifier.template_errors import RenderError, TemplateError
from notifier.words import Words, _l, plain

MAX_SOURCE_CHARS = 20_000
MAX_RENDERED_SUBJECT_CHARS = 800
MAX_TEXT_CHARS = 100_000
MAX_HTML_CHARS = 300_000
MAX_LOOP_NESTING = 2

# The parts of the built-in template channels (a channel declares its own: notifier.registry).
PARTS = {name: registry.channel(name).parts for name in (EMAIL, SMS)}


_FORBIDDEN_NODES = {
    nodes.Extends: "{% extends %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
}


def check_source(part: str, source: str, variables: list[str] | None = None) -> None:
    """Validate one template part: size, syntax (with its line), forbidden tags, filters and tests,
    `{% autoescape %}`, loop nesting and, when `variables` is given, that it uses no variable
    outside that list. Raises TemplateError."""
    if not isinstance(source, str):
        raise TemplateError(_l("the template must be text"), part=part)
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateError(_l("%(count)s characters; the limit is %(limit)s", count=len(source),
                               limit=MAX_SOURCE_CHARS), part=part)
    try:
        _check_tree(part, source, variables)
    except RecursionError:
        raise TemplateError(_l("the template nests too deeply"), part=part) from None


def _check_tree(part: str, source: str, variables: list[str] | None) -> None:
    env = environment_for(part)
    tree = _parse(part, env, source)
    for node_type, label in _FORBIDDEN_NODES.items():
        found = next(tree.find_all(node_type), None)
        if found is not None:
            raise TemplateError(_l("%(tag)s is not allowed in message templates", tag=label), part=part,
                                line=found.lineno)
    _check_nesting(part, tree, 0)
    _check_reach(part, tree)
    # Compiled from the text (the code generator rewrites the tree it compiles) before the variables
    # are looked up, which also compiles and would fail on an unknown filter with a cruder message.
    _compile(part, env, source)
    if variables is not None:
        from jinja2 import meta

        unknown = sorted(meta.find_undeclared_variables(tree) - set(variables))
        if unknown:
            raise TemplateError(_l("unknown variable(s) %(unknown)s; available: %(available)s",
                                   unknown=", ".join(unknown), available=", ".join(sorted(variables))), part=part)


def _parse(part: str, env: PlainDataSandbox, source: str) -> nodes.Template:
    try:
        return env.parse(source)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(plain(error.message or str(error)), part=part, line=error.lineno) from None


def _compile(part: str, env: PlainDataSandbox, source: str | nodes.Template) -> jinja2.Template:
    """Compile (the sandbox's code generator refuses unknown filters and tests and autoescape blocks)."""
    try:
        return env.from_string(source)
    except jinja2.TemplateSyntaxError as error:  # also TemplateAssertionError from the code generator
        raise TemplateError(plain(error.message or str(error)), part=part, line=error.lineno) from None
    except jinja2.TemplateError as error:
        raise TemplateError(plain(str(error)), part=part) from None


def _check_reach(part: str, tree: nodes.Template) -> None:
    """Refuse when saving what the sandbox would refuse when sending: private names (the usual first
    step of a sandbox escape, `''.__class__`) and calls of anything but the template's own macros."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(name, str) and name.startswith("_"):
            raise TemplateError(_l("'%(name)s' is not allowed: templates may read context values and use "
                                   "filters, but not attributes or methods", name=name), part=part, line=node.lineno)
    macros = {macro.name for macro in tree.find_all(nodes.Macro)}
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in macros:
            continue
        if isinstance(call.node, nodes.Getattr | nodes.Getitem):
            reason = _l("method calls are not allowed in message templates; use filters instead "
                        "(e.g. %(example)s)", example="{{ name|upper }}")
        else:
            reason = _l("calling functions are not allowed in message templates; use filters instead "
                        "(e.g. %(example)s)", example="{{ name|upper }}")
        raise TemplateError(reason, part=part, line=call.lineno)


def _check_nesting(part: str, node: nodes.Node, depth: int) -> None:
    for child in node.iter_child_nodes():
        child_depth = depth + 1 if isinstance(child, nodes.For) else depth
        if child_depth > MAX_LOOP_NESTING:
            raise TemplateError(_l("loops nested more than %(limit)s deep", limit=MAX_LOOP_NESTING), part=part,
                                line=child.lineno)
        _check_nesting(part, child, child_depth)


def check_parts(channel: str, parts: dict, variables: list[str] | None = None) -> dict:
    """Validate a whole template (all parts for a channel); returns the parts kept. Raises TemplateError."""
    spec = registry.find(channel)
    if spec is None or not spec.parts:
        raise TemplateError(f"unknown channel {channel!r}")
    unknown = set(parts) - set(spec.parts)
    if unknown:
        raise TemplateError(f"{channel} templates have no part(s) {', '.join(sorted(unknown))}")
    for part in spec.required_parts:
        if not (parts.get(part) or "").strip():
            raise TemplateError(spec.required_reason, part=part)
    kept = {part: parts[part] for part in spec.parts if parts.get(part)}
    for part, source in kept.items():
        check_source(part, source, variables)
    return kept


@functools.lru_cache(maxsize=256)
def _compiled(part_kind: str, source: str) -> jinja2.Template:
    env = environment_for(part_kind)
    try:
        return _compile(part_kind, env, source)
    except RecursionError:
        raise TemplateError(_l("the template nests too deeply"), part=part_kind) from None


def _render_bounded(part: str, template: jinja2.Template, context: dict, limit: int) -> str:
    chunks, size = [], 0
    # generate() streams, so a runaway loop stops at the limit instead of building it all first.
    for chunk in template.generate(context):
        size += len(chunk)
        if size > limit:
            raise RenderError(_l("rendered output exceeds %(limit)s characters", limit=limit), part=part)
        chunks.append(chunk)
    return "".join(chunks)


_PLAIN_REASONS = {
    ZeroDivisionError: _l("division by zero"),
    OverflowError: _l("a number in this template is too large"),
    RecursionError: _l("the template nests too deeply"),
    MemoryError: _l("the template needs too much memory"),
}


def _template_line(error: BaseException) -> int | None:
    """The template line an error was raised on: Jinja rewrites tracebacks so that the template's
    frames carry the template's line numbers."""
    line, frame = None, error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename == "<template>":
            line = frame.tb_lineno
        frame = frame.tb_next
    return line


def _reason(error: Exception) -> Words:
    if isinstance(error, BudgetExceeded):
        return error.reason
    if isinstance(error, jinja2.UndefinedError):
        return plain(error.message or str(error))
    if isinstance(error, SecurityError):
        return _l("not allowed: %(reason)s", reason=str(error))
    for kind, reason in _PLAIN_REASONS.items():
        if isinstance(error, kind):
            return reason
    if isinstance(error, jinja2.TemplateError):
        return plain(error.message or str(error))
    return plain(f"{type(error).__name__}: {error}")


def render_parts(channel: str, parts: dict, context: dict, limits: TemplateLimits | None = None) -> dict:
    """Render a template's parts with a plain-data context, all parts under one budget (`limits`,
    the defaults when None). Raises RenderError with the part, the line when known and the reason."""
    limits = limits or TemplateLimits()
    spec = registry.find(channel)
    compiled = {}
    for part in spec.parts if spec else ():
        if parts.get(part):
            try:
                compiled[part] = _compiled("html" if part == "html" else "text", parts[part])
            except TemplateError as error:
                raise RenderError(error.reason, part=error.part, line=error.line) from None
    output = {"subject": MAX_RENDERED_SUBJECT_CHARS, "text": MAX_TEXT_CHARS, "html": MAX_HTML_CHARS}
    rendered = {}
    # Compiled outside the budget (above): Jinja folds constants while compiling, and only a
    # budgeted render may evaluate template code.
    with budget(limits):
        for part, template in compiled.items():
            try:
                rendered[part] = _render_bounded(part, template, context, output[part])
            except RenderError:
                raise
            except Exception as error:  # any template runtime error fails only this message
                raise RenderError(_reason(error), part=part, line=_template_line(error)) from None
    return spec.finish(rendered) if spec and spec.finish else rendered
