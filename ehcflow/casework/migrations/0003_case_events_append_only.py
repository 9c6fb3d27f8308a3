"""Case events (and the access log) are append-only: the database refuses changes.

A rule in Python alone can be bypassed by a bulk update or a console session; a trigger
cannot. Both engines we support get the same guarantee.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER casework_caseevent_no_update BEFORE UPDATE ON casework_caseevent
    BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
    """,
    """
    CREATE TRIGGER casework_caseevent_no_delete BEFORE DELETE ON casework_caseevent
    BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS casework_caseevent_no_update;",
    "DROP TRIGGER IF EXISTS casework_caseevent_no_delete;",
]
POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION casework_caseevent_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'case events are append-only'; END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER casework_caseevent_append_only BEFORE UPDATE OR DELETE
    ON casework_caseevent FOR EACH ROW EXECUTE FUNCTION casework_caseevent_append_only();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS casework_caseevent_append_only ON casework_caseevent;",
    "DROP FUNCTION IF EXISTS casework_caseevent_append_only();",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
