"""`ehcflow audit verify|runtime-role`: the tamper-evident logs from the command line.

    ehcflow audit verify
    ehcflow audit runtime-role --role NAME [--print-sql]

`verify` walks the hash chains of the case events and the access log (decision 0008) and
exits 0 with a one-line summary, or 1 naming the first broken link of each broken log.
`runtime-role` creates or updates the PostgreSQL login role the site should run as (see
docs/operations/database-roles.md); run it as the owner after every `migrate`.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from ehcflow.audit import roles, verify


class Command(BaseCommand):
    help = "Check the audit logs' hash chains; set up the PostgreSQL runtime role."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True,
                                    parser_class=argparse.ArgumentParser)
        sub.add_parser("verify", help="check every link of the case-event and access logs")
        role = sub.add_parser("runtime-role",
                              help="create or update the PostgreSQL role the site runs as")
        role.add_argument("--role", required=True)
        role.add_argument("--print-sql", action="store_true",
                          help="print the statements instead of running them")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self.verify()
        else:
            self.runtime_role(options["role"], print_sql=options["print_sql"])

    def verify(self) -> None:
        results = verify.verify_all()
        broken = [str(r.broken) for r in results if r.broken is not None]
        if broken:
            raise CommandError("; ".join(text[0].upper() + text[1:] for text in broken) + ".")
        self.stdout.write(verify.summary(results))

    def runtime_role(self, role: str, *, print_sql: bool) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The runtime role is for PostgreSQL; this database is "
                               f"{connection.vendor}, which has no roles.")
        try:
            roles.check_role_name(role)
            roles.check_owns_nothing(connection, role)
        except roles.RoleError as error:
            raise CommandError(str(error)) from error
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        statements = roles.runtime_role_sql(role, database=connection.settings_dict["NAME"],
                                            tables=tables)
        if print_sql:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Role {role} may now read and write the service's tables, and only "
                          "read and append to the audit logs. Set its password with "
                          f"ALTER ROLE {role} PASSWORD '...' and run the site as it.")
