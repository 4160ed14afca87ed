import re
import time
import tracemalloc

import pytest

from notifier import budget as budget_module
from notifier import dispatcher, outbox
from notifier.budget import BudgetExceeded, TemplateLimits
from notifier.dispatcher import deliver_due
from notifier.models import DEAD, SENT, Message, database
from notifier.rendering import RenderError, TemplateError, check_parts, check_source, render_parts
from notifier.settings import Settings
from notifier.templates import save_version, versions
from tests.notifier.conftest import make_settings
from tests.notifier.factories import T0, email_to, enqueue_test_message, sms_to
from tests.notifier.hostile_templates import CASE_TITLE, FORBIDDEN, HOSTILE, RUNTIME, cases

CONTEXT = {"user_name": "Ada", "case": {"title": "Printer on fire", "ref": "00012345"}, "items": [1, 2, 3]}


def render_text(source, context=CONTEXT):
    return render_parts("sms", {"text": source}, context)["text"]


def test_renders_plain_values_dict_keys_filters_and_loops():
    source = "{{ user_name|upper }} {{ case.title }} {{ case['ref'] }} {% for i in items %}{{ i }}{% endfor %}"
    assert render_text(source) == "ADA Printer on fire 00012345 123"


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ user_name.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ user_name.format(1) }}",
        "{{ user_name.upper() }}",
        "{% for x in range(10**9) %}{{ x }}{% endfor %}",
        "{{ lipsum() }}",
        "{{ case.items() }}",
        "{{ case.__class__ }}",
        "{{ case|attr('items') }}",
        "{{ 'x' * 1000000 }}",
        "{{ 9**9**9**9 }}",
        "{{ items.append(4) }}",
        "{{ config }}",
    ],
)
def test_sandbox_escape_payloads_fail_safely_with_a_clear_error(payload):
    with pytest.raises(RenderError) as raised:
        render_text(payload)
    assert re.match(r"text(, line 1)?: ", str(raised.value))
    assert CONTEXT["items"] == [1, 2, 3]


def test_missing_variable_is_an_error_not_an_empty_string():
    with pytest.raises(RenderError, match="nobody"):
        render_text("Hello {{ nobody }}")


def test_html_part_is_autoescaped_but_text_part_is_not():
    parts = {"subject": "Hi", "text": "{{ user_name }}", "html": "<p>{{ user_name }}</p>"}
    rendered = render_parts("email", parts, {"user_name": "<b>Ada</b>"})
    assert rendered["html"] == "<p>&lt;b&gt;Ada&lt;/b&gt;</p>"
    assert rendered["text"] == "<b>Ada</b>"


def test_line_breaks_in_subject_are_flattened_to_one_line():
    rendered = render_parts("email", {"subject": "Hi {{ n }}", "text": "x"}, {"n": "Ada\r\nBcc: eve@example.com"})
    assert rendered["subject"] == "Hi Ada Bcc: eve@example.com"


def test_subject_longer_than_200_characters_is_refused():
    with pytest.raises(RenderError, match="subject"):
        render_parts("email", {"subject": "{{ s }}", "text": "x"}, {"s": "a" * 201})


def test_runaway_output_is_stopped():
    big = ["x" * 1000] * 60
    with pytest.raises(RenderError, match="exceeds"):
        render_parts(
            "email",
            {"subject": "s", "text": "{% for a in b %}{% for c in b %}{{ c }}{% endfor %}{% endfor %}"},
            {"b": big},
        )


def test_sms_longer_than_ten_segments_is_refused():
    with pytest.raises(RenderError, match="segments"):
        render_text("{{ t }}", {"t": "a" * (153 * 10 + 1)})


def test_check_source_reports_syntax_errors_with_their_line():
    with pytest.raises(TemplateError, match="line 2"):
        check_source("text", "Hello\n{{ user_name }\n")


def test_check_source_refuses_unknown_variables():
    with pytest.raises(TemplateError, match="unknown variable.*secret"):
        check_source("text", "{{ user_name }} {{ secret }}", variables=["user_name"])


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% include 'x' %}", "include"),
        ("{% extends 'x' %}", "extends"),
        ("{% import 'x' as y %}", "import"),
        ("{% for a in b %}{% for c in b %}{% for d in b %}{% endfor %}{% endfor %}{% endfor %}", "nested"),
        ("x" * 20_001, "limit"),
    ],
)
def test_check_source_refuses_forbidden_constructs(source, message):
    with pytest.raises(TemplateError, match=message):
        check_source("text", source)


def test_check_parts_requires_subject_and_body_for_email():
    with pytest.raises(TemplateError, match="subject: required"):
        check_parts("email", {"text": "body"})


# --- the template budget ---------------------------------------------------------------------------
#
# Every hostile template here is short; without the budget each would build tens of megabytes or run
# for seconds. The time bound asserted is a safety margin, not a benchmark: a refused render stops at
# a limit long before, or at the 0.5 s deadline.

SAFETY_SECONDS = 2.0


def render_case_text(source, limits=None):
    return render_parts("email", {"subject": "s", "text": source}, {"case_title": CASE_TITLE}, limits)["text"]


@pytest.mark.parametrize(("source", "reason"), cases(HOSTILE))
def test_hostile_templates_stop_quickly_at_the_budget_with_the_reason(source, reason):
    check_source("text", source, ["case_title"])  # nothing in them is wrong until they run
    started = time.monotonic()
    with pytest.raises(RenderError) as raised:
        render_case_text(source)
    assert time.monotonic() - started < SAFETY_SECONDS
    assert reason in str(raised.value)
    assert str(raised.value).startswith("text, line 1: ")


@pytest.mark.parametrize(("source", "reason"), cases(HOSTILE))
def test_hostile_templates_are_refused_before_anything_big_is_allocated(source, reason):
    # Growth is estimated before a value is built: refusing a 100 MB string after building it would
    # be too late for the worker's memory.
    tracemalloc.start()
    try:
        with pytest.raises(RenderError):
            render_case_text(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


@pytest.mark.parametrize(("source", "reason"), cases(FORBIDDEN))
@pytest.mark.parametrize("part", ["subject", "text", "html"])
def test_forbidden_filters_tests_and_autoescape_are_refused_when_checked(part, source, reason):
    with pytest.raises(TemplateError, match=re.escape(reason)):
        check_source(part, source, ["case_title"])


@pytest.mark.parametrize(("source", "reason"), cases(FORBIDDEN[:-1]))
def test_forbidden_constructs_are_refused_when_rendering_templates_stored_before_the_rules(source, reason):
    with pytest.raises(RenderError, match=re.escape(reason)):
        render_parts("email", {"subject": "s", "text": "t", "html": source}, {"case_title": CASE_TITLE})


@pytest.mark.parametrize(("source", "reason"), cases(RUNTIME))
def test_template_mistakes_at_run_time_are_render_errors_with_a_message(source, reason):
    with pytest.raises(RenderError, match=re.escape(reason)):
        render_case_text(source)


def test_the_reason_names_the_line():
    with pytest.raises(RenderError, match=r"^text, line 3: a value in this template grows beyond"):
        render_case_text("first\nsecond\n{{ case_title * 10000 }}")


def test_markup_cannot_be_reached_so_html_values_stay_escaped():
    context = {"case_title": "<script>x</script>"}
    for source in ("{{ case_title }}", "{{ case_title ~ '' }}", "{% set s %}{{ case_title }}{% endset %}{{ s }}",
                   "{{ (case_title|e)|replace('&lt;', '<') }}", "{{ '%s' % case_title }}",
                   "{% macro m(v) %}{{ v }}{% endmacro %}{{ m(case_title) }}"):
        rendered = render_parts("email", {"subject": "s", "text": "t", "html": source}, context)["html"]
        assert "<script>" not in rendered and "&lt;script&gt;" in rendered, source
    with pytest.raises(TemplateError, match="unknown variable"):
        check_source("html", "{{ Markup }}", ["case_title"])


@pytest.mark.parametrize("name", ["namespace", "range", "dict", "cycler", "joiner", "lipsum", "Markup"])
def test_the_sandbox_has_no_globals(name):
    with pytest.raises(TemplateError, match=f"unknown variable.*{name}"):
        check_source("text", "{{ " + name + " }}", [])
    with pytest.raises(TemplateError, match="calling functions are not allowed"):
        check_source("text", "{% set ns = " + name + "() %}", [])
    with pytest.raises(RenderError, match=f"'{name}' is undefined"):
        render_case_text("{{ " + name + " }}")


def test_every_loop_round_is_a_step_across_the_whole_render():
    limits = TemplateLimits(steps=10)
    assert render_case_text("{% for c in 'abcde' %}{{ c }}{% endfor %}", limits) == "abcde"
    # Two loops one after the other (no nesting) still count together.
    with pytest.raises(RenderError, match="more than 10 steps"):
        render_case_text("{% for c in 'abcdef' %}{% endfor %}{% for c in 'abcdef' %}{% endfor %}", limits)
    with pytest.raises(RenderError, match="more than 10 steps"):
        render_case_text("{% for c in case_title %}{% endfor %}", limits)


def test_filters_and_operators_are_steps_too():
    limits = TemplateLimits(steps=4)
    assert render_case_text("{{ case_title|upper|lower|title }}", limits) == CASE_TITLE.title()
    with pytest.raises(RenderError, match="more than 4 steps"):
        render_case_text("{{ case_title|upper|lower|title|trim|lower }}", limits)
    with pytest.raises(RenderError, match="more than 4 steps"):
        render_case_text("{{ 1 + 1 + 1 + 1 + 1 + 1 }}", limits)


def test_macro_calls_are_limited_in_number_and_depth():
    limits = TemplateLimits(macro_calls=3, macro_depth=2)
    calls = "{% macro m() %}.{% endmacro %}"
    assert render_case_text(calls + "{{ m() }}{{ m() }}{{ m() }}", limits) == "..."
    with pytest.raises(RenderError, match="calls macros more than 3 times"):
        render_case_text(calls + "{{ m() }}{{ m() }}{{ m() }}{{ m() }}", limits)
    nested = "{% macro m(n) %}{% if n %}({{ m(n - 1) }}){% endif %}{% endmacro %}"
    assert render_case_text(nested + "{{ m(1) }}", limits) == "()"
    with pytest.raises(RenderError, match="more than 2 deep"):
        render_case_text(nested + "{{ m(2) }}", limits)


def test_values_are_limited_in_size_each_and_in_total():
    limits = TemplateLimits(value_chars=50, built_chars=200)
    assert render_case_text("{{ case_title ~ case_title }}", limits) == CASE_TITLE * 2
    with pytest.raises(RenderError, match="grows beyond 50 characters"):
        render_case_text("{{ case_title ~ case_title ~ case_title }}", limits)
    with pytest.raises(RenderError, match="builds more than 200 characters"):
        render_case_text("{% for c in 'abcdefghij' %}{% set s = case_title|upper %}{% endfor %}", limits)


def test_the_deadline_stops_a_slow_render():
    slow = "{% set s = 'a ' * 40000 %}{% for i in s %}{{ s|wordcount }}{% endfor %}"
    started = time.monotonic()
    with pytest.raises(RenderError, match="longer than 0.05 seconds"):
        render_case_text(slow, TemplateLimits(seconds=0.05))
    assert time.monotonic() - started < 0.45


def test_ordinary_templates_with_loops_macros_and_filters_still_render():
    comments = [{"author": "Aga", "text": "Hello"}, {"author": "Cora", "text": "Hi"}]
    context = {"case_title": CASE_TITLE, "comments": comments}
    source = (
        "{% macro line(c) %}{{ c.author|upper }}: {{ c.text|truncate(20) }}{% endmacro %}"
        "{% for c in comments %}{{ loop.index }}/{{ loop.length }} {{ line(c) }}\n{% endfor %}"
        "{% set summary %}{{ comments|length }} comment(s) on {{ case_title }}{% endset %}{{ summary }}\n"
        "{{ comments|join(', ', attribute='author') }} {{ '%s-%03d' % ('ref', 7) }} {{ [1, 2, 3]|sum }}\n"
        "{% filter upper %}{{ case_title|wordwrap(10) }}{% endfilter %}"
    )
    assert render_parts("sms", {"text": source}, context)["text"] == (
        "1/2 AGA: Hello\n2/2 CORA: Hi\n2 comment(s) on Printer shows error E42\n"
        "Aga, Cora ref-007 6\nPRINTER\nSHOWS\nERROR E42"
    )


def test_a_loop_over_a_long_list_in_the_context_fits_the_budget():
    items = [{"name": f"item {n}"} for n in range(2000)]
    text = render_parts("email", {"subject": "s", "text": "{% for i in items %}{{ i.name }};{% endfor %}"},
                        {"items": items})["text"]
    assert text.count(";") == 2000


def test_the_limits_come_from_the_notifier_settings():
    limits = Settings.from_mapping({"TEMPLATE_RENDER_SECONDS": "0.2", "TEMPLATE_MAX_STEPS": "50",
                                    "TEMPLATE_MAX_VALUE_CHARS": "60", "TEMPLATE_MAX_BUILT_CHARS": "600",
                                    "TEMPLATE_MAX_MACRO_CALLS": "7", "TEMPLATE_MAX_MACRO_DEPTH": "3"}).template_limits
    assert limits == TemplateLimits(seconds=0.2, steps=50, value_chars=60, built_chars=600, macro_calls=7,
                                    macro_depth=3)
    assert Settings().template_limits == TemplateLimits()
    with pytest.raises(ValueError, match="TEMPLATE_MAX_STEPS must be more than 0"):
        Settings.from_mapping({"TEMPLATE_MAX_STEPS": "0"})


def test_a_budgeted_render_does_not_leak_its_budget():
    render_case_text("{{ case_title|upper }}")
    with pytest.raises(BudgetExceeded):
        budget_module.active()


# --- at send time ----------------------------------------------------------------------------------


def test_hostile_templates_make_their_messages_dead_and_the_others_are_sent(seeded):
    for name, source, _ in HOSTILE:
        save_version(name, "email", {"subject": "Case", "text": source}, author="staff")
        enqueue_test_message([email_to()], key=name, event=name, context={"case_title": CASE_TITLE})
    enqueue_test_message([email_to()], key="good")
    report = deliver_due(make_settings(NOTIFIER_BATCH_SIZE=50), now=T0)
    assert (report.claimed, report.sent, report.dead) == (len(HOSTILE) + 1, 1, len(HOSTILE))
    assert Message.get(Message.key == "good").status == SENT
    for name, _, reason in HOSTILE:
        message = Message.get(Message.key == name)
        assert message.status == DEAD and reason in message.last_error, name
        assert outbox.attempts_for(message).get().outcome == "render_error"


def test_the_budget_at_send_time_is_the_configured_one(seeded):
    save_version("looping", "email", {"subject": "Case", "text": "{% for c in case_title %}{% endfor %}"},
                 author="staff")
    enqueue_test_message([email_to()], key="loop", event="looping", context={"case_title": CASE_TITLE})
    deliver_due(make_settings(TEMPLATE_MAX_STEPS=5), now=T0)
    assert "more than 5 steps" in Message.get(Message.key == "loop").last_error


def test_messages_are_rendered_outside_the_write_transaction(seeded, monkeypatch):
    # On SQLite the batch's write transaction holds the database's write lock; a render may take its
    # whole time budget, and nobody else should wait for it meanwhile.
    seen = []

    def spying_render(*args):
        seen.append(database.in_transaction())
        return render_parts(*args)

    monkeypatch.setattr(dispatcher, "render_parts", spying_render)
    enqueue_test_message([email_to(), sms_to()])
    assert deliver_due(make_settings(), now=T0).sent == 2
    assert seen == [False, False]


def test_saving_with_sample_data_refuses_a_template_over_the_budget_and_saves_nothing(notifier_db):
    over = {"subject": "Case", "text": "{% for c in case_title %}{% endfor %}"}
    with pytest.raises(RenderError, match="more than 5 steps"):
        save_version("looping", "email", over, author="staff", sample={"case_title": CASE_TITLE},
                     limits=TemplateLimits(steps=5))
    assert not versions("looping", "email").exists()
    assert save_version("looping", "email", over, author="staff", sample={"case_title": CASE_TITLE}).number == 1
