"""Pure field rules: parsing each field type into its canonical value, format patterns, conditions."""

import time
from dataclasses import dataclass
from decimal import Decimal

import pytest

from portal.case_config.rules import (
    Condition,
    FieldRuleError,
    LayoutEntry,
    apply_conditions,
    parse_value,
    pattern_problem,
    template_problems,
)


@dataclass
class Spec:
    field_type: str = "text"
    label: str = "Field"
    pattern: str | None = None
    pattern_message: str = ""
    number_kind: str | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int | None = None


@pytest.mark.parametrize(
    "spec, raw, expected",
    [
        (Spec("text"), "  Laptop  ", "Laptop"),
        (Spec("long_text"), "line one\r\nline two", "line one\nline two"),
        (Spec("number", number_kind="integer"), "042", "42"),
        (Spec("number", number_kind="integer"), "-7", "-7"),
        (Spec("number", number_kind="decimal"), "2.50", "2.5"),
        (Spec("number", number_kind="decimal"), "100", "100"),
        (Spec("number", number_kind="decimal", min_value=Decimal("0.5"), max_value=Decimal("10")), "10", "10"),
        (Spec("date"), "2026-02-28", "2026-02-28"),
        (Spec("boolean"), "yes", "true"),
        (Spec("boolean"), "false", "false"),
        (Spec("email"), "Maria@Example.COM", "maria@example.com"),
        (Spec("phone"), "+44 20 7946 0958", "+442079460958"),
        (Spec("url"), "https://example.com/orders?id=5", "https://example.com/orders?id=5"),
        (Spec("text", pattern=r"\d{8}", pattern_message="8 digits"), "12345678", "12345678"),
    ],
)
def test_good_values_become_canonical_strings(spec, raw, expected):
    assert parse_value(spec, raw) == expected


@pytest.mark.parametrize(
    "spec, raw, message",
    [
        (Spec("text", max_length=5), "too long", "at most 5 characters"),
        (Spec("text"), "two\nlines", "single line"),
        (Spec("number", number_kind="integer"), "4.5", "whole number"),
        (Spec("number", number_kind="integer"), "forty", "whole number"),
        (Spec("number", number_kind="decimal"), "1e5", "Enter a number"),
        (Spec("number", number_kind="decimal"), "NaN", "Enter a number"),
        (Spec("number", number_kind="integer", min_value=Decimal(1)), "0", "at least 1"),
        (Spec("number", number_kind="decimal", max_value=Decimal("9.5")), "9.51", "at most 9.5"),
        (Spec("date"), "31/03/2026", "year-month-day"),
        (Spec("date"), "2026-02-30", "does not exist"),
        (Spec("boolean"), "maybe", "yes or no"),
        (Spec("email"), "not-an-email", "valid email"),
        (Spec("phone"), "12", "phone number"),
        (Spec("url"), "javascript:alert(1)", "https://"),
        (Spec("url"), "https://exa mple.com", "no spaces"),
        (Spec("text", pattern=r"\d{8}", pattern_message="Your membership number has 8 digits."), "1234",
         "Your membership number has 8 digits."),
    ],
)
def test_bad_values_get_a_message_for_the_field(spec, raw, message):
    with pytest.raises(FieldRuleError, match=message):
        parse_value(spec, raw)


def test_empty_input_is_no_value_for_every_type():
    for field_type in ("text", "long_text", "number", "date", "select", "boolean", "email", "phone", "url"):
        assert parse_value(Spec(field_type), "   ") is None


def test_select_takes_an_active_option_value():
    assert parse_value(Spec("select"), "pdx", options={"pdx": True, "dub": False}) == "pdx"


def test_select_refuses_a_value_that_is_not_an_option():
    with pytest.raises(FieldRuleError, match="Choose one of the options"):
        parse_value(Spec("select"), "US West (Oregon)", options={"pdx": True})


def test_select_refuses_an_inactive_option_for_new_values():
    with pytest.raises(FieldRuleError, match="no longer available"):
        parse_value(Spec("select"), "dub", options={"pdx": True, "dub": False})


def test_select_keeps_an_inactive_option_a_case_already_holds():
    assert parse_value(Spec("select"), "dub", options={"dub": False}, keep="dub") == "dub"


def test_catastrophic_pattern_times_out_quickly_with_a_message():
    spec = Spec("text", pattern=r"(a|aa)+b", pattern_message="never shown", max_length=100)
    started = time.monotonic()
    with pytest.raises(FieldRuleError, match="could not check"):
        parse_value(spec, "a" * 60)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("pattern", [r"(unclosed", r"[z-a]", "x" * 301])
def test_invalid_or_overlong_patterns_are_refused(pattern):
    assert pattern_problem(pattern)


def test_a_valid_pattern_has_no_problem():
    assert pattern_problem(r"[A-Z]{2}\d{6}") is None


SHOW = Condition(target="serial", action="show", source="kind", value="hardware")
REQUIRE = Condition(target="screenshot_url", action="require", source="kind", value="software")


def test_show_condition_hides_the_target_until_the_source_has_the_value():
    assert apply_conditions([SHOW], {"kind": "software"}) == ({"serial"}, set())
    assert apply_conditions([SHOW], {"kind": "hardware"}) == (set(), set())


def test_require_condition_requires_the_target_when_the_source_has_the_value():
    assert apply_conditions([REQUIRE], {"kind": "software"}) == (set(), {"screenshot_url"})
    assert apply_conditions([REQUIRE], {"kind": None}) == (set(), set())


def test_a_field_shown_only_by_a_hidden_field_is_hidden_too():
    chained = Condition(target="warranty", action="show", source="serial", value="X1")
    hidden, _ = apply_conditions([SHOW, chained], {"kind": "software", "serial": "X1"})
    assert hidden == {"serial", "warranty"}


def entries(required=False, internal_source=False):
    return [LayoutEntry("kind", "Kind", False, internal_source), LayoutEntry("serial", "Serial", required, False)]


def test_template_with_a_required_field_hidden_by_a_condition_is_refused():
    assert "required but hidden" in template_problems(entries(required=True), [SHOW])[0]


def test_template_with_a_customer_field_depending_on_an_internal_one_is_refused():
    assert "internal field" in template_problems(entries(internal_source=True), [SHOW])[0]


def test_template_with_fields_shown_only_by_each_other_is_refused():
    loop = Condition(target="kind", action="show", source="serial", value="X")
    assert "each other" in template_problems(entries(), [SHOW, loop])[0]


def test_template_with_sensible_conditions_has_no_problems():
    assert template_problems(entries(), [SHOW]) == []
