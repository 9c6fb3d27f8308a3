"""The hash chain's columns on the case events and the access log (decision 0008).

The append-only triggers are lifted here so that 0008 can fill the new columns of the rows
already written; 0009 puts back stronger ones. Run the three together (`migrate` does).
"""

import django.utils.timezone
from django.db import migrations, models

TABLES = ("casework_caseevent", "casework_recordaccess")
OLD_MESSAGES = {"casework_caseevent": "case events are append-only",
                "casework_recordaccess": "the access log is append-only"}


def lift_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for name in ("no_update", "no_delete", "no_replace"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name};")
        elif vendor == "postgresql":
            for name in ("append_only", "no_truncate"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table};")


def restore_old_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Backwards: the triggers of migrations 0003 and 0005 as they were."""
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        message = OLD_MESSAGES[table]
        if vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END;")
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql;")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only();")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0006_plan_officer"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(lift_triggers, restore_old_triggers),
        migrations.AddField(
            model_name="caseevent", name="seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="caseevent", name="chain_hash",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="recordaccess", name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="recordaccess", name="seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="recordaccess", name="chain_hash",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="caseevent", name="occurred_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AlterField(
            model_name="recordaccess", name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now,
                                       editable=False),
        ),
    ]
