"""The audit log is append-only in the database too.

A trigger refuses every DELETE, and every UPDATE except the one ``on_delete=SET_NULL``
makes when an account, circle or report is deleted: one or more of the reference columns
(actor, target user, circle, report) becoming NULL, with every other column unchanged.
PostgreSQL and SQLite (the embedded default) each get their own trigger.
"""

from django.db import migrations

TABLE = "moderation_moderationaction"
NULLABLE_REFERENCES = ["actor_id", "target_user_id", "circle_id", "report_id"]
OTHER_COLUMNS = [
    "id",
    "actor_name",
    "action",
    "target_name",
    "circle_name",
    "meeting_id",
    "reason",
    "created_at",
    "extra",
]

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION moderation_action_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'moderation log is append-only: DELETE refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(NEW) - ARRAY{NULLABLE_REFERENCES!r}::text[])
            IS DISTINCT FROM (to_jsonb(OLD) - ARRAY{NULLABLE_REFERENCES!r}::text[])
        {"".join(f" OR (NEW.{c} IS NOT NULL AND NEW.{c} IS DISTINCT FROM OLD.{c})" for c in NULLABLE_REFERENCES)}
    THEN
        RAISE EXCEPTION 'moderation log is append-only: UPDATE refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS moderation_action_append_only ON {TABLE};
CREATE TRIGGER moderation_action_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION moderation_action_append_only();
"""

POSTGRES_BACKWARD = f"""
DROP TRIGGER IF EXISTS moderation_action_append_only ON {TABLE};
DROP FUNCTION IF EXISTS moderation_action_append_only();
"""

_sqlite_unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in OTHER_COLUMNS)
_sqlite_only_nulled = " AND ".join(
    f"(NEW.{c} IS NULL OR NEW.{c} IS OLD.{c})" for c in NULLABLE_REFERENCES
)
SQLITE_FORWARD = [
    f"""CREATE TRIGGER IF NOT EXISTS moderation_action_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'moderation log is append-only: DELETE refused'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS moderation_action_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT ({_sqlite_unchanged} AND {_sqlite_only_nulled})
    BEGIN SELECT RAISE(ABORT, 'moderation log is append-only: UPDATE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS moderation_action_no_delete;",
    "DROP TRIGGER IF EXISTS moderation_action_no_update;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_reports_audit_log_safety")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
