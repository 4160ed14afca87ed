"""configuration_version: one row whose stamp changes with every change to the configuration the portal caches
per process (portal.config_cache): case statuses, reasons, fields and their options, templates with their fields
and conditions, workgroups, business calendars, SLA policies and targets, OLA targets, notification rules and
webhook endpoints (what routes an event to them).

Triggers on those tables set a new random stamp in the same statement as the change, so it commits or rolls back
with it whoever writes (the admin pages, the API, the CLI, the seed, raw SQL). A webhook endpoint's delivery
bookkeeping (failures, pauses, secrets) is not cached and does not change the stamp."""

from portal.db import run_statements

# SQLite: random() is 64 bits. PostgreSQL: random() gives 53; a statement-level trigger runs once per statement.
SQLITE = [
    'CREATE TABLE "configuration_version" ("id" INTEGER NOT NULL PRIMARY KEY, "stamp" INTEGER NOT NULL)',
    'INSERT INTO "configuration_version" ("id", "stamp") VALUES (1, random())',
    'CREATE TRIGGER "case_status_insert_configuration" AFTER INSERT ON "case_status" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_status_update_configuration" AFTER UPDATE ON "case_status" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_status_delete_configuration" AFTER DELETE ON "case_status" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_reason_insert_configuration" AFTER INSERT ON "case_reason" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_reason_update_configuration" AFTER UPDATE ON "case_reason" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_reason_delete_configuration" AFTER DELETE ON "case_reason" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_field_insert_configuration" AFTER INSERT ON "case_field" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_field_update_configuration" AFTER UPDATE ON "case_field" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_field_delete_configuration" AFTER DELETE ON "case_field" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "field_option_insert_configuration" AFTER INSERT ON "field_option" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "field_option_update_configuration" AFTER UPDATE ON "field_option" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "field_option_delete_configuration" AFTER DELETE ON "field_option" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_template_insert_configuration" AFTER INSERT ON "case_template" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_template_update_configuration" AFTER UPDATE ON "case_template" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "case_template_delete_configuration" AFTER DELETE ON "case_template" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "template_field_insert_configuration" AFTER INSERT ON "template_field" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "template_field_update_configuration" AFTER UPDATE ON "template_field" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "template_field_delete_configuration" AFTER DELETE ON "template_field" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "template_condition_insert_configuration" AFTER INSERT ON "template_condition" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "template_condition_update_configuration" AFTER UPDATE ON "template_condition" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "template_condition_delete_configuration" AFTER DELETE ON "template_condition" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "workgroup_insert_configuration" AFTER INSERT ON "workgroup" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "workgroup_update_configuration" AFTER UPDATE ON "workgroup" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "workgroup_delete_configuration" AFTER DELETE ON "workgroup" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "business_calendar_insert_configuration" AFTER INSERT ON "business_calendar" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "business_calendar_update_configuration" AFTER UPDATE ON "business_calendar" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "business_calendar_delete_configuration" AFTER DELETE ON "business_calendar" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "working_hours_insert_configuration" AFTER INSERT ON "working_hours" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "working_hours_update_configuration" AFTER UPDATE ON "working_hours" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "working_hours_delete_configuration" AFTER DELETE ON "working_hours" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "closed_day_insert_configuration" AFTER INSERT ON "closed_day" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "closed_day_update_configuration" AFTER UPDATE ON "closed_day" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "closed_day_delete_configuration" AFTER DELETE ON "closed_day" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "sla_policy_insert_configuration" AFTER INSERT ON "sla_policy" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "sla_policy_update_configuration" AFTER UPDATE ON "sla_policy" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "sla_policy_delete_configuration" AFTER DELETE ON "sla_policy" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "sla_target_insert_configuration" AFTER INSERT ON "sla_target" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "sla_target_update_configuration" AFTER UPDATE ON "sla_target" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "sla_target_delete_configuration" AFTER DELETE ON "sla_target" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "ola_target_insert_configuration" AFTER INSERT ON "ola_target" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "ola_target_update_configuration" AFTER UPDATE ON "ola_target" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "ola_target_delete_configuration" AFTER DELETE ON "ola_target" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "notification_rule_insert_configuration" AFTER INSERT ON "notification_rule" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "notification_rule_update_configuration" AFTER UPDATE ON "notification_rule" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "notification_rule_delete_configuration" AFTER DELETE ON "notification_rule" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "webhook_endpoint_insert_configuration" AFTER INSERT ON "webhook_endpoint" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "webhook_endpoint_delete_configuration" AFTER DELETE ON "webhook_endpoint" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
    'CREATE TRIGGER "webhook_endpoint_update_configuration" AFTER UPDATE OF "uuid", "event_types", "case_template_id", "active" ON "webhook_endpoint" BEGIN UPDATE configuration_version SET stamp = random() WHERE id = 1; END',
]

POSTGRESQL = [
    'CREATE TABLE "configuration_version" ("id" INTEGER NOT NULL PRIMARY KEY, "stamp" BIGINT NOT NULL)',
    'INSERT INTO "configuration_version" ("id", "stamp") VALUES (1, floor(random() * 9007199254740991)::bigint)',
    'CREATE FUNCTION configuration_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE configuration_version SET stamp = floor(random() * 9007199254740991)::bigint WHERE id = 1; RETURN NULL; END $$',
    'CREATE TRIGGER "case_status_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "case_status" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "case_reason_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "case_reason" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "case_field_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "case_field" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "field_option_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "field_option" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "case_template_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "case_template" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "template_field_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "template_field" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "template_condition_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "template_condition" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "workgroup_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "workgroup" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "business_calendar_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "business_calendar" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "working_hours_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "working_hours" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "closed_day_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "closed_day" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "sla_policy_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sla_policy" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "sla_target_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sla_target" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "ola_target_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ola_target" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "notification_rule_configuration" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "notification_rule" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
    'CREATE TRIGGER "webhook_endpoint_configuration" AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF "uuid", "event_types", "case_template_id", "active" ON "webhook_endpoint" FOR EACH STATEMENT EXECUTE FUNCTION configuration_version_bump()',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
