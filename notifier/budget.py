"""The resource budget of one template render: how big any value may grow and how much work it may do.

Staff-edited templates run for every message, so a short hostile or careless template must not build
values of megabytes or run for seconds. One `Budget` is active (in a context variable) while a render
runs; the sandbox's hooks report to it:

- every value an operator, `~`, a filter or a macro call produces is measured (strings by length,
  lists and dicts deeply, numbers by digits) and refused above `value_chars`; the growing filters
  and operators (`*`, `+`, `%`, `indent`, `join`, `replace`, `wordwrap`) are estimated *before*
  they run, so nothing big is ever allocated;
- everything built counts against `built_chars`, and the buffers of `{% set %}` blocks and macros
  against `value_chars`, so accumulating in a loop stops too;
- loop rounds, filter calls, operators and macro calls are steps; macro calls also count against
  `macro_calls` and `macro_depth`; the wall-clock deadline is checked at every step.

Outside a render nothing may run: Jinja tries to evaluate constant expressions while compiling and
treats any error as "not constant", so the hooks raising there keeps all evaluation inside a budget.
"""

from __future__ import annotations

import functools
import inspect
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from jinja2.exceptions import FilterArgumentError
from jinja2.runtime import LoopContext, markup_join, str_join

from notifier.words import Words, _l, plain

MAX_NUMBER_DIGITS = 100
# textwrap breaks a long word by slicing off one line at a time: the work grows with the square of
# the word's length over the width, so long words at small widths are refused before they run.
MAX_WORDWRAP_WORK = 200_000_000


@dataclass(frozen=True)
class TemplateLimits:
    """What one render (all parts of one message) may use; see notifier.settings for the names."""

    seconds: float = 0.5
    steps: int = 100_000
    value_chars: int = 100_000
    built_chars: int = 1_000_000
    macro_calls: int = 1_000
    macro_depth: int = 20


class BudgetExceeded(Exception):
    """A render went over its budget; the message names the limit and is fit to show staff (`reason`,
    a notifier.words.Words the host shows in its reader's language)."""

    def __init__(self, reason):
        self.reason = reason if isinstance(reason, Words) else plain(str(reason))
        super().__init__(str(self.reason))


class Budget:
    """The counters of one render, checked against its limits."""

    def __init__(self, limits: TemplateLimits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.steps = 0
        self.built = 0
        self.macro_calls = 0
        self.macro_depth = 0

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > self.limits.steps:
            raise BudgetExceeded(_l("the template does more than %(limit)s steps (loop rounds, filters, "
                                    "operators and macro calls)", limit=self.limits.steps))
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(_l("the template takes longer than %(limit)s seconds to render",
                                    limit=format(self.limits.seconds, "g")))

    def expect(self, size: int) -> None:
        """Refuse before building a value of `size` characters (an upper estimate) that is too big."""
        if size > self.limits.value_chars:
            raise BudgetExceeded(_l("a value in this template grows beyond %(limit)s characters",
                                    limit=self.limits.value_chars))

    def build(self, size: int) -> None:
        self.built += size
        if self.built > self.limits.built_chars:
            raise BudgetExceeded(_l("the template builds more than %(limit)s characters of values in all",
                                    limit=self.limits.built_chars))

    def keep(self, value):
        """Check a value just produced and count it as built; returns the value."""
        if isinstance(value, int) and not isinstance(value, bool) and _digits(value) > MAX_NUMBER_DIGITS:
            raise BudgetExceeded(_l("a number in this template grows beyond %(limit)s digits", limit=MAX_NUMBER_DIGITS))
        size = measure(value, self.limits.value_chars)
        self.expect(size)
        self.build(size)
        return value

    def enter_macro(self) -> None:
        self.step()
        self.macro_calls += 1
        self.macro_depth += 1
        if self.macro_calls > self.limits.macro_calls:
            raise BudgetExceeded(_l("the template calls macros more than %(limit)s times",
                                    limit=self.limits.macro_calls))
        if self.macro_depth > self.limits.macro_depth:
            raise BudgetExceeded(_l("macros call each other more than %(limit)s deep", limit=self.limits.macro_depth))

    def leave_macro(self) -> None:
        self.macro_depth -= 1


_active: ContextVar[Budget | None] = ContextVar("notifier_template_budget", default=None)


@contextmanager
def budget(limits: TemplateLimits):
    """Make a fresh budget with `limits` the active one for the renders inside the block."""
    token = _active.set(Budget(limits))
    try:
        yield _active.get()
    finally:
        _active.reset(token)


def active() -> Budget:
    found = _active.get()
    if found is None:
        raise BudgetExceeded("template code runs only inside a render budget")
    return found


def _digits(number: int) -> int:
    return int(number.bit_length() * 0.30103) + 1


def measure(value, limit: int) -> int:
    """The size of a value in characters: strings by length, numbers by digits, lists and dicts
    deeply (one per item plus their contents). Stops counting once past `limit`, so measuring a
    list that repeats one big value many times costs no more than the limit."""
    if isinstance(value, str):
        return len(value)
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 1
        elif isinstance(item, int):
            total += _digits(item)
        elif isinstance(item, list | tuple):
            total += 1
            pending.extend(item)
        elif isinstance(item, dict):
            total += 1
            pending.extend(item.keys())
            pending.extend(item.values())
        else:
            total += 1
        if total > limit:
            break
    return total


def _size(current: Budget, value) -> int:
    return measure(value, current.limits.value_chars)


# --- operators ------------------------------------------------------------------------------------

_BINOPS = {
    "+": lambda left, right: left + right,
    "-": lambda left, right: left - right,
    "*": lambda left, right: left * right,
    "/": lambda left, right: left / right,
    "//": lambda left, right: left // right,
    "%": lambda left, right: left % right,
    "**": lambda left, right: left**right,
}
_NUMBER = (int, float)
# A %-format conversion with its optional mapping key, flags, width and precision.
_CONVERSION = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)?", re.DOTALL)


def binop(operator: str, left, right):
    """Apply a template operator after estimating what it would build."""
    current = active()
    current.step()
    if operator == "**":
        _expect_power(left, right)
    elif operator == "*":
        _expect_repeat(current, left, right)
    elif operator == "+" and not (isinstance(left, _NUMBER) and isinstance(right, _NUMBER)):
        current.expect(_size(current, left) + _size(current, right))
    elif operator == "%" and isinstance(left, str):
        _expect_format(current, left, right)
    return current.keep(_BINOPS[operator](left, right))


def _expect_power(left, right) -> None:
    # At least (bits - 1) * right bits: refuse what is surely too long before computing it; what
    # passes is at most twice as long, and `keep` checks the exact result.
    surely_long = (isinstance(left, int) and isinstance(right, int) and right > 0
                   and (left.bit_length() - 1) * right * 0.30103 > MAX_NUMBER_DIGITS)
    if surely_long:
        raise BudgetExceeded(_l("a number in this template grows beyond %(limit)s digits", limit=MAX_NUMBER_DIGITS))


def _expect_repeat(current: Budget, left, right) -> None:
    for count, item in ((right, left), (left, right)):
        if isinstance(count, int) and isinstance(item, str | list | tuple):
            current.expect(max(count, 0) * _size(current, item))


def _expect_format(current: Budget, text: str, arguments) -> None:
    padding = 0
    for match in _CONVERSION.finditer(text):
        width, precision, _ = match.groups()
        if width == "*" or precision == "*":
            raise FilterArgumentError("'*' widths are not allowed in template formatting; write the number")
        padding += int(width or 0) + int(precision or 0)
    current.expect(len(text) + padding + _size(current, arguments))


def concat(values: tuple, autoescape: bool):
    """The `~` operator: join the string forms of `values` (escaping non-markup in HTML)."""
    current = active()
    current.step()
    current.expect(sum(_size(current, value) for value in values))
    return current.keep(markup_join(values) if autoescape else str_join(values))


def check_output(value):
    """Environment.finalize: every `{{ ... }}` value, before it becomes text."""
    current = active()
    current.expect(_size(current, value))
    return value


def count_steps(iterable):
    """The filter the code generator puts on every `{% for %}` iterable."""
    active()
    return CountedIterable(iterable)


class CountedIterable:
    """What a `{% for %}` loops over: every round is a step."""

    __slots__ = ("iterable",)

    def __init__(self, iterable):
        self.iterable = iterable

    def __len__(self) -> int:  # loop.length and loop.revindex without consuming the iterable
        return len(self.iterable)

    def __iter__(self):
        current = active()
        for item in self.iterable:
            current.step()
            yield item


class BudgetBuffer(list):
    """The output buffer of a `{% set %}` block, macro or filter block: it becomes one value."""

    __slots__ = ("size",)

    def __init__(self):
        super().__init__()
        self.size = 0

    def _count(self, size: int) -> None:
        current = active()
        self.size += size
        current.expect(self.size)
        current.build(size)

    def append(self, item) -> None:
        self._count(len(item))
        super().append(item)

    def extend(self, items) -> None:
        items = tuple(items)
        self._count(sum(len(item) for item in items))
        super().extend(items)


def check_argument(value) -> None:
    if isinstance(value, LoopContext):
        raise FilterArgumentError("'loop' can only be read through its attributes, e.g. loop.index")


# --- filters --------------------------------------------------------------------------------------


def _text_size(current: Budget, value) -> int:
    return len(value) if isinstance(value, str) else _size(current, value)


def _estimate_indent(current: Budget, s, width=4, first=False, blank=False) -> None:
    if isinstance(s, str):
        pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        current.expect(len(s) + (s.count("\n") + 2) * max(pad, 0))


def _estimate_join(current: Budget, value, d="", attribute=None) -> None:
    if isinstance(value, str | list | tuple | dict):
        current.expect(_size(current, value) + _text_size(current, d) * max(len(value) - 1, 0))


def _estimate_replace(current: Budget, s, old, new, count=None) -> None:
    for value in (s, old, new):
        current.expect(_text_size(current, value))
    text, old, new = str(s), str(old), str(new)
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    current.expect(len(text) + found * max(len(new) - len(old), 0))


def _estimate_wordwrap(current: Budget, s, width=79, break_long_words=True, wrapstring=None,
                       break_on_hyphens=True) -> None:
    if not isinstance(s, str) or not isinstance(width, int) or width < 1:
        return  # the filter itself refuses these
    words = s.split()
    current.step(len(words))  # textwrap handles every word in Python
    joiner = "\n" if wrapstring is None else wrapstring  # the environments keep the default newline
    # Each line but the last is more than half the width, or a full width when long words break.
    lines = 2 * len(s) // width + s.count("\n") + 2
    current.expect(len(s) + lines * _text_size(current, joiner))
    longest = max(map(len, words), default=0)
    if break_long_words and longest > width and longest * longest // width > MAX_WORDWRAP_WORK:
        raise BudgetExceeded(_l("wordwrap: a word of %(count)s characters is too long to break at width %(width)s",
                                count=longest, width=width))


def _estimate_sum(current: Budget, iterable, attribute=None, start=0) -> None:
    if not isinstance(start, int | float):
        raise FilterArgumentError("sum adds numbers: its start must be a number")


def _estimate_text(current: Budget, value, *args, **kwargs) -> None:
    current.expect(_text_size(current, value))


# Filters whose result can be much bigger than their input, by their arguments.
_ESTIMATES = {
    "indent": _estimate_indent,
    "join": _estimate_join,
    "replace": _estimate_replace,
    "wordwrap": _estimate_wordwrap,
    "sum": _estimate_sum,
}
# Filters that turn any value into text: a list of many references to one big string is small in
# memory but not as text, so its measure is checked before str() runs.
_TEXT_FILTERS = frozenset(
    ("capitalize", "e", "escape", "forceescape", "lower", "string", "striptags", "title", "trim",
     "truncate", "upper", "urlencode", "wordcount")
)


def guard_filter(name: str, func):
    """`func` with the budget around it: a step and the deadline, arguments checked, the size
    estimated before and measured after."""
    estimate = _ESTIMATES.get(name) or (_estimate_text if name in _TEXT_FILTERS else None)
    # Filters marked pass_environment / pass_eval_context get that first; estimates see the template's arguments.
    skip = 0 if getattr(func, "jinja_pass_arg", None) is None else 1
    signature = inspect.signature(estimate) if estimate is not None else None

    @functools.wraps(func)
    def guarded(*args, **kwargs):
        current = active()
        current.step()
        for value in (*args, *kwargs.values()):
            check_argument(value)
        if signature is not None:
            try:
                bound = signature.bind(current, *args[skip:], **kwargs)
            except TypeError:
                bound = None  # wrong arguments: the filter's own call below says which
            if bound is not None:
                estimate(*bound.args, **bound.kwargs)
        return current.keep(func(*args, **kwargs))

    return guarded
