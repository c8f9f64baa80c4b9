"""Feed postings and their lifecycle (job-board-api.md §5): post, remove, repost, the
partner's status reports, and expiry on the sandbox clock."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet

from partner.sandbox import fixtures_data
from partner.sandbox.models import (
    POSTING_CONTENT_FIELDS,
    PostingStatus,
    SandboxJob,
    SandboxOffer,
    SandboxPosting,
    SandboxPostingEvent,
)
from partner.sandbox.render import city_location
from partner.sandbox.services.partners import create_company, ensure_partner
from partner.sandbox.state import Switches, get_switches, reserve_feed_ids, sandbox_now, shift_clock

if TYPE_CHECKING:
    from partner.sandbox.models import SandboxCompany, SandboxPartner

Actor = SandboxPostingEvent.Actor

# SR takes these to toUnpost (job-board-api.md §5).
ON_BOARD = (
    PostingStatus.PENDING,
    PostingStatus.UNDER_POSTING,
    PostingStatus.ACTIVE,
    PostingStatus.ERROR,
)
OFF_BOARD = (PostingStatus.TO_UNPOST, PostingStatus.INACTIVE)
PARTNER_STATUSES = (
    PostingStatus.UNDER_POSTING,
    PostingStatus.ACTIVE,
    PostingStatus.ERROR,
    PostingStatus.INACTIVE,
)
# The §5 table: what a partner may PUT, by current status.
ALLOWED_PUTS: dict[str, tuple[PostingStatus, ...]] = {
    **dict.fromkeys(ON_BOARD, PARTNER_STATUSES),
    **dict.fromkeys(OFF_BOARD, (PostingStatus.INACTIVE, PostingStatus.ERROR)),
}
DEFAULT_PERIOD_DAYS = 30  # what SR assumes when an offer has no postingPeriod


class PostingStateError(ValueError):
    """An SR-side action that the posting's current status does not allow."""


class TransitionError(ValueError):
    """A partner PUT refused by the §5 table; ``code`` is the Marketplace error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _event(
    posting: SandboxPosting,
    *,
    actor: Actor,
    from_status: str,
    note: str = "",
    at: datetime | None = None,
) -> SandboxPostingEvent:
    return SandboxPostingEvent.objects.create(
        posting=posting,
        actor=actor,
        from_status=from_status,
        to_status=posting.status,
        live_url=posting.live_url,
        comment=posting.comment,
        note=note,
        at=at or sandbox_now(),
    )


def _default_content(name: str, company: SandboxCompany) -> dict[str, Any]:
    return {
        "ref_number": "",
        "location": city_location(fixtures_data.CITIES[0]),
        "compensation": {},
        "industry": {"id": "computer_software", "label": "Computer Software"},
        "function": {"id": "engineering", "label": "Engineering"},
        "experience_level": {"id": "mid_senior_level", "label": "Mid-Senior Level"},
        "type_of_employment": {"id": "permanent", "label": "Full-time"},
        "job_ad": {
            "companyDescription": company.description_html,
            "jobDescription": f"<p>Join {company.name} as {name}.</p>",
            "qualifications": "<ul><li>Experience in a similar role</li></ul>",
            "additionalInformation": "<p>We look forward to your application.</p>",
        },
        "creator": {
            "firstName": "Jane",
            "lastName": "Roe",
            "email": f"jane.roe@{company.identifier}.example",
        },
    }


def _check_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown posting fields: {sorted(unknown)}")


@transaction.atomic
def create_posting(
    *,
    partner: SandboxPartner | None = None,
    name: str,
    company_name: str = "Acme Corp",
    company: SandboxCompany | None = None,
    with_contract: bool = False,
    contract_login: str = "",
    contract_password: str = "",
    posting_period: int | None = DEFAULT_PERIOD_DAYS,
    configuration: dict[str, Any] | None = None,
    configuration_template: str = "standard",
    posted_date: datetime | None = None,
    feed_id: int | None = None,
    job_uuid: uuid.UUID | str | None = None,
    **fields: Any,
) -> SandboxPosting:
    """A customer posts a job through the partner's offer: a new ``Pending`` feed posting.

    ``fields`` may set any content field (``POSTING_CONTENT_FIELDS``).
    ``posting_period=None`` makes an offer without ``postingPeriod``.
    """
    _check_fields(fields, set(POSTING_CONTENT_FIELDS))
    if configuration_template not in fixtures_data.CONFIGURATIONS:
        raise ValueError(f"Unknown configuration template {configuration_template!r}")
    partner = partner or ensure_partner()
    company = company or create_company(name=company_name)
    now = sandbox_now()
    posted = posted_date or now
    days = posting_period or DEFAULT_PERIOD_DAYS
    offer = SandboxOffer.objects.create(
        offer_id=secrets.token_hex(12),
        partner=partner,
        company=company,
        catalog_id=f"post-{days}d",
        name=f"{days} Day Job Posting",
        description=f"One job for {days} days",
        posting_period=posting_period,
        contract_login=(contract_login or f"{company.identifier}-hr") if with_contract else "",
        contract_password=(contract_password or secrets.token_urlsafe(9)) if with_contract else "",
        **SandboxOffer.market_fields(company_name=company.name),
        created_at=now,
        updated_at=now,
    )
    job = SandboxJob.objects.create(
        uuid=uuid.UUID(str(job_uuid)) if job_uuid else uuid.uuid4(),
        partner=partner,
        company=company,
        configuration_template="" if configuration is not None else configuration_template,
        configuration=configuration,
        created_at=now,
    )
    posting = SandboxPosting.objects.create(
        id=feed_id or reserve_feed_ids(count=1),
        job=job,
        partner=partner,
        company=company,
        offer=offer,
        status=PostingStatus.PENDING,
        name=name,
        posted_date=posted,
        last_modified=posted,
        expires_at=posted + timedelta(days=days),
        **{**_default_content(name, company), **fields},
    )
    _event(posting, actor=Actor.SR, from_status="", note="Posted", at=posted)
    return posting


def _locked(posting: SandboxPosting | int) -> SandboxPosting:
    pk = posting if isinstance(posting, int) else posting.pk
    return SandboxPosting.objects.select_for_update().select_related("offer").get(pk=pk)


def _to_unpost(posting: SandboxPosting, *, note: str) -> None:
    previous = posting.status
    posting.status = PostingStatus.TO_UNPOST
    posting.last_modified = sandbox_now()
    posting.save(update_fields=["status", "last_modified"])
    _event(posting, actor=Actor.SR, from_status=previous, note=note)


@transaction.atomic
def remove_posting(*, posting: SandboxPosting | int) -> SandboxPosting:
    """The customer removes the job from the partner's board: → ``toUnpost``."""
    posting = _locked(posting)
    if posting.status not in ON_BOARD:
        raise PostingStateError(f"Posting {posting.id} is {posting.status}; nothing to remove")
    _to_unpost(posting, note="Removed by the customer")
    return posting


@transaction.atomic
def repost_posting(*, posting: SandboxPosting | int, **changes: Any) -> SandboxPosting:
    """Edit and repost: a new ``Pending`` posting (new id, same uuid); the old → ``toUnpost``.

    ``changes`` may set ``name`` and any content field.
    """
    old = _locked(posting)
    _check_fields(changes, {"name", *POSTING_CONTENT_FIELDS})
    now = sandbox_now()
    new = SandboxPosting.objects.create(
        id=reserve_feed_ids(count=1),
        job=old.job,
        partner=old.partner,
        company=old.company,
        offer=old.offer,
        status=PostingStatus.PENDING,
        name=changes.get("name", old.name),
        posted_date=now,
        last_modified=now,
        expires_at=now + timedelta(days=old.offer.posting_period or DEFAULT_PERIOD_DAYS),
        **{f: changes.get(f, getattr(old, f)) for f in POSTING_CONTENT_FIELDS},
    )
    _event(new, actor=Actor.SR, from_status="", note=f"Repost of {old.id}")
    if old.status in ON_BOARD:
        _to_unpost(old, note=f"Replaced by {new.id}")
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    return new


@transaction.atomic
def update_posting_status(
    *,
    posting: SandboxPosting | int,
    status: Any,
    live_url: Any = None,
    comment: Any = None,
    switches: Switches | None = None,
) -> SandboxPosting:
    """The partner's ``PUT /feed/publications/{id}``, judged by the §5 table.

    ``status``, ``live_url`` and ``comment`` are the request's JSON values, checked here.
    """
    switches = switches or get_switches()
    posting = _locked(posting)
    if status in (PostingStatus.PENDING, PostingStatus.TO_UNPOST):
        raise TransitionError(
            "invalid_status_transition", f"Status {status} is set by SmartRecruiters only"
        )
    if status not in PARTNER_STATUSES:
        raise TransitionError(
            "invalid_request",
            "status must be one of UnderPosting, Active, Error, Inactive",
        )
    if live_url is not None and not isinstance(live_url, str):
        raise TransitionError("invalid_request", "liveUrl must be a string")
    if comment is not None and not isinstance(comment, str):
        raise TransitionError("invalid_request", "comment must be a string")
    if status == PostingStatus.ACTIVE and switches["require_live_url"] and not live_url:
        raise TransitionError("invalid_request", "liveUrl is required with status Active")
    allowed = ALLOWED_PUTS[posting.status]
    if switches["transition_checks"] and status not in allowed:
        raise TransitionError(
            "invalid_status_transition",
            f"Posting {posting.id} is {posting.status}; allowed: {', '.join(allowed)}",
        )
    previous = posting.status
    posting.status = status
    if live_url:
        posting.live_url = live_url
    if status == PostingStatus.ERROR:
        posting.comment = comment or ""
    posting.last_modified = sandbox_now()
    posting.save(update_fields=["status", "live_url", "comment", "last_modified"])
    _event(posting, actor=Actor.PARTNER, from_status=previous)
    return posting


def expire_due_postings(*, now: datetime | None = None) -> int:
    """Move postings past ``postedDate + postingPeriod`` (sandbox clock) to ``toUnpost``."""
    now = now or sandbox_now()
    due_postings = SandboxPosting.objects.filter(expires_at__lte=now, status__in=ON_BOARD)
    # Every feed and apply request calls this; usually nothing is due, and one indexed
    # EXISTS outside a transaction is cheaper than BEGIN, a locking SELECT and COMMIT.
    if not due_postings.exists():
        return 0
    return _expire(due_postings, now=now)


@transaction.atomic
def _expire(due_postings: QuerySet[SandboxPosting], *, now: datetime) -> int:
    due = list(due_postings.select_for_update().only("id", "status", "live_url", "comment"))
    if not due:
        return 0
    SandboxPostingEvent.objects.bulk_create(
        SandboxPostingEvent(
            posting=p,
            actor=Actor.CLOCK,
            from_status=p.status,
            to_status=PostingStatus.TO_UNPOST,
            live_url=p.live_url,
            note="Posting period ended",
            at=now,
        )
        for p in due
    )
    SandboxPosting.objects.filter(id__in=[p.id for p in due]).update(
        status=PostingStatus.TO_UNPOST, last_modified=now
    )
    return len(due)


def advance_clock(*, days: float) -> datetime:
    """Move the sandbox clock forward (or back) and expire what has become due."""
    if not isinstance(days, int | float) or isinstance(days, bool):
        raise ValueError("days must be a number")
    now = shift_clock(delta=timedelta(days=days))
    expire_due_postings(now=now)
    return now
