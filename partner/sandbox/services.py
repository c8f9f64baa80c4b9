"""What SmartRecruiters does on its side: postings and their lifecycle, the clock,
applications and their status, switches, reset. Writes only; reads are in selectors.py
(``journal_entries`` and ``seed_sandbox`` are re-exported here: the agreed test API).

The console, the control API, the management commands, the API views and tests all call
these functions, so each rule lives in one place.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from partner.sandbox import fixtures_data
from partner.sandbox.models import (
    CandidateStatus,
    JournalEntry,
    PostingStatus,
    SandboxAttachment,
    SandboxCandidate,
    SandboxCompany,
    SandboxJob,
    SandboxOffer,
    SandboxPartner,
    SandboxPosting,
    SandboxPostingEvent,
    SandboxState,
)
from partner.sandbox.ratelimit import limiter
from partner.sandbox.seeding import seed_sandbox
from partner.sandbox.selectors import journal_entries
from partner.sandbox.state import (
    SwitchError,
    get_switches,
    reserve_feed_ids,
    reset_switches,
    sandbox_now,
    set_switches,
    shift_clock,
)
from partner.sandbox.validation import Checked

__all__ = [
    "PostingStateError",
    "SwitchError",
    "TransitionError",
    "advance_clock",
    "create_company",
    "create_posting",
    "ensure_partner",
    "expire_due_postings",
    "get_switches",
    "journal_entries",
    "remove_posting",
    "repost_posting",
    "reset_sandbox",
    "reset_switches",
    "sandbox_now",
    "seed_sandbox",
    "set_candidate_status",
    "set_switches",
    "submit_application",
    "update_posting_status",
]

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
ALLOWED_PUTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(ON_BOARD, PARTNER_STATUSES),
    **dict.fromkeys(OFF_BOARD, (PostingStatus.INACTIVE, PostingStatus.ERROR)),
}


class PostingStateError(ValueError):
    """An SR-side action that the posting's current status does not allow."""


class TransitionError(ValueError):
    """A partner PUT refused by the §5 table; ``code`` is the Marketplace error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# ---------------------------------------------------------------------------
# Partners and companies
# ---------------------------------------------------------------------------
def ensure_partner(*, token: str | None = None, name: str = "Demo job board") -> SandboxPartner:
    """The partner holding ``token`` (default: the demo key), created if missing."""
    token = token or settings.SANDBOX_DEMO_PARTNER_TOKEN
    partner, _ = SandboxPartner.objects.get_or_create(token=token, defaults={"name": name})
    return partner


def create_partner(*, name: str) -> SandboxPartner:
    """A new partner with a fresh 64-character key."""
    return SandboxPartner.objects.create(name=name, token=secrets.token_hex(32))


def _company_defaults(name: str) -> dict[str, Any]:
    slug = slugify(name) or "company"
    website = f"https://{slug}.example"
    return {
        "identifier": slug.replace("-", "") or "company",
        "website": website,
        "privacy_policy_url": f"{website}/privacy",
        "imprint_url": f"{website}/imprint",
        "description_html": f"<p>{name} is a great place to work.</p>",
    }


def create_company(*, name: str, sr_id: str | None = None, **fields: Any) -> SandboxCompany:
    """The company called ``name``, created with realistic defaults if missing."""
    existing = SandboxCompany.objects.filter(name=name).first()
    if existing is not None:
        return existing
    values = {**_company_defaults(name), **fields}
    sr_id = sr_id or str(12_379_000 + SandboxCompany.objects.count() * 7 + 433)
    while SandboxCompany.objects.filter(sr_id=sr_id).exists():
        sr_id = str(int(sr_id) + 1)
    return SandboxCompany.objects.create(name=name, sr_id=sr_id, **values)


# ---------------------------------------------------------------------------
# Postings
# ---------------------------------------------------------------------------
def _event(
    posting: SandboxPosting,
    *,
    actor: str,
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
    city = fixtures_data.CITIES[0]
    return {
        "ref_number": "",
        "location": {
            "city": city[0],
            "region": city[1],
            "regionCode": city[2],
            "country": city[3],
            "countryCode": city[4],
            "latitude": city[5],
            "longitude": city[6],
        },
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


_CONTENT_FIELDS = (
    "ref_number",
    "location",
    "compensation",
    "industry",
    "function",
    "experience_level",
    "type_of_employment",
    "job_ad",
    "creator",
)


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
    posting_period: int | None = 30,
    configuration: dict | None = None,
    configuration_template: str = "standard",
    posted_date: datetime | None = None,
    feed_id: int | None = None,
    job_uuid: uuid.UUID | str | None = None,
    **fields: Any,
) -> SandboxPosting:
    """A customer posts a job through the partner's offer: a new ``Pending`` feed posting.

    ``fields`` may set any content field (``ref_number``, ``location``, ``compensation``,
    ``industry``, ``function``, ``experience_level``, ``type_of_employment``, ``job_ad``,
    ``creator``). ``posting_period=None`` makes an offer without ``postingPeriod``.
    """
    unknown = set(fields) - set(_CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown posting fields: {sorted(unknown)}")
    if configuration_template not in fixtures_data.CONFIGURATIONS:
        raise ValueError(f"Unknown configuration template {configuration_template!r}")
    partner = partner or ensure_partner()
    company = company or create_company(name=company_name)
    now = sandbox_now()
    posted = posted_date or now
    offer = SandboxOffer.objects.create(
        offer_id=secrets.token_hex(12),
        partner=partner,
        company=company,
        catalog_id=f"post-{posting_period or 30}d",
        name=f"{posting_period or 30} Day Job Posting",
        description=f"One job for {posting_period or 30} days",
        posting_period=posting_period,
        contract_login=(contract_login or f"{company.identifier}-hr") if with_contract else "",
        contract_password=(contract_password or secrets.token_urlsafe(9)) if with_contract else "",
        target_market={"industries": [], "functions": [], "experienceLevels": [], "locations": []},
        availability={"industries": [], "locations": [], "companies": [company.name]},
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
    content = {**_default_content(name, company), **fields}
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
        expires_at=posted + timedelta(days=posting_period or 30),
        **content,
    )
    _event(posting, actor=SandboxPostingEvent.Actor.SR, from_status="", note="Posted", at=posted)
    return posting


def _to_unpost(posting: SandboxPosting, *, actor: str, note: str) -> None:
    previous = posting.status
    posting.status = PostingStatus.TO_UNPOST
    posting.last_modified = sandbox_now()
    posting.save(update_fields=["status", "last_modified"])
    _event(posting, actor=actor, from_status=previous, note=note)


@transaction.atomic
def remove_posting(*, posting: SandboxPosting | int) -> SandboxPosting:
    """The customer removes the job from the partner's board: → ``toUnpost``."""
    posting = _locked(posting)
    if posting.status not in ON_BOARD:
        raise PostingStateError(f"Posting {posting.id} is {posting.status}; nothing to remove")
    _to_unpost(posting, actor=SandboxPostingEvent.Actor.SR, note="Removed by the customer")
    return posting


@transaction.atomic
def repost_posting(*, posting: SandboxPosting | int, **changes: Any) -> SandboxPosting:
    """Edit and repost: a new ``Pending`` posting (new id, same uuid); the old → ``toUnpost``.

    ``changes`` may set ``name`` and any content field.
    """
    old = _locked(posting)
    unknown = set(changes) - {"name", *_CONTENT_FIELDS}
    if unknown:
        raise TypeError(f"Unknown posting fields: {sorted(unknown)}")
    now = sandbox_now()
    period = old.offer.posting_period or 30
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
        expires_at=now + timedelta(days=period),
        **{f: changes.get(f, getattr(old, f)) for f in _CONTENT_FIELDS},
    )
    _event(new, actor=SandboxPostingEvent.Actor.SR, from_status="", note=f"Repost of {old.id}")
    if old.status in ON_BOARD:
        _to_unpost(old, actor=SandboxPostingEvent.Actor.SR, note=f"Replaced by {new.id}")
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    return new


def _locked(posting: SandboxPosting | int) -> SandboxPosting:
    pk = posting if isinstance(posting, int) else posting.pk
    return SandboxPosting.objects.select_for_update().select_related("offer").get(pk=pk)


@transaction.atomic
def update_posting_status(
    *,
    posting: SandboxPosting | int,
    status: Any,
    live_url: Any = None,
    comment: Any = None,
    switches: dict[str, Any] | None = None,
) -> SandboxPosting:
    """The partner's ``PUT /feed/publications/{id}``, judged by the §5 table."""
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
    _event(posting, actor=SandboxPostingEvent.Actor.PARTNER, from_status=previous)
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
            actor=SandboxPostingEvent.Actor.CLOCK,
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


def advance_clock(*, days: object) -> datetime:
    """Move the sandbox clock forward (or back) and expire what has become due.

    ``days`` may come straight from a control call's JSON: anything but a number is refused.
    """
    if not isinstance(days, int | float) or isinstance(days, bool):
        raise ValueError("days must be a number")
    now = shift_clock(delta=timedelta(days=days))
    expire_due_postings(now=now)
    return now


# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------
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
    existing = SandboxCandidate.objects.filter(
        job=job, email_key=email_key, last_name_key=last_name_key
    ).first()
    if existing is not None:
        return Submission(existing, created=False)
    person = (
        SandboxCandidate.objects.filter(email_key=email_key, last_name_key=last_name_key)
        .values_list("candidate_id", flat=True)
        .first()
    )
    now = sandbox_now()
    stored = {
        key: value for key, value in body.items() if key not in ("resume", "avatar", "attachments")
    }
    candidate = SandboxCandidate.objects.create(
        job=job,
        partner=partner,
        candidate_id=person or uuid.uuid4(),
        email_key=email_key,
        last_name_key=last_name_key,
        first_name=body["firstName"].strip(),
        last_name=body["lastName"].strip(),
        email=body["email"].strip(),
        phone_number=str(body.get("phoneNumber") or "")[:100],
        payload=stored,
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
def set_candidate_status(*, candidate: SandboxCandidate | int, status: object) -> SandboxCandidate:
    """A recruiter moves the application; any move is allowed (application-api.md §5).

    ``status`` may come straight from a control call's JSON: only a known status is taken.
    """
    valid = set(CandidateStatus.values)
    if status not in valid or not isinstance(status, str):
        raise ValueError(f"Unknown status {status!r}; one of {sorted(valid)}")
    pk = candidate if isinstance(candidate, int) else candidate.pk
    row = SandboxCandidate.objects.select_for_update().get(pk=pk)
    row.status = status
    row.status_changed_at = sandbox_now()
    row.save(update_fields=["status", "status_changed_at"])
    return row


# ---------------------------------------------------------------------------
# Reset
# ---------------------------------------------------------------------------
@transaction.atomic
def reset_sandbox() -> None:
    """Forget all SR-side data, switches and the clock. Partners (and their keys) stay."""
    SandboxAttachment.objects.all().delete()
    SandboxCandidate.objects.all().delete()
    SandboxPostingEvent.objects.all().delete()
    SandboxPosting.objects.all().delete()
    SandboxJob.objects.all().delete()
    SandboxOffer.objects.all().delete()
    SandboxCompany.objects.all().delete()
    JournalEntry.objects.all().delete()
    if apps.is_installed("partner.sandbox.assessments"):
        # Imported here: the assessment side builds on this module, not the reverse.
        from partner.sandbox.assessments.services import reset_assessments

        reset_assessments()
    SandboxState.objects.update_or_create(
        pk=1, defaults={"switches": {}, "clock_offset_seconds": 0.0}
    )
    transaction.on_commit(limiter.clear)
