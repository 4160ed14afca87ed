"""Every URL variable of every route, one at a time, replaced by generated values (the others stay
real): malformed, upper-case, braced and unknown UUIDs, case references of 8 and 9 digits, with
leading zeros or other scripts' digits, huge version numbers, odd tokens. No page may answer with
a server error, signed in as the admin (who may open everything) or as a customer."""

from __future__ import annotations

from flask import url_for
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import strategies as odd
from tests.fuzz.baseline import Baseline
from tests.fuzz.walk import Visitor

EXAMPLES_PER_VARIABLE = 4
NOT_FUZZED = {"static": "files on disk, served by Flask", "accounts.logout": "no URL variables"}


def strategy_for(arg: str, world) -> st.SearchStrategy:
    if arg.endswith("_uuid"):
        return odd.uuids()
    if arg == "reference":
        return odd.references(world.values["reference"])
    if arg == "number":  # <int:...>: only digits reach the view, but as many as anyone types
        return st.one_of(st.integers(min_value=0, max_value=10**30), st.sampled_from([2**31, 2**63, 2**64]))
    if arg == "event":
        return st.one_of(st.sampled_from(["case_created", "password_reset", "nope", "", "../x"]), odd.text())
    return odd.anything()


def fuzz_variable(app, visitor, baseline_box, rule, values: dict, arg: str, world) -> None:
    @settings(max_examples=odd.examples(EXAMPLES_PER_VARIABLE))
    @given(value=strategy_for(arg, world))
    def request(value):
        with app.test_request_context():
            url = url_for(rule.endpoint, **{**values, arg: value})
        restarting = visitor.restarts()
        client, token = visitor.ready()
        if restarting:
            baseline_box[0] = Baseline()
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            assert response.status_code < 500, f"{method} {url} answered {response.status_code}"
        changed = baseline_box[0].changed()
        if changed:
            baseline_box[0].restore(changed)

    request()


def test_odd_values_in_any_url_variable_never_fail(app, world, people):
    fuzzed = 0
    for user in (people.admin, people.customer):
        visitor = Visitor(app, user)
        visitor.ready()
        baseline_box = [Baseline()]
        for rule in app.url_map.iter_rules():
            if rule.endpoint in NOT_FUZZED:
                continue
            values = {}
            for arg in rule.arguments:
                converter = rule._converters[arg]
                values[arg] = sorted(converter.items)[0] if hasattr(converter, "items") else (
                    world.endpoint_values.get((rule.endpoint, arg), world.values.get(arg)))
            for arg in sorted(a for a in rule.arguments if not hasattr(rule._converters[a], "items")):
                fuzz_variable(app, visitor, baseline_box, rule, values, arg, world)
                fuzzed += 1
    assert fuzzed >= 80, f"only {fuzzed} URL variables were fuzzed"
