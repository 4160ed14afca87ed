"""How a case or a comment came in is kept: the JSON API marks its cases and comments "api", the web forms
"web"; the case, its feed entries and the typed events say so, and the case page's feed says it in words."""

from __future__ import annotations

from portal.models.cases import Case
from portal.models.events import Event
from tests.cases.filing_setup import form_url, world_fixture  # noqa: F401 - the world
from tests.fixtures import post_form


def test_a_case_and_a_comment_through_the_api_are_marked_api(api_as, people, world, client, login):
    api = api_as(people.customer)
    body = {"template": world.template.uuid, "title": "Printer jams", "summary": "Every third page.",
            "fields": {"room": "Lobby"}}
    opened = api.post("/cases", json=body).get_json()
    assert opened["channel"] == "api" and [e["channel"] for e in opened["feed"]] == ["api"]
    assert Case.get().channel == "api"
    commented = api.post(f"/cases/{opened['reference']}/comments", json={"text": "Still jams."})
    assert commented.status_code == 201, commented.get_data(as_text=True)
    assert [e["channel"] for e in commented.get_json()["feed"]] == ["api", "api"]
    events = {e.type: e.data for e in Event.select()}
    assert events["case.created"]["channel"] == "api" and events["case.commented"]["channel"] == "api"

    login(people.customer)
    page = client.get(f"/cases/{opened['reference']}").get_data(as_text=True)
    assert "opened the case through the API" in page and "commented through the API" in page


def test_a_case_and_a_comment_from_the_web_forms_are_marked_web(api_as, people, world, client, login):
    login(people.customer)
    response = post_form(client, form_url(world.template), {"title": "Printer jams", "summary": "Jams.",
                                                            "room": "Lobby"})
    assert response.status_code == 302, response.get_data(as_text=True)
    case = Case.get()
    assert case.channel == "web"
    response = post_form(client, f"/cases/{case.reference}/comments", {"body": "Still jams."},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "through the API" not in page and "by email" not in page
    read = api_as(people.customer).get(f"/cases/{case.reference}").get_json()
    assert read["channel"] == "web" and [e["channel"] for e in read["feed"]] == ["web", "web"]
    assert {e.data["channel"] for e in Event.select().where(Event.type.in_(["case.created", "case.commented"]))} \
        == {"web"}
