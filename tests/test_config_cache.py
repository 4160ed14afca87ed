"""Configuration read once per change (portal.config_cache): every writer of the cached configuration changes
the stamp in its own transaction, so the next read sees the change at once, in this process or another."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal import config_cache, request_memo
from portal.case_config import service
from portal.case_config.queries import active_reasons, offered_templates, template_layout, template_offered_to
from portal.case_config.service import system_status
from portal.db import connect, database
from portal.models.configuration import CaseField, CaseStatus, TemplateField
from portal.models.webhooks import WebhookEndpoint
from portal.notify.queries import rule_book
from portal.notify.service import save_rules
from portal.service_levels import service as service_levels
from portal.service_levels.queries import ola_value, policy_value, workgroup_calendar
from portal.teams import service as teams
from portal.webhooks import deliveries
from portal.webhooks import service as webhooks
from tests.case_config import factories as config_factories


def stamp() -> int:
    return database.execute_sql(config_cache.STAMP_SQL).fetchone()[0]


@pytest.fixture
def admin(app):
    return config_factories.admin()


@pytest.fixture
def other_connection(app):
    """A second connection to the same database, as another worker process has: what it commits is all this
    process can learn of the change."""
    db = connect(app.config["DATABASE_URL"])
    db.connect()
    yield db
    db.close()
    if hasattr(db, "close_all"):
        db.close_all()


def keys(layout) -> list[str]:
    return [placed.key for placed in layout.fields]


# --- every writer: the next read sees the change ------------------------------------------------------------


def test_a_field_added_to_a_template_is_in_its_layout_at_once(admin):
    template = config_factories.template(admin)
    assert keys(template_layout(template, "customer")) == []
    field = config_factories.case_field(admin, key="serial")
    service.add_template_field(admin, template, field)
    assert keys(template_layout(template, "customer")) == ["serial"]


def test_a_changed_placement_moved_field_and_removed_field_show_at_once(admin):
    first, second = config_factories.case_field(admin, key="first"), config_factories.case_field(admin, key="second")
    template = config_factories.template(admin, fields=[first, second])
    assert keys(template_layout(template)) == ["first", "second"]
    placed = TemplateField.get((TemplateField.template == template) & (TemplateField.field == second))
    service.move_template_field(admin, placed, "up")
    assert keys(template_layout(template)) == ["second", "first"]
    service.update_template_field(admin, placed, section="top", required=True)
    assert template_layout(template).by_key()["second"].required
    service.remove_template_field(admin, placed)
    assert keys(template_layout(template)) == ["first"]


def test_a_renamed_field_and_a_new_option_show_at_once(admin):
    colour = config_factories.select_field(admin, key="colour", label="Colour")
    template = config_factories.template(admin, fields=[colour])
    assert template_layout(template).fields[0].field.label == "Colour"
    data = service.FieldInput(label="Shade", field_type="select", key="colour")
    service.save_field(admin, CaseField.get_by_id(colour.id), data)
    service.save_option(admin, colour, None, label="Yellow", value="yellow")
    placed = template_layout(template).fields[0]
    assert placed.field.label == "Shade"
    assert "yellow" in [option.value for option in placed.options]


def test_a_condition_added_and_removed_shows_at_once(admin):
    kind = config_factories.select_field(admin, key="kind", options={"Printer": "printer", "Other": "other"})
    model = config_factories.case_field(admin, key="model")
    template = config_factories.template(admin, fields=[kind, model], publish=False)
    assert template_layout(template).conditions == []
    condition = service.add_condition(admin, template, target=model, action="show", source=kind, value="printer")
    assert [c.target for c in template_layout(template).conditions] == ["model"]
    service.remove_condition(admin, condition)
    assert template_layout(template).conditions == []


def test_a_template_published_changed_and_retired_is_offered_accordingly(admin, people):
    template = config_factories.template(admin, publish=False, name="Returns")
    assert not template_offered_to(template, people.customer)
    service.publish_template(admin, template)
    assert template_offered_to(template, people.customer)
    data = service.TemplateInput(name="Returns", for_customers=False)
    service.save_template(admin, template, data)
    assert not template_offered_to(template, people.customer)
    assert template_offered_to(template, people.agent)
    service.retire_template(admin, template)
    assert template.id not in [t.id for t in offered_templates("staff")]


def test_a_new_and_a_retired_reason_show_at_once(admin):
    before = [r.name for r in active_reasons()]
    reason = service.save_reason(admin, None, name="Broken on arrival")
    assert [r.name for r in active_reasons()] == [*before, "Broken on arrival"]
    service.save_reason(admin, reason, name="Broken on arrival", active=False)
    assert [r.name for r in active_reasons()] == before


def test_a_system_status_described_anew_shows_at_once(admin):
    status = system_status("open")
    service.save_status(admin, CaseStatus.get_by_id(status.id), name=status.name, category="open",
                        customer_description="We read every case within the hour.")
    assert system_status("open").customer_description == "We read every case within the hour."


def test_changed_notification_rules_show_at_once(admin):
    template = config_factories.template(admin)
    assert rule_book(template).channels("case_created", "customer")  # the built-in default tells them
    save_rules(admin, template, {("case_created", "customer"): set()})
    assert rule_book(template).channels("case_created", "customer") == frozenset()


def test_a_saved_sla_policy_shows_at_once(admin):
    template = config_factories.template(admin)
    assert policy_value(template) is None
    data = service_levels.PolicyData(targets={"all_resolution": ("16", False)}, pause_categories=["waiting"],
                                           warn_percent=80)
    service_levels.save_policy(admin, template.uuid, data)
    assert policy_value(template).targets[("", "resolution")].duration == timedelta(hours=16)


def test_a_changed_calendar_and_ola_show_at_once(admin):
    calendar = service_levels.save_calendar(admin, None, service_levels.CalendarData(
        name="Office", time_zone="Europe/Berlin", hours=["08:00-12:00"] * 5 + ["", ""]))
    group = teams.create_workgroup(admin, teams.WorkgroupData(name="Berlin desk", calendar=calendar.uuid))
    assert workgroup_calendar(group).hours[0] == ((480, 720),)
    service_levels.save_calendar(admin, calendar.uuid, service_levels.CalendarData(
        name="Office", time_zone="Europe/Berlin", hours=["09:00-17:00"] * 5 + ["", ""]))
    assert workgroup_calendar(group).hours[0] == ((540, 1020),)
    assert ola_value(group) is None
    service_levels.save_ola(admin, group.uuid, "4", False)
    assert ola_value(group).duration == timedelta(hours=4)


def test_a_new_changed_and_deleted_webhook_endpoint_routes_at_once(admin, monkeypatch):
    monkeypatch.setattr("portal.webhooks.service.check_target", lambda *args: None)
    endpoint, _secret = webhooks.create_endpoint(admin, webhooks.EndpointInput(
        url="https://hooks.example.com/in", event_types=("case.created",)))
    assert [(e.uuid, e.event_types) for e in deliveries.routes()] == [(endpoint.uuid, ["case.created"])]
    webhooks.update_endpoint(admin, endpoint.uuid, webhooks.EndpointInput(
        url="https://hooks.example.com/in", event_types=("case.commented",)))
    assert [e.event_types for e in deliveries.routes()] == [["case.commented"]]
    webhooks.delete_endpoint(admin, endpoint.uuid)
    assert deliveries.routes() == ()


def test_a_workgroup_renamed_changes_the_stamp(admin):
    group = teams.create_workgroup(admin, teams.WorkgroupData(name="Desk"))
    before = stamp()
    teams.update_workgroup(admin, group.uuid, teams.WorkgroupData(name="Front desk"))
    assert stamp() != before


def test_a_webhook_delivery_failing_does_not_change_the_stamp(admin):
    endpoint = WebhookEndpoint.create(url="https://hooks.example.com/in", secret="s" * 32, event_types=[])
    before = stamp()
    WebhookEndpoint.update(consecutive_failures=3).where(WebhookEndpoint.id == endpoint.id).execute()
    assert stamp() == before  # delivery bookkeeping is not what the cache holds
    WebhookEndpoint.update(active=False).where(WebhookEndpoint.id == endpoint.id).execute()
    assert stamp() != before


# --- every configuration table, written by anyone ------------------------------------------------------------

CONFIGURATION_TABLES = ["case_status", "case_reason", "case_field", "field_option", "case_template",
                        "template_field", "template_condition", "workgroup", "business_calendar", "working_hours",
                        "closed_day", "sla_policy", "sla_target", "ola_target", "notification_rule"]


def triggered_events(table: str, on_postgres: bool) -> set[str]:
    """The writes to table that change the stamp, from the database's own catalogue."""
    if on_postgres:
        rows = database.execute_sql(
            "SELECT event_manipulation FROM information_schema.triggers WHERE trigger_schema = current_schema() "
            "AND event_object_table = %s AND action_statement LIKE %s", (table, "%configuration_version_bump%"))
        return {row[0] for row in rows}
    rows = database.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,))
    return {event for (sql,) in rows if "configuration_version" in sql
            for event in ("INSERT", "UPDATE", "DELETE") if f"AFTER {event} ON" in sql}


@pytest.mark.parametrize("table", CONFIGURATION_TABLES)
def test_every_write_to_a_configuration_table_changes_the_stamp(app, table, on_postgres):
    assert triggered_events(table, on_postgres) == {"INSERT", "UPDATE", "DELETE"}


def test_a_webhook_endpoint_added_or_deleted_changes_the_stamp(app, on_postgres):
    assert {"INSERT", "DELETE"} <= triggered_events("webhook_endpoint", on_postgres)


def test_the_cached_readers_read_only_tables_whose_writes_change_the_stamp(admin, sql_log):
    """A reader added later that reads another table would serve it stale: this names the table."""
    colour = config_factories.select_field(admin, key="colour")
    model = config_factories.case_field(admin, key="model")
    template = config_factories.template(admin, fields=[colour, model], publish=False)
    service.add_condition(admin, template, target=model, action="show", source=colour, value="red")
    service.publish_template(admin, template)
    service_levels.save_policy(admin, template.uuid, service_levels.PolicyData(
        targets={"all_resolution": ("16", False)}, pause_categories=["waiting"], warn_percent=80))
    calendar = service_levels.save_calendar(admin, None, service_levels.CalendarData(
        name="Office", time_zone="Europe/Berlin", hours=["08:00-12:00"] * 5 + ["", ""]))
    group = teams.create_workgroup(admin, teams.WorkgroupData(name="Desk", calendar=calendar.uuid))
    config_cache.clear()
    with sql_log() as statements:
        template_layout(template, "staff"), template_layout(template, "customer", include_inactive=True)
        offered = offered_templates("customer")
        [t.default_workgroup for t in offered]  # what a submission reads on the shared instance
        active_reasons(), system_status("open"), rule_book(template), policy_value(template)
        workgroup_calendar(group), ola_value(group), deliveries.routes()
    read = set()
    for sql in statements:
        read |= set(re.findall(r'(?:FROM|JOIN) "?([a-z_]+)"?', sql))
    assert read <= {*CONFIGURATION_TABLES, "webhook_endpoint", "configuration_version"}


def test_a_change_committed_by_another_connection_is_read_at_once(admin, other_connection):
    template = config_factories.template(admin, fields=[config_factories.case_field(admin, key="serial")])
    assert keys(template_layout(template)) == ["serial"]
    other_connection.execute_sql('UPDATE "case_field" SET "active" = %s WHERE "key" = %s'.replace(
        "%s", "?" if other_connection.__class__.__name__.startswith("Sqlite") else "%s"), (False, "serial"))
    assert keys(template_layout(template)) == []


def test_a_change_rolled_back_leaves_the_stamp_and_the_cache_as_they_were(admin):
    template = config_factories.template(admin, fields=[config_factories.case_field(admin, key="serial")])
    before = stamp()
    with pytest.raises(RuntimeError), database.atomic():
        CaseField.update(active=False).where(CaseField.key == "serial").execute()
        assert keys(template_layout(template)) == []  # the transaction sees its own change
        raise RuntimeError("undo")
    assert stamp() == before
    assert keys(template_layout(template)) == ["serial"]


# --- the stamp is read once per request, and again when it may have changed -----------------------------------


def test_a_request_reads_the_stamp_once_for_all_its_configuration(admin, sql_log):
    template = config_factories.template(admin, fields=[config_factories.case_field(admin)])
    template_layout(template), rule_book(template), system_status("open"), active_reasons()  # cached now
    request_memo.begin(read_only=True)
    try:
        with sql_log() as statements:
            template_layout(template), rule_book(template), system_status("open"), active_reasons()
    finally:
        request_memo.end()
    assert statements == [config_cache.STAMP_SQL]


def test_a_request_that_changes_the_configuration_reads_it_afresh_afterwards(admin):
    template = config_factories.template(admin)
    request_memo.begin(read_only=False)
    try:
        assert keys(template_layout(template)) == []
        service.add_template_field(admin, template, config_factories.case_field(admin, key="late"))
        assert keys(template_layout(template)) == ["late"]
    finally:
        request_memo.end()


def test_inside_a_transaction_the_stamp_is_read_afresh(admin):
    template = config_factories.template(admin)
    request_memo.begin(read_only=False)
    try:
        assert keys(template_layout(template)) == []
        with database.atomic():
            TemplateField.create(template=template, field=config_factories.case_field(admin, key="inside"))
            assert keys(template_layout(template)) == ["inside"]
    finally:
        request_memo.end()


def test_a_block_that_changes_nothing_reads_the_stamp_once(admin, sql_log):
    template = config_factories.template(admin)
    template_layout(template), rule_book(template)
    with sql_log() as statements, config_cache.unchanged(), database.atomic():
        template_layout(template), rule_book(template), deliveries.routes()
    assert statements.count(config_cache.STAMP_SQL) == 2  # when the block began, and to check the one read in it


# --- the cache itself ------------------------------------------------------------------------------------------


def test_two_databases_in_one_process_never_share_configuration(app, admin, tmp_path, on_postgres):
    if on_postgres:
        pytest.skip("the second database is a SQLite file; the identity differs on PostgreSQL by its schema")
    assert config_cache.database_identity() != config_cache.database_identity(connect(f"sqlite:///{tmp_path}/b.db"))


def test_the_cache_holds_at_most_its_bound(app, monkeypatch):
    monkeypatch.setattr(config_cache, "MAX_ENTRIES", 3)
    for n in range(10):
        config_cache.cached(("bound test", n), lambda n=n: n)
    assert len(config_cache._entries) <= 3
