"""Show or advance the sandbox's simulated clock (expiry moves postings to toUnpost)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from partner.sandbox.services import advance_clock, sandbox_now


class Command(BaseCommand):
    help = "Advance the sandbox clock by N days (prints the sandbox time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--advance-days", type=float, default=0.0)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["advance_days"]
        now = advance_clock(days=days) if days else sandbox_now()
        self.stdout.write(f"Sandbox time: {now.isoformat()}")
