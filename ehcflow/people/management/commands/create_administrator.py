"""`ehcflow create-administrator`: the first administrator of a new installation.

Every other account is managed in the browser by an administrator; the first one has to come
from the server's command line. The account is created through people.services (so it is in
the account-change log, by "command line") with no password, and a set-password link is
e-mailed to the address given: the password is never typed on the command line.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from ehcflow.people import services
from ehcflow.people.models import Role


class Command(BaseCommand):
    help = ("Create an administrator account and e-mail them a link to set their password. "
            "For the first administrator; the rest are created in the browser.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--staff-id", required=True, help="the council's staff identifier")
        parser.add_argument("--name", required=True, help="their full name")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True, help="where the link is sent")
        parser.add_argument("--start-date", default=None,
                            help="YYYY-MM-DD (default: today)")
        parser.add_argument("--url", required=True,
                            help="the site's address, for the link (https://send.example.gov.uk/)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_email(options["email"])
        except ValidationError as error:
            raise CommandError("--email must be an email address") from error
        try:
            start = (date.fromisoformat(options["start_date"]) if options["start_date"]
                     else date.today())
        except ValueError as error:
            raise CommandError("--start-date must be a date like 2026-12-04") from error
        if not options["url"].startswith(("https://", "http://")):
            raise CommandError("--url must start with https://")
        details = services.AccountDetails(role=Role.ADMINISTRATOR, team=None,
                                          fte=Decimal("1.00"), end_date=None,
                                          email=options["email"])
        try:
            with transaction.atomic():  # no account without its link
                staff = services.create_account(
                    staff_ref=options["staff_id"], name=options["name"],
                    username=options["username"], start_date=start, details=details, by=None)
                services.send_set_password_link(staff, by=None, site_url=options["url"])
        except services.AccountError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError("The email could not be sent, so no account was created. "
                               "Check the EHCFLOW_EMAIL_* settings.") from error
        self.stdout.write(f"Administrator account {options['username']} created; a link to "
                          f"set its password was e-mailed to {options['email']}.")
