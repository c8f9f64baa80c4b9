"""Bring an instance to a runnable state; safe to run any number of times.

``make run`` calls this before starting the processes: migrate, collect static files,
create an admin user once (printing its password that one time), and seed the
sandbox with demo postings when it is enabled and empty.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, collect static files, create an admin user and seed demo data (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument("--admin-email", default="admin@example.com")
        parser.add_argument("--demo-postings", type=int, default=40)
        parser.add_argument("--skip-static", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        settings.PRIVATE_MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        if not options["skip_static"]:
            call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write("Static files collected.")
        self._ensure_admin(options["admin_username"], options["admin_email"])
        self._seed_sandbox(options["demo_postings"])

    def _ensure_admin(self, username: str, email: str) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin user exists already; its password is unchanged.")
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email=email, password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created admin user {username!r} with password {password!r} "
                "(shown once; change it in the admin)."
            )
        )

    def _seed_sandbox(self, count: int) -> None:
        # By command name, not by import: the project does not depend on the sandbox.
        if not settings.SANDBOX_ENABLED or "sandbox_seed" not in get_commands():
            return
        if count > 0:  # --demo-postings 0: a sandbox without demo postings
            call_command("sandbox_seed", postings=count, if_empty=True, stdout=self.stdout)
        if "seed_assessment_packages" in get_commands():
            call_command("seed_assessment_packages", stdout=self.stdout)
            self.stdout.write(
                "Assessment demo: once the server is up, run "
                "`make register` (or `.venv/bin/python manage.py "
                "register_assessment_partner`) to register our "
                "endpoints with the sandbox, then use /sandbox/assessments/."
            )
