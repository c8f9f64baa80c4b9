"""Applications as the Application API stores them, and the recruiter moving them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction

from partner.sandbox.models import (
    CandidateStatus,
    SandboxAttachment,
    SandboxCandidate,
    SandboxJob,
    SandboxPartner,
)
from partner.sandbox.state import sandbox_now
from partner.sandbox.validation import Checked

# Stored as SandboxAttachment rows, not in the candidate's payload.
_FILE_KEYS = ("resume", "avatar", "attachments")


@dataclass(frozen=True)
class Submission:
    candidate: SandboxCandidate
    created: bool


@transaction.atomic
def submit_application(*, job: SandboxJob, partner: SandboxPartner, checked: Checked) -> Submission:
    """Store a validated application (check 11: a repeat returns the first one's ids)."""
    body = checked.body
    email_key = body["email"].strip().lower()
    last_name_key = body["lastName"].strip().lower()
    # Lock the job row so two concurrent repeats cannot both create an application.
    SandboxJob.objects.select_for_update().filter(pk=job.pk).first()
    person = SandboxCandidate.objects.filter(email_key=email_key, last_name_key=last_name_key)
    existing = person.filter(job=job).first()
    if existing is not None:
        return Submission(existing, created=False)
    now = sandbox_now()
    candidate = SandboxCandidate.objects.create(
        job=job,
        partner=partner,
        candidate_id=person.values_list("candidate_id", flat=True).first() or uuid.uuid4(),
        email_key=email_key,
        last_name_key=last_name_key,
        first_name=body["firstName"].strip(),
        last_name=body["lastName"].strip(),
        email=body["email"].strip(),
        phone_number=str(body.get("phoneNumber") or "")[:100],
        payload={key: value for key, value in body.items() if key not in _FILE_KEYS},
        answers=body.get("answers", []),
        consent_decisions=body.get("consentDecisions") or {},
        created_at=now,
        status_changed_at=now,
    )
    SandboxAttachment.objects.bulk_create(
        SandboxAttachment(
            candidate=candidate,
            kind=f.kind,
            file_name=f.file_name[:300],
            mime_type=f.mime_type[:150],
            detected_type=f.detected_type,
            size=len(f.content),
            content=f.content,
        )
        for f in checked.files
    )
    return Submission(candidate, created=True)


@transaction.atomic
def set_candidate_status(*, candidate: SandboxCandidate | int, status: str) -> SandboxCandidate:
    """A recruiter moves the application; any move is allowed (application-api.md §5)."""
    valid = set(CandidateStatus.values)
    if status not in valid:
        raise ValueError(f"Unknown status {status!r}; one of {sorted(valid)}")
    pk = candidate if isinstance(candidate, int) else candidate.pk
    row = SandboxCandidate.objects.select_for_update().get(pk=pk)
    row.status = status
    row.status_changed_at = sandbox_now()
    row.save(update_fields=["status", "status_changed_at"])
    return row
