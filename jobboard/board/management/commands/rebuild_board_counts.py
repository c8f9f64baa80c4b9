"""Recount the board's kept facet counts from the live listings (after a bulk load)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from jobboard.board import recount


class Command(BaseCommand):
    help = "Recount the facet counts the board keeps, from the live listings."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            rows = recount.rebuild()
        self.stdout.write(f"{rows} facet count rows written")
