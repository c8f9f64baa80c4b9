"""Build (or rebuild) the keyword index of the newest listings now, as beat does hourly."""

from typing import Any

from django.core.management.base import BaseCommand

from jobboard.board import recent_index


class Command(BaseCommand):
    help = (
        "Keep the keyword index of the newest listings on the current days (after a bulk "
        "load, or to see what beat's hourly check would do)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        name = recent_index.refresh()
        self.stdout.write(
            f"recent keyword index: {name}" if name else "recent keyword index: none needed"
        )
