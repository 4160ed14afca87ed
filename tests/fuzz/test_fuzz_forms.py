"""Every form, as the pages show it, submitted with a few of its fields replaced by generated
values: odd numbers, dates, UUIDs, text. The rest of the form keeps what the page filled in, so
the odd value travels as deep as a real submission would. No form may answer with a server error.

The forms come from the pages an admin, a customer and a signed-out visitor see, so a new form is
fuzzed without a new test."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import strategies as odd
from tests.fuzz.baseline import Baseline
from tests.fuzz.walk import Visitor, walk_pages
from tests.fuzz.world import PNG

# Forms the fuzz does not submit, and why.
NOT_FUZZED = {"accounts.logout": "a button that ends the session, nothing to fuzz"}
EXAMPLES_PER_FORM = 3

NUMERIC_NAMES = ("min_value", "max_value", "max_length", "rating", "position", "page", "number", "units", "weight")
DATE_KINDS = ("date", "datetime-local", "month", "week", "time")


def value_for(field) -> st.SearchStrategy[str]:
    """Odd values for a field, those its kind invites first (hypothesis shrinks towards them)."""
    if field.kind in DATE_KINDS or field.name.endswith(("_on", "_date", "_at")):
        first = odd.dates()
    elif field.kind == "number" or any(part in field.name for part in NUMERIC_NAMES):
        first = odd.numbers()
    elif field.kind in ("select", "radio", "checkbox", "hidden") and field.options:
        first = st.one_of(st.sampled_from(field.options), odd.uuids())
    elif field.kind == "search":
        first = odd.search_text()
    else:
        first = odd.text()
    return st.one_of(first, odd.anything())


def fuzz_form(visitor, baseline_box, action: str, form) -> None:
    fields = {name: f for name, f in form.fields.items() if f.kind not in ("csrf", "submit") and name != "csrf_token"}
    buttons = [f for f in form.fields.values() if f.kind == "submit" and f.options]

    @settings(max_examples=odd.examples(EXAMPLES_PER_FORM))
    @given(data=st.data())
    def submit(data):
        values = form.defaults()
        if fields:
            for name in data.draw(st.sets(st.sampled_from(sorted(fields)), min_size=1, max_size=3), label="fuzzed"):
                field = fields[name]
                if field.kind == "file":
                    values[name] = (io.BytesIO(PNG), data.draw(odd.file_names(), label=name))
                else:
                    values[name] = data.draw(value_for(field), label=name)
        for button in buttons:
            values[button.name] = data.draw(st.sampled_from(button.options), label=button.name)
        restarting = visitor.restarts()
        client, token = visitor.ready()
        if restarting:
            baseline_box[0] = Baseline()
        values.update({name: token for name, f in form.fields.items() if f.kind == "csrf"})
        response = client.post(action, data={**values, "csrf_token": token})
        changed = baseline_box[0].changed()
        if changed:
            baseline_box[0].restore(changed)
        assert response.status_code < 500, f"{action} answered {response.status_code}"

    submit()


def test_every_form_survives_odd_values_in_its_fields(app, world, people):
    fuzzed = set()
    for user in (people.admin, people.customer, None):
        visitor = Visitor(app, user)
        harvest = walk_pages(app, visitor.ready()[0], world)
        baseline_box = [Baseline()]
        for endpoint, (action, form) in sorted(harvest.forms.items()):
            if endpoint in NOT_FUZZED or endpoint in fuzzed:
                continue
            fuzz_form(visitor, baseline_box, action, form)
            fuzzed.add(endpoint)
    assert len(fuzzed) >= 50, f"only {len(fuzzed)} forms were found to fuzz"


# --- the fields where numbers, dates and names are parsed: more examples there ----------------------


def poster(app, user, world):
    """post(url, data) as user, each request against the same world; returns the response."""
    visitor = Visitor(app, user)
    visitor.ready()
    box = [Baseline()]

    def post(url: str, data: dict):
        restarting = visitor.restarts()
        client, token = visitor.ready()
        if restarting:
            box[0] = Baseline()
        response = client.post(url, data={"csrf_token": token, **data})
        changed = box[0].changed()
        if changed:
            box[0].restore(changed)
        assert response.status_code < 500, f"POST {url} answered {response.status_code}"
        return response

    return post


def test_custom_field_values_of_every_type_never_fail(app, world, people):
    post = poster(app, people.customer, world)
    url = f"/cases/new/{world.values['template_uuid']}"
    typed = {"cf_units": odd.numbers(), "cf_weight": odd.numbers(), "cf_bought_on": odd.dates(),
             "cf_under_warranty": odd.anything(), "cf_colour": odd.anything(), "cf_serial": odd.text(),
             "cf_contact_email": odd.text(), "cf_call_back_on": odd.numbers(), "cf_order_page": odd.text()}

    @settings(max_examples=odd.examples(25))
    @given(values=st.fixed_dictionaries({}, optional=typed))
    def submit(values):
        post(url, {"title": "Printer", "summary": "It jams.", "cf_colour": "red", "cf_units": "3", **values})

    submit()


def test_field_definitions_with_odd_limits_never_fail(app, world, people):
    post = poster(app, people.admin, world)

    @settings(max_examples=odd.examples(25))
    @given(field_type=st.sampled_from(["number", "text", "long_text"]), kind=st.sampled_from(["integer", "decimal"]),
           low=odd.numbers(), high=odd.numbers(), max_length=odd.numbers())
    def submit(field_type, kind, low, high, max_length):
        post("/admin/fields/new", {"label": "Odd", "key": "odd_limits", "field_type": field_type,
                                   "number_kind": kind, "visibility": "customer", "min_value": low,
                                   "max_value": high, "max_length": max_length})

    submit()


def test_odd_ratings_of_a_resolution_never_fail(app, world, people):
    post = poster(app, people.customer, world)
    url = f"/cases/{world.cases['resolved']}/resolution/accept"

    @settings(max_examples=odd.examples(20))
    @given(rating=st.one_of(odd.numbers(), odd.text()))
    def submit(rating):
        post(url, {"rating": rating, "comment": "Thanks"})

    submit()


ZONES = ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/St_Johns", "Asia/Kathmandu"]


def test_contact_times_in_any_time_zone_never_fail(app, world, people):
    post = poster(app, people.admin, world)
    url = f"/staff/cases/{world.cases['open']}/contacts"

    @settings(max_examples=odd.examples(20))
    @given(zone=st.sampled_from(ZONES), when=odd.dates())
    def submit(zone, when):
        people.admin.time_zone = zone
        people.admin.save()
        post(url, {"contact-channel": "phone", "contact-direction": "inbound", "contact-summary": "Called",
                   "contact-contacted_at": when})

    submit()


def test_task_due_dates_never_fail(app, world, people):
    post = poster(app, people.agent, world)
    url = f"/staff/cases/{world.cases['open']}/tasks"

    @settings(max_examples=odd.examples(15))
    @given(due=odd.dates())
    def submit(due):
        post(url, {"task-title": "Call back", "task-due_date": due})

    submit()


def test_upload_file_names_never_fail(app, world, people):
    post = poster(app, people.customer, world)
    url = f"/cases/{world.cases['open']}/comments"

    @settings(max_examples=odd.examples(15))
    @given(name=odd.file_names())
    def submit(name):
        post(url, {"body": "See the photo", "files": (io.BytesIO(PNG), name)})

    submit()
