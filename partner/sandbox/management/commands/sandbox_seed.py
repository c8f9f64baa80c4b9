"""Fill the sandbox feed with realistic postings (deterministic per --seed)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partner.sandbox.models import SandboxPosting
from partner.sandbox.seeding import MAX_COMPANIES, MAX_POSTINGS, SeedError, seed_sandbox


class Command(BaseCommand):
    help = "Create N Pending postings (with companies, offers and forms) in the sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--postings", type=int, required=True, help=f"1 to {MAX_POSTINGS:,} postings."
        )
        parser.add_argument(
            "--companies",
            type=int,
            default=None,
            help=f"1 to {MAX_COMPANIES:,} companies (default: one per four postings, up to 40).",
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when postings exist already."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["postings"] < 1:
            # Zero postings would only create companies: not what anyone asking for a feed wants.
            raise CommandError("--postings must be at least 1")
        if options["if_empty"] and SandboxPosting.objects.exists():
            self.stdout.write("Sandbox already has postings; not seeding.")
            return
        started = time.monotonic()
        try:
            summary = seed_sandbox(
                postings=options["postings"], companies=options["companies"], seed=options["seed"]
            )
        except SeedError as exc:
            raise CommandError(f"{exc}.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.postings} postings over {summary.companies} companies "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
