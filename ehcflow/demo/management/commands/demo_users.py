"""`ehcflow demo-users [--json]`: sign-in accounts for the demo, one per role.

Creates (or refreshes: running it again changes nothing) an account linked to a demo case
officer, team manager, head of service, educational psychologist, business support officer,
analyst and administrator, and a parent's account, and prints how to sign in. Runs only with
EHCFLOW_DEMO=1 and once the demo authority is loaded.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ehcflow.demo import users
from ehcflow.demo.management.commands.demo_data import refuse_without_flag


class Command(BaseCommand):
    help = ("Create the demo's sign-in accounts (one per role, linked to demo staff) and print "
            "them. Needs EHCFLOW_DEMO=1 and the demo loaded (ehcflow demo-data).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true",
                            help="print a JSON list of {username, password, role, team}")
        parser.add_argument("--url", default="http://127.0.0.1:8000/",
                            help="the address to sign in at, for the message")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_without_flag("demo-users", "creates sign-in accounts with known passwords")
        try:
            accounts = users.ensure_accounts()
        except users.NoDemo as missing:
            raise CommandError(str(missing)) from missing
        if options["json"]:
            self.stdout.write(json.dumps([a.as_dict() for a in accounts], indent=2))
            return
        self.stdout.write(f"Sign in at {options['url']} as any of these demo users:\n")
        width = max(len(a.username) for a in accounts)
        self.stdout.write(f"  {'role':<26} {'username':<{width}}  {'password':<19}  team")
        for a in accounts:
            role = a.role.replace("_", " ")
            self.stdout.write(f"  {role:<26} {a.username:<{width}}  {a.password:<19}  "
                              f"{a.team or '-'}")
