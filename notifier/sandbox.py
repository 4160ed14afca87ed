"""The Jinja2 environment staff-edited templates run in.

An immutable sandbox with a deliberately small surface: no globals (no `range`, `namespace`,
`cycler`, `lipsum`...), whitelisted filters and tests, no attribute or method access on anything but
dicts (whose keys are the only "attributes"), only the template's own macros callable, autoescaping
fixed by the part (on in HTML, off in text). Every operator, `~`, filter, macro call, loop round
and output reports to the render's budget (notifier.budget), so a template mistake or a hostile
edit fails with a clear message instead of reaching Python internals or burning the worker.

The hooks: `intercepted_binops` (all arithmetic), `call` (every call), `finalize` (every output),
wrapped filter functions, and a code generator that routes `~`, `{% for %}` iterables and the
buffers of `{% set %}` blocks and macros through the budget, and refuses `{% autoescape %}` and
unknown filters or tests at compile time (also inside `{% if %}`, where Jinja would wait until run time).
"""

from __future__ import annotations

from jinja2 import StrictUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment

from notifier import budget

SAFE_FILTERS = (
    "abs", "capitalize", "count", "default", "d", "e", "escape", "first", "float", "forceescape",
    "indent", "int", "join", "last", "length", "list", "lower", "replace", "round", "sort", "string",
    "striptags", "sum", "title", "trim", "truncate", "unique", "upper", "urlencode", "wordcount",
    "wordwrap",
)
# `callable`, `sameas`, `escaped`, `filter` and `test` say something about Python objects or the
# environment, not about the data.
SAFE_TESTS = (
    "boolean", "defined", "divisibleby", "eq", "equalto", "even", "false", "float", "ge", "greaterthan",
    "gt", "in", "integer", "iterable", "le", "lessthan", "lower", "lt", "mapping", "ne", "none", "number",
    "odd", "sequence", "string", "true", "undefined", "upper", "==", "!=", "<", "<=", ">", ">=",
)
LOOP_ATTRIBUTES = frozenset(
    ("index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0",
     "previtem", "nextitem")
)


# The internal filter every `{% for %}` iterable is passed through, so that each round is a step of
# the budget. Templates cannot name it: a filter name in a template is an identifier.
COUNT_STEPS = "~count_steps"


class BudgetCodeGenerator(CodeGenerator):
    """Jinja's code generator (3.1), with the places that build values or repeat work routed through
    the environment's budget hooks, and the refusals that must not wait until a branch runs."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        self._refuse_unknown(node)
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, COUNT_STEPS, [], [], None, None, lineno=loop.iter.lineno)
        super().visit_Template(node, frame)

    def _refuse_unknown(self, node: nodes.Template) -> None:
        for kind, found, known in (("filter", nodes.Filter, SAFE_FILTERS), ("test", nodes.Test, SAFE_TESTS)):
            for item in node.find_all(found):
                if item.name not in known:
                    self.fail(
                        f"there is no {kind} {item.name!r} in message templates; the {kind}s are: "
                        f"{', '.join(sorted(name for name in known if name.isidentifier()))}",
                        item.lineno,
                    )

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.budget_buffer()")

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        autoescape = "context.eval_ctx.autoescape" if frame.eval_ctx.volatile else repr(frame.eval_ctx.autoescape)
        self.write("environment.concat_values((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write(f"), {autoescape})")

    def visit_ScopedEvalContextModifier(self, node: nodes.ScopedEvalContextModifier, frame: Frame) -> None:
        self._refuse_autoescape(node)

    def visit_EvalContextModifier(self, node: nodes.EvalContextModifier, frame: Frame) -> None:
        self._refuse_autoescape(node)

    def _refuse_autoescape(self, node: nodes.Node) -> None:
        self.fail(
            "{% autoescape %} is not allowed in message templates: values are always escaped in the "
            "HTML part and never in the text parts",
            node.lineno,
        )


class PlainDataSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = BudgetCodeGenerator
    intercepted_binops = frozenset(["+", "-", "*", "/", "//", "%", "**"])

    def __init__(self, *, autoescape: bool):
        super().__init__(undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=True,
                         finalize=budget.check_output)
        self.globals.clear()
        self.filters = {name: budget.guard_filter(name, self.filters[name]) for name in SAFE_FILTERS}
        self.filters[COUNT_STEPS] = budget.count_steps
        self.tests = {name: self.tests[name] for name in SAFE_TESTS}

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
        if not isinstance(__obj, Macro):
            raise SecurityError(f"calling {type(__obj).__name__} objects is not allowed in templates")
        current = budget.active()
        current.enter_macro()
        try:
            # The context strips the loop and block variables Jinja passes along with every call.
            result = __context.call(__obj, *args, **kwargs)
        finally:
            current.leave_macro()
        return current.keep(result)

    def call_binop(self, context, operator, left, right):
        return budget.binop(operator, left, right)

    # Called from the code BudgetCodeGenerator writes.

    def budget_buffer(self):
        return budget.BudgetBuffer()

    def concat_values(self, values, autoescape):
        return budget.concat(values, autoescape)


TEXT_ENV = PlainDataSandbox(autoescape=False)
HTML_ENV = PlainDataSandbox(autoescape=True)


def environment_for(part: str) -> PlainDataSandbox:
    return HTML_ENV if part == "html" else TEXT_ENV
