"""The staff workspace, customer profiles and workgroups in the language of whoever reads them: an
agent whose language is German sees their workspace, the case's staff panel, the supervisor view, a
customer profile and the workgroups in German, flashes after an action and the reasons an action is
refused too; a Spanish one in Spanish. Names people typed stay as typed, and escaped."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from notifier.models import Message
from portal.cases.service.search_index import reindex_case
from portal.models.configuration import CaseTemplate
from portal.models.staff import CaseTask
from portal.staff.service import tasks
from tests import factories
from tests.fixtures import post_form


@dataclass
class Desk:
    agent: object
    supervisor: object
    admin: object
    workgroup: object
    case: object


def _desk(people, language: str) -> Desk:
    for user in (people.agent, people.supervisor, people.admin):
        user.language = language
        user.save()
    workgroup = factories.workgroup(people.agent, people.supervisor, name="Service desk")
    template = CaseTemplate.create(name="Broken device", description="", state="published", for_customers=True,
                                   for_proxies=True, for_staff=True, default_workgroup=workgroup)
    case = factories.case(people.customer, template=template, workgroup=workgroup, title="Printer jams",
                          priority="urgent")
    return Desk(people.agent, people.supervisor, people.admin, workgroup, case)


@pytest.fixture
def german(people) -> Desk:
    return _desk(people, "de")


@pytest.fixture
def spanish(people) -> Desk:
    return _desk(people, "es")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# --- German ----------------------------------------------------------------------------------------


def test_the_workspace_and_its_queue_are_in_german(client, login, german):
    login(german.agent)
    html = page(client, "/staff/")
    assert '<html lang="de"' in html
    for text in ("<title>Arbeitsbereich", "<h1>Arbeitsbereich</h1>", "Meine Fälle", "Meine Aufgaben",
                 "Nicht zugewiesen in meinen Arbeitsgruppen", "Jede Priorität", "Filtern",
                 'aria-label="Warteschlangen"', "Alle (1)",
                 "Nicht zugewiesene offene Fälle, dringendste und älteste zuerst"):
        assert text in html, text
    # the case's priority by its German name; its status and workgroup as the admin typed them
    assert '<span class="priority priority-urgent">Dringend</span>' in html
    assert "Service desk (1)" in html
    assert "<h1>Workspace" not in html and "My cases" not in html


def test_the_staff_panel_of_a_case_is_in_german(client, login, german):
    login(german.agent)
    html = page(client, f"/cases/{german.case.reference}")
    for text in ("Zuweisung", "Diesen Fall übernehmen", "Priorität ändern", "Kunden in diesem Fall", "(Hauptkunde)",
                 "Kontakt protokollieren", "Aufgaben", "Noch keine Aufgaben.", "Aufgabe hinzufügen",
                 "Nicht zugewiesen", ">Dringend</span>", "Fälle von Cora Customer suchen",
                 # form labels, choices and hints come from the forms, also in German
                 "Kanal", "Kanal wählen", "Telefon", "Eingehend (wir wurden kontaktiert)", "Zusammenfassung",
                 "Leer lassen, um die aktuelle Zeit zu verwenden.", "Dem Kunden als nächsten Schritt anzeigen",
                 "Kunden zum Hinzufügen suchen"):
        assert text in html, text
    assert "Take this case" not in html and "Log a contact" not in html


def test_a_task_shows_its_due_date_and_tells_its_assignee_in_german(client, login, german):
    tasks.create_task(german.supervisor, german.case, tasks.TaskData(
        title="Call back about the part", assignee_uuid=german.agent.uuid, due_date=datetime.date(2030, 3, 12)))
    assert Message.get(Message.event == "task_assigned").context["due_date"] == "12. März 2030"
    login(german.agent)
    html = page(client, f"/cases/{german.case.reference}")
    assert "fällig am 12. März 2030" in html
    assert "Als erledigt markieren" in html
    assert "fällig am 12. März 2030" in page(client, "/staff/")


def test_a_flash_after_an_action_is_in_german(client, login, german):
    login(german.agent)
    response = post_form(client, f"/staff/cases/{german.case.reference}/take", {"take-seen_assignee": ""},
                         page=f"/cases/{german.case.reference}", follow_redirects=True)
    assert "Sie bearbeiten jetzt diesen Fall." in response.get_data(as_text=True)


def test_a_task_marked_done_says_so_in_german(client, login, german):
    task = tasks.create_task(german.agent, german.case, tasks.TaskData(title="Check logs"))
    login(german.agent)
    response = post_form(client, f"/staff/tasks/{task.uuid}/complete", {}, page=f"/cases/{german.case.reference}",
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Aufgabe erledigt." in html and ">Erledigt</span>" in html
    assert CaseTask.get_by_id(task.id).status == "done"


def test_a_refused_action_says_why_in_german(client, login, german):
    login(german.supervisor)
    response = post_form(client, f"/staff/cases/{german.case.reference}/priority", {"priority-priority": "urgent"},
                         page=f"/cases/{german.case.reference}")
    assert response.status_code == 409
    assert "Die Priorität ist bereits Dringend." in response.get_data(as_text=True)


def test_a_refused_value_is_explained_next_to_its_field_in_german(client, login, german):
    login(german.supervisor)
    response = post_form(client, f"/staff/cases/{german.case.reference}/move", {"move-workgroup": "nonsense"},
                         page=f"/cases/{german.case.reference}")
    assert response.status_code == 400
    assert "Wählen Sie eine aktive Arbeitsgruppe aus der Liste." in response.get_data(as_text=True)


def test_a_name_inside_a_translated_refusal_stays_as_typed_and_escaped(client, login, german):
    german.case.customer.first_name = "<b>Cora</b>"
    german.case.customer.save()
    login(german.agent)
    response = post_form(client, f"/staff/cases/{german.case.reference}/customers",
                         {"link-customer": german.case.customer.uuid}, page=f"/cases/{german.case.reference}")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "&lt;b&gt;Cora&lt;/b&gt; Customer ist bereits an diesem Fall beteiligt (als Hauptkunde)." in html
    assert "<b>Cora</b>" not in html


def test_the_supervisor_view_is_in_german(client, login, german):
    login(german.supervisor)
    html = page(client, "/staff/supervisor")
    for text in ("<h1>Supervisor-Ansicht</h1>", "Offene Fälle pro Arbeitsgruppe", "Offene Fälle pro Person",
                 '<th scope="col">Nicht zugewiesen</th>', '<th scope="col">Dringend</th>'):
        assert text in html, text
    drilled = page(client, f"/staff/supervisor?workgroup={german.workgroup.uuid}&unassigned=1")
    assert "Nicht zugewiesene Fälle von Service desk" in drilled
    assert "Niemand (Warteschlange)" in drilled and f"Fall {german.case.reference} zuweisen an" in drilled


def test_search_results_say_how_long_ago_a_case_changed_in_german(client, login, german):
    reindex_case(german.case.id)
    login(german.agent)
    html = page(client, "/staff/search?q=Printer")
    assert "1 Fall gefunden" in html
    assert '<td data-label="Aktualisiert"><time datetime=' in html
    assert "gerade eben" in html or "vor " in html


def test_a_customer_profile_is_in_german(client, login, german):
    login(german.agent)
    html = page(client, f"/customers/{german.case.customer.uuid}")
    for text in ("Profil bearbeiten", "Neuer Fall für Cora", "Kundennummer", "Meldet sich an",
                 "Ja, als cora@example.com", "Fälle von Cora Customer, neueste Aktivität zuerst", "Fallnummer"):
        assert text in html, text


def test_customer_search_and_its_refusals_are_in_german(client, login, german):
    factories.customer(first_name="Grace", last_name="Miller", email="grace@example.com", phone="+14155550199")
    factories.customer(first_name="Henry", last_name="Miller", email=None, phone="+14155550199")
    login(german.agent)
    html = page(client, "/customers/?q=415-555-0199")
    assert "2 Profile gefunden" in html
    assert "Übereinstimmende Angaben: Telefonnummer." in html
    assert "„415-555-0199“ gesucht als Telefonnummer." in html
    response = post_form(client, "/customers/new", {"first_name": "", "last_name": "Doe"})
    refused = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Geben Sie den Vornamen des Kunden ein." in refused


def test_a_service_refusal_on_a_customer_form_is_in_german(client, login, german):
    login(german.agent)
    response = post_form(client, "/customers/new", {"first_name": "John", "account_number": "ACC-404"})
    assert response.status_code == 400
    assert "Es gibt kein Konto mit der Nummer ACC-404. Legen Sie zuerst das Konto an." in response.get_data(
        as_text=True)


def test_the_workgroups_pages_flash_and_refusal_are_in_german(client, login, german):
    login(german.admin)
    html = page(client, "/admin/workgroups/")
    for text in ("<h1>Arbeitsgruppen</h1>", "Neue Arbeitsgruppe", ">Aktiv</span>", "Service desk"):
        assert text in html, text
    response = post_form(client, "/admin/workgroups/new", {"name": "Billing"}, follow_redirects=True)
    created = response.get_data(as_text=True)
    assert "Arbeitsgruppe Billing angelegt. Fügen Sie jetzt ihre Mitglieder hinzu." in created
    assert "Mitglied hinzufügen" in created and "Noch keine Mitglieder." in created
    refused = post_form(client, "/admin/workgroups/new", {"name": "billing"})
    assert refused.status_code == 400
    assert "Eine andere Arbeitsgruppe hat bereits diesen Namen." in refused.get_data(as_text=True)


# --- Spanish ---------------------------------------------------------------------------------------


def test_the_workspace_is_in_spanish(client, login, spanish):
    login(spanish.agent)
    html = page(client, "/staff/")
    assert '<html lang="es"' in html
    for text in ("<h1>Espacio de trabajo</h1>", "Mis casos", "Sin asignar en mis grupos de trabajo", ">Urgente</span>"):
        assert text in html, text


def test_the_staff_panel_and_a_flash_are_in_spanish(client, login, spanish):
    login(spanish.agent)
    html = page(client, f"/cases/{spanish.case.reference}")
    assert "Tomar este caso" in html and "Clientes de este caso" in html and "Registrar un contacto" in html
    response = post_form(client, f"/staff/cases/{spanish.case.reference}/take", {"take-seen_assignee": ""},
                         page=f"/cases/{spanish.case.reference}", follow_redirects=True)
    assert "Ahora usted gestiona este caso." in response.get_data(as_text=True)


def test_a_refusal_is_in_spanish(client, login, spanish):
    login(spanish.supervisor)
    response = post_form(client, f"/staff/cases/{spanish.case.reference}/priority", {"priority-priority": "urgent"},
                         page=f"/cases/{spanish.case.reference}")
    assert "La prioridad ya es Urgente." in response.get_data(as_text=True)


def test_customers_and_workgroups_are_in_spanish(client, login, spanish):
    login(spanish.admin)
    assert "Busque antes de crear un perfil" in page(client, "/customers/")
    profile = page(client, f"/customers/{spanish.case.customer.uuid}")
    assert "Editar perfil" in profile and "Número de cliente" in profile
    assert "<h1>Grupos de trabajo</h1>" in page(client, "/admin/workgroups/")


def test_an_assignment_tells_the_priority_in_each_recipients_language(german, people):
    from portal.staff.service import handling

    handling.assign_case(german.supervisor, german.case, german.agent.uuid)
    told = {m.address: m.context["priority"] for m in Message.select().where(Message.event == "case_assigned")}
    assert told[german.agent.email] == "Dringend"
    assert told[people.customer.email] == "Urgent"  # the customer reads English
