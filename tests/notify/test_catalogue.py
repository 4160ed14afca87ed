"""The catalogue describes exactly the events and variables of templates/notifications/."""

from pathlib import Path

import pytest

from notifier.rendering import render_parts
from notifier.templates import active_template
from portal.notify.catalogue import EVENTS, SECURITY_EVENTS, event_title

FOLDER = Path(__file__).resolve().parents[2] / "templates" / "notifications"


def folder_variables() -> dict[str, list[str]]:
    return {
        folder.name: [line.strip() for line in (folder / "variables.txt").read_text().splitlines() if line.strip()]
        for folder in FOLDER.iterdir()
        if folder.is_dir()
    }


def test_the_catalogue_lists_every_event_folder_and_no_other():
    assert set(EVENTS) == set(folder_variables())


@pytest.mark.parametrize("event", sorted(folder_variables()))
def test_each_event_documents_exactly_the_variables_of_its_folder(event):
    assert sorted(EVENTS[event].variable_names) == sorted(folder_variables()[event])


def test_every_variable_has_a_description_and_an_example():
    for event in EVENTS.values():
        assert event.title and event.description
        for variable in event.variables:
            assert variable.description and variable.example is not None, (event.name, variable.name)


def test_security_events_are_the_account_mail():
    assert {"password_reset", "email_verification", "signup_existing_account", "invitation"} == SECURITY_EVENTS
    assert all(EVENTS[name].security for name in SECURITY_EVENTS)
    assert not EVENTS["case_created"].security


@pytest.mark.parametrize("event", sorted(folder_variables()))
def test_the_sample_data_renders_every_default_template(app, event):
    for channel in ("email", "sms"):
        template = active_template(event, channel)
        if template is not None:
            assert render_parts(channel, template.parts, EVENTS[event].sample_context())


def test_events_without_a_folder_still_get_a_readable_title():
    assert event_title("task_assigned") == "Task assigned"
    assert event_title("case_created") == "Case created"
