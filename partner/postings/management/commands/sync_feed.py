from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from partner.postings.sync import reconcile_feed, run_sync_pass


class Command(BaseCommand):
    help = "Run one full pass over the SmartRecruiters feed and print a summary."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reconcile",
            action="store_true",
            help="Also compare live listings with SmartRecruiters' Active postings.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = run_sync_pass()
        self.stdout.write(summary.as_text())
        if summary.locked_out:
            return
        if not summary.ok:
            # Non-zero exit: SmartRecruiters could not be read.
            raise CommandError(f"the feed could not be read: {summary.error}")
        if options["reconcile"]:
            result = reconcile_feed()
            self.stdout.write(result.as_text())
            if not result.ok and not result.locked_out:
                raise CommandError(f"reconciliation failed: {result.error}")
