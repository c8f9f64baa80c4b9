"""Reads: the feed as SR evaluates it, jobs and candidates, the journal, console lists."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from partner.sandbox.models import (
    POSTING_CONTENT_FIELDS,
    JournalEntry,
    PostingStatus,
    SandboxAttachment,
    SandboxCandidate,
    SandboxCompany,
    SandboxJob,
    SandboxPartner,
    SandboxPosting,
)
from partner.sandbox.state import sandbox_now

# SR's documented window for a list without `updatedAfter` (job-board-api.md §2).
DEFAULT_WINDOW_DAYS = 30


def feed_postings(
    *,
    partner: SandboxPartner,
    statuses: list[str] | None,
    updated_after: datetime | None,
    now: datetime | None = None,
    window_days: float = DEFAULT_WINDOW_DAYS,
) -> QuerySet[SandboxPosting]:
    """The filtered, ordered feed of one partner, evaluated against the current state.

    job-board-api.md §2: no ``status`` means ``Pending``; ``updatedAfter`` selects postings
    *created* after it (SR: "List postings created after the specified date"); without it
    only postings created in the last ``window_days`` are listed, whatever the status
    filter (switch ``creation_window_days``, 0 = no window).
    """
    postings = SandboxPosting.objects.filter(partner=partner)
    if statuses is None:
        postings = postings.filter(status=PostingStatus.PENDING)
    elif len(statuses) == 1:
        postings = postings.filter(status=statuses[0])
    else:
        postings = postings.filter(status__in=statuses)
    if updated_after is not None:
        postings = postings.filter(posted_date__gt=updated_after)
    elif window_days:
        cutoff = (now or sandbox_now()) - timedelta(days=window_days)
        postings = postings.filter(posted_date__gte=cutoff)
    return postings.order_by("posted_date", "id")


def feed_page(
    *, postings: QuerySet[SandboxPosting], offset: int, limit: int
) -> tuple[list[Any], int]:
    """One page and the total. Paged as a "deferred join": the ids of the page first (an
    index-only scan over the feed indexes, cheap even at offset 90,000), then the rows of
    just those ids with their job and company, instead of joining every skipped row."""
    total = postings.count()
    if limit == 0 or offset >= total:
        return [], total
    ids = list(postings.values_list("id", flat=True)[offset : offset + limit])
    # Plain rows, not models: building 300 model instances per page cost more than the
    # queries. ``render_posting`` reads them through the same attribute names.
    rows = {
        row["id"]: _feed_row(row)
        for row in SandboxPosting.objects.filter(id__in=ids).values(*_FEED_COLUMNS)
    }
    return [rows[i] for i in ids if i in rows], total


_FEED_COLUMNS = (
    "id",
    "job_id",
    "job__uuid",
    "company__sr_id",
    "company__name",
    "company__identifier",
    "status",
    "name",
    *POSTING_CONTENT_FIELDS,
    "posted_date",
)


def _feed_row(row: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(
        job=SimpleNamespace(uuid=row.pop("job__uuid")),
        company=SimpleNamespace(
            sr_id=row.pop("company__sr_id"),
            name=row.pop("company__name"),
            identifier=row.pop("company__identifier"),
        ),
        **row,
    )


def posting_for_partner(*, partner: SandboxPartner, posting_id: str) -> SandboxPosting | None:
    if not posting_id.isdigit() or len(posting_id) > 18:
        return None
    return (
        SandboxPosting.objects.select_related("job", "company", "offer")
        .filter(partner=partner, id=int(posting_id))
        .first()
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None


def job_for_partner(*, partner: SandboxPartner, job_uuid: str) -> SandboxJob | None:
    if _uuid(job_uuid) is None:
        return None
    return (
        SandboxJob.objects.select_related("company").filter(partner=partner, uuid=job_uuid).first()
    )


def job_is_closed(*, job: SandboxJob) -> bool:
    """Closed = every feed posting of the job is toUnpost or Inactive (a sandbox rule)."""
    return not job.postings.exclude(
        status__in=(PostingStatus.TO_UNPOST, PostingStatus.INACTIVE)
    ).exists()


def candidate_for_job(*, job: SandboxJob, candidate_id: str) -> SandboxCandidate | None:
    if _uuid(candidate_id) is None:
        return None
    return SandboxCandidate.objects.filter(job=job, candidate_id=candidate_id).first()


def journal_entries(
    *,
    endpoint: str | None = None,
    method: str | None = None,
    path_prefix: str | None = None,
    status: int | None = None,
    limit: int | None = None,
) -> list[JournalEntry]:
    """Journal rows, newest first. ``endpoint`` matches a name or a prefix (``"feed"``)."""
    entries = JournalEntry.objects.all().order_by("-id")
    if endpoint:
        entries = entries.filter(endpoint=endpoint) | entries.filter(
            endpoint__startswith=f"{endpoint}."
        )
    if method:
        entries = entries.filter(method=method.upper())
    if path_prefix:
        entries = entries.filter(path__startswith=path_prefix)
    if status is not None:
        entries = entries.filter(status=status)
    return list(entries[:limit] if limit else entries)


def companies_with_counts() -> QuerySet[SandboxCompany]:
    """For the console: companies with how many postings and jobs each has."""
    return SandboxCompany.objects.annotate(
        posting_count=Count("postings", distinct=True), job_count=Count("jobs", distinct=True)
    ).order_by("name")


def postings_for_console(
    *, company: SandboxCompany | None = None, status: str | None = None
) -> QuerySet[SandboxPosting]:
    postings = SandboxPosting.objects.select_related("job", "company", "offer", "partner")
    if company is not None:
        postings = postings.filter(company=company)
    if status:
        postings = postings.filter(status=status)
    return postings.annotate(
        has_candidates=Exists(SandboxCandidate.objects.filter(job=OuterRef("job")))
    ).order_by("-posted_date", "-id")


def candidates_for_console(*, job: SandboxJob | None = None) -> QuerySet[SandboxCandidate]:
    candidates = SandboxCandidate.objects.select_related("job", "job__company").prefetch_related(
        Prefetch("attachments", queryset=SandboxAttachment.objects.defer("content"))
    )
    if job is not None:
        candidates = candidates.filter(job=job)
    return candidates.order_by("-created_at", "-id")
