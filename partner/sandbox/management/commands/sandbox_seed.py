"""Fill the sandbox feed with realistic postings (deterministic per --seed)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from partner.sandbox.models import SandboxPosting
from partner.sandbox.seeding import seed_sandbox


class Command(BaseCommand):
    help = "Create N Pending postings (with companies, offers and forms) in the sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--postings", type=int, required=True)
        parser.add_argument("--companies", type=int, default=None)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when postings exist already."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and SandboxPosting.objects.exists():
            self.stdout.write("Sandbox already has postings; not seeding.")
            return
        started = time.monotonic()
        summary = seed_sandbox(
            postings=options["postings"], companies=options["companies"], seed=options["seed"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.postings} postings over {summary.companies} companies "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
