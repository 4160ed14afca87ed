"""Short templates that would build huge values or run for seconds without the template budget, and
templates that must be refused when checked. Each uses only `case_title` (a variable of every case
event), so the same table drives the notifier's tests and the editor's tests over HTTP."""

from __future__ import annotations

import pytest

CASE_TITLE = "Printer shows error E42"  # the catalogue's example value

GROWS = "a value in this template grows beyond"
DIGITS = "a number in this template grows beyond"

# (id, template, the reason the render is refused with)
HOSTILE = [
    ("concat-doubling", "{% set s = case_title %}" + "{% set s = s ~ s %}" * 25 + "{{ s|length }}", GROWS),
    ("plus-doubling", "{% set s = case_title %}" + "{% set s = s + s %}" * 25 + "{{ s|length }}", GROWS),
    ("text-repeat", "{{ case_title * 1000000 }}", GROWS),
    ("list-repeat", "{{ ([case_title] * 10000000)|length }}", GROWS),
    ("indent-width", "{{ case_title|indent(100000000, true) }}", GROWS),
    ("join-separator", "{{ ([case_title] * 1000)|join(case_title * 100) }}", GROWS),
    ("replace-empty", "{{ (case_title * 1000)|replace('', case_title) }}", GROWS),
    ("wordwrap-wrapstring", "{{ (case_title * 4000)|wordwrap(5, wrapstring=case_title) }}", GROWS),
    ("wordwrap-long-word", "{{ ('x' * 40000)|wordwrap(2) }}", "too long to break"),
    ("format-width", "{{ '%999999999s' % case_title }}", GROWS),
    ("format-precision", "{{ '%.999999999f' % 1.5 }}", GROWS),
    ("power", "{{ 2 ** 100000 }}", DIGITS),
    ("products", "{% set n = 10 ** 40 %}{{ n * n * n }}", DIGITS),
    ("int-of-digits", "{{ ('9' * 4000)|int }}", DIGITS),
    ("float-overflow", "{{ 10.0 ** 400 }}", "a number in this template is too large"),
    ("sum-of-lists", "{{ ([[1]] * 5000)|sum(start=[]) }}", "sum adds numbers"),
    ("nested-loops", "{% set s = case_title * 500 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
     "more than 100000 steps"),
    ("loop-over-a-huge-string", "{% for c in case_title * 4000 %}{% for d in 'xx' %}{% endfor %}{% endfor %}",
     "more than 100000 steps"),
    ("recursive-macro", "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}", "more than 20 deep"),
    ("macro-fan-out", "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(15) }}",
     "calls macros more than 1000 times"),
    ("set-block-accumulation",
     "{% set s %}{% for a in case_title * 400 %}{{ case_title }}{{ case_title }}{% endfor %}{% endset %}"
     "{{ s|length }}", GROWS),
    ("literal-text-in-a-macro", "{% macro m() %}{% for a in case_title * 50 %}" + "x" * 500
     + "{% endfor %}{% endmacro %}{{ m()|length }}", GROWS),
    ("many-big-values", "{% for i in case_title * 3 %}{% set s = case_title * 4000 %}{% endfor %}",
     "builds more than 1000000 characters"),
    ("slow-filters", "{% set s = case_title ~ ' a' * 40000 %}{% for i in s %}{{ s|wordcount }}{% endfor %}",
     "takes longer than 0.5 seconds"),
]

# (id, template, the reason the check refuses it with)
FORBIDDEN = [
    ("autoescape-off", "{% autoescape false %}{{ case_title }}{% endautoescape %}", "{% autoescape %} is not allowed"),
    ("autoescape-on", "{% autoescape true %}{{ case_title }}{% endautoescape %}", "{% autoescape %} is not allowed"),
    ("safe", "{{ case_title|safe }}", "there is no filter 'safe'"),
    ("safe-in-an-if", "{% if case_title == 'x' %}{{ case_title|safe }}{% endif %}", "there is no filter 'safe'"),
    ("safe-block", "{% filter safe %}{{ case_title }}{% endfilter %}", "there is no filter 'safe'"),
    ("safe-set-block", "{% set x | safe %}{{ case_title }}{% endset %}{{ x }}", "there is no filter 'safe'"),
    ("format", "{{ case_title|format(1) }}", "there is no filter 'format'"),
    ("center", "{{ case_title|center(999999999) }}", "there is no filter 'center'"),
    ("attr", "{{ case_title|attr('upper') }}", "there is no filter 'attr'"),
    ("unknown-filter", "{{ case_title|shout }}", "there is no filter 'shout'"),
    ("callable-test", "{{ case_title is callable }}", "there is no test 'callable'"),
    ("unknown-test", "{% if case_title is shouting %}!{% endif %}", "there is no test 'shouting'"),
    ("deep-nesting", "{{ " + "(" * 3000 + "case_title" + ")" * 3000 + " }}", "nests too deeply"),
]

# (id, template, the reason): mistakes that fail while rendering, with a message instead of a crash.
RUNTIME = [
    ("division-by-zero", "{{ case_title|length // 0 }}", "division by zero"),
    ("wordwrap-width-0", "{{ case_title|wordwrap(0) }}", "invalid width 0"),
    ("truncate-too-short", "{{ case_title|truncate(1) }}", "expected length >= 3"),
    ("round-method", "{{ 1.5|round(method='sideways') }}", "method must be common, ceil or floor"),
    ("text-minus-number", "{{ case_title - 1 }}", "unsupported operand"),
    ("star-width", "{{ '%*s' % (5, case_title) }}", "'*' widths are not allowed"),
    ("loop-as-a-value", "{% for c in case_title %}{{ loop|list }}{% endfor %}", "'loop' can only be read"),
]


def cases(table):
    return [pytest.param(source, reason, id=name) for name, source, reason in table]
