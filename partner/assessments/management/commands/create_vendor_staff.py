"""``manage.py create_vendor_staff EMAIL``: a member of the vendor's staff, ready to work.

Adds the user to the "Assessment staff" group (every permission of the assessments app,
nothing else). Asks for a password on a terminal; with ``--no-input`` the account gets
none and ``manage.py changepassword`` sets it later.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partner.assessments.errors import ServiceError
from partner.assessments.staff import vendor_staff_add


class Command(BaseCommand):
    help = "Create a vendor staff member (or add an existing user) in the Assessment staff group."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--username", default="", help="Default: the part before the @")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--no-input", action="store_true", help="Ask for nothing; no password is set"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if not options["no_input"] and sys.stdin.isatty():
            password = getpass.getpass("Password (empty: set it later): ") or None
            if password and getpass.getpass("Password again: ") != password:
                raise CommandError("The passwords differ; nothing was changed.")
        try:
            member = vendor_staff_add(
                email=options["email"],
                username=options["username"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                password=password,
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        user = member.user
        verb = "Created" if member.created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {user.get_username()} <{user.email}>: "
                "staff, in the Assessment staff group."
            )
        )
        if not member.has_password:
            self.stdout.write(
                f"No password yet: run `manage.py changepassword {user.get_username()}`, "
                "then the member logs in at /admin/."
            )
