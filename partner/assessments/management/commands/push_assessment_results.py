"""``manage.py push_assessment_results``: drain pending result pushes now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from partner.assessments.pushes import pushes_drain


class Command(BaseCommand):
    help = "Send every due assessment result push to SmartRecruiters and print a summary."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = pushes_drain(limit=options["limit"])
        summary = ", ".join(f"{state}: {n}" for state, n in sorted(counts.items())) or "nothing due"
        self.stdout.write(f"Result pushes: {summary}")
