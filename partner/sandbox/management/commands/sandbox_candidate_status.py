"""Move a sandbox application to another status, as a recruiter would."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partner.sandbox.models import SandboxCandidate
from partner.sandbox.services import set_candidate_status


class Command(BaseCommand):
    help = "Set the status of a sandbox candidate (by row id or candidate id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("candidate", help="Row id, or the candidate id (UUID)")
        parser.add_argument("status", help="NEW, IN_REVIEW, INTERVIEW, OFFER, HIRE, ...")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["candidate"]
        rows = (
            SandboxCandidate.objects.filter(pk=int(key))
            if key.isdigit()
            else SandboxCandidate.objects.filter(candidate_id=key)
        )
        if len(rows) != 1:
            raise CommandError(f"{len(rows)} candidates match {key!r}; give a row id")
        try:
            candidate = set_candidate_status(candidate=rows[0], status=options["status"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Candidate {candidate.pk} is now {candidate.status}.")
