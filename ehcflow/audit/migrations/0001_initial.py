"""The chain heads and the disposal record; the disposal record is append-only."""

from django.db import migrations, models

TABLE = "audit_disposal"
MESSAGE = "the disposal record is append-only"

SQLITE = [
    f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    # REPLACE deletes the clashing row without firing the delete trigger: refuse the clash.
    f"CREATE TRIGGER {TABLE}_no_replace BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) "
    f"OR EXISTS (SELECT 1 FROM {TABLE} WHERE log = NEW.log AND seq = NEW.seq) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
POSTGRES = [
    f"CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();",
    # Row triggers do not see TRUNCATE; a statement trigger does.
    "CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$ "
    "DECLARE found boolean; BEGIN "
    "EXECUTE 'SELECT EXISTS (SELECT 1 FROM ' || quote_ident(TG_TABLE_SCHEMA) || '.' "
    "|| quote_ident(TG_TABLE_NAME) || ')' INTO found; "
    # Emptying an empty log erases nothing (Django's test flush empties every table).
    "IF found THEN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME "
    "|| ' is append-only and cannot be truncated'; END IF; RETURN NULL; END; "
    "$$ LANGUAGE plpgsql;",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ("no_update", "no_delete", "no_replace"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name};")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_append_only();")


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("log", models.CharField(choices=[("case_event", "Case events"),
                                                  ("record_access", "Access log")],
                                         max_length=20, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="Disposal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("log", models.CharField(choices=[("case_event", "Case events"),
                                                  ("record_access", "Access log")],
                                         max_length=20)),
                ("seq", models.BigIntegerField()),
                ("row_hash", models.CharField(max_length=64)),
                ("row_public_id", models.UUIDField()),
                ("row_time", models.DateTimeField()),
                ("disposed_at", models.DateTimeField(auto_now_add=True)),
                ("disposed_by", models.CharField(max_length=150)),
                ("reason", models.CharField(max_length=300)),
            ],
            options={"ordering": ["log", "seq"]},
        ),
        migrations.AddConstraint(
            model_name="disposal",
            constraint=models.UniqueConstraint(fields=("log", "seq"), name="audit_disposal_once"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
