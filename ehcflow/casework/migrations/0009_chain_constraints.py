"""Every log row now has its link: make the links required and unique, and put back the
append-only triggers, closing the two ways round them that the security probe found.

- SQLite: `INSERT OR REPLACE` / `REPLACE INTO` delete a clashing row without firing the
  delete trigger. A BEFORE INSERT trigger now refuses any insert that clashes with an
  existing id, public id or sequence number, so REPLACE has nothing to replace.
- PostgreSQL: row triggers do not see TRUNCATE. A statement-level BEFORE TRUNCATE trigger
  now refuses it (the runtime role also lacks the privilege: `ehcflow audit runtime-role`).
- Both: a row may be deleted only once `ehcflow.audit.disposal` has recorded its disposal
  (same log, sequence number and hash), so retention can remove rows and nothing else can.
"""

import uuid

from django.db import migrations, models

LOGS = {"casework_caseevent": ("case_event", "case events are append-only"),
        "casework_recordaccess": ("record_access", "the access log is append-only")}
DISPOSED = ("SELECT 1 FROM audit_disposal d WHERE d.log = '{log}' AND d.seq = OLD.seq "
            "AND d.row_hash = OLD.chain_hash")


def sqlite_statements(table: str, log: str, message: str) -> list[str]:
    abort = f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} {abort}",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"WHEN NOT EXISTS ({DISPOSED.format(log=log)}) {abort}",
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
        f"OR EXISTS (SELECT 1 FROM {table} WHERE public_id = NEW.public_id) "
        f"OR EXISTS (SELECT 1 FROM {table} WHERE seq = NEW.seq) {abort}",
    ]


def postgres_statements(table: str, log: str, message: str) -> list[str]:
    return [
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' AND EXISTS ({DISPOSED.format(log=log)}) THEN RETURN OLD; "
        f"END IF; RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql;",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only();",
        "CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$ "
        "DECLARE found boolean; BEGIN "
        "EXECUTE 'SELECT EXISTS (SELECT 1 FROM ' || quote_ident(TG_TABLE_SCHEMA) || '.' "
        "|| quote_ident(TG_TABLE_NAME) || ')' INTO found; "
        # Emptying an empty log erases nothing (Django's test flush empties every table).
        "IF found THEN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME "
        "|| ' is append-only and cannot be truncated'; END IF; RETURN NULL; END; "
        "$$ LANGUAGE plpgsql;",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();",
    ]


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for table, (log, message) in LOGS.items():
        if vendor == "sqlite":
            statements = sqlite_statements(table, log, message)
        elif vendor == "postgresql":
            statements = postgres_statements(table, log, message)
        else:
            statements = []
        for statement in statements:
            schema_editor.execute(statement)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for table in LOGS:
        if vendor == "sqlite":
            for name in ("no_update", "no_delete", "no_replace"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name};")
        elif vendor == "postgresql":
            for name in ("append_only", "no_truncate"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table};")


class Migration(migrations.Migration):
    dependencies = [("casework", "0008_chain_backfill")]

    operations = [
        migrations.AlterField(
            model_name="caseevent", name="seq",
            field=models.BigIntegerField(editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="caseevent", name="chain_hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="recordaccess", name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="recordaccess", name="seq",
            field=models.BigIntegerField(editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="recordaccess", name="chain_hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.RunPython(install, remove),
    ]
