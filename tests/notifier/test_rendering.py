import pytest

from notifier.rendering import RenderError, TemplateError, check_parts, check_source, render_parts

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
        "{{ 9**9**9 }}",
        "{{ items.append(4) }}",
        "{{ config }}",
    ],
)
def test_sandbox_escape_payloads_fail_safely_with_a_clear_error(payload):
    with pytest.raises(RenderError) as raised:
        render_text(payload)
    assert str(raised.value).startswith("text:")
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
