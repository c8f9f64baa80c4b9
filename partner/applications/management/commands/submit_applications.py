"""Send every pending application now (also what the sweeper does, without Celery)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from partner.applications.services.submission import submissions_drain


class Command(BaseCommand):
    help = "Drain pending application submissions to SmartRecruiters."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = submissions_drain()
        self.stdout.write(
            "sent {sent}, to retry later {retry}, failed {failed}, "
            "taken by another worker {skipped}, "
            "paused (SmartRecruiters locked our traffic) {paused}".format(**counts)
        )
