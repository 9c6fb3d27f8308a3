"""The PostgreSQL runtime role: what the running site may do, and nothing more.

The migration (owner) role owns every table and runs `migrate`; the site and the task worker
connect as a separate login role that owns nothing. It may read and write ordinary tables,
but on the append-only logs (case events, access log, disposal record) it may only SELECT
and INSERT: no UPDATE, DELETE, TRUNCATE or ALTER, which only an owner can do. The chain
heads it may also UPDATE (each append moves its head) but not delete. See
docs/operations/database-roles.md.
"""

from __future__ import annotations

import re

from django.db.backends.base.base import BaseDatabaseWrapper

#: Tables the runtime role may only read and append to.
APPEND_ONLY = ("casework_caseevent", "casework_recordaccess", "audit_disposal",
               "people_accountchange", "records_disposalrecord")
#: Tables the runtime role may read, append to and update, but never delete from.
NO_DELETE = ("audit_chainhead",)
#: Tables only the owner writes.
READ_ONLY = ("django_migrations",)

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class RoleError(ValueError):
    """The role cannot be made a runtime role; the message says why."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_role_name(role: str) -> None:
    if not ROLE_NAME.fullmatch(role):
        raise RoleError("A role name is lower-case letters, digits and underscores, "
                        "starting with a letter or underscore, at most 63 characters.")


def runtime_role_sql(role: str, *, database: str, tables: list[str]) -> list[str]:
    """The statements that create (if need be) and grant the runtime role `role`.

    Idempotent: run it again after every `migrate`, so that new tables are granted and the
    logs' privileges are taken back to SELECT and INSERT.
    """
    check_role_name(role)
    r = _quote(role)
    special = set(APPEND_ONLY) | set(NO_DELETE) | set(READ_ONLY)
    ordinary = sorted(t for t in tables if t not in special)
    present = set(tables)

    def names(group: tuple[str, ...] | list[str]) -> str:
        return ", ".join(_quote(t) for t in group if t in present)

    statements = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {r} LOGIN; END IF; END $$",
        f"ALTER ROLE {r} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
        f"GRANT CONNECT ON DATABASE {_quote(database)} TO {r}",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {r}",
    ]
    if ordinary:
        statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {names(ordinary)} TO {r}")
    for group, privileges in ((APPEND_ONLY, "SELECT, INSERT"),
                              (NO_DELETE, "SELECT, INSERT, UPDATE"),
                              (READ_ONLY, "SELECT")):
        if names(group):
            statements.append(f"GRANT {privileges} ON {names(group)} TO {r}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}")
    return statements


def check_owns_nothing(connection: BaseDatabaseWrapper, role: str) -> None:
    """Refuse a role that is a superuser, owns anything here, or is a member of an owner."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            return  # it will be created, owning nothing
        if found[0]:
            raise RoleError(f"{role} is a superuser: choose a role for the site alone.")
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = %s", [role])
        if cursor.fetchone()[0]:
            raise RoleError(f"{role} owns tables in this database: the runtime role must "
                            "own nothing (the owner can alter, truncate or drop the logs).")
        cursor.execute(
            "SELECT pg_has_role(%s, c.relowner, 'MEMBER') FROM pg_class c "
            "WHERE c.relname = 'casework_caseevent'", [role])
        member = cursor.fetchone()
        if member is not None and member[0]:
            raise RoleError(f"{role} is the owner of the tables or a member of it: choose a "
                            "role of its own for the site.")
