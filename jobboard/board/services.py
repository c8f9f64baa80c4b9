"""Writes to the board. Sources of jobs call these; they never touch the models."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from jobboard.board.html import sanitize_html
from jobboard.board.models import Company, Listing

logger = logging.getLogger(__name__)

HTML_SECTIONS = (
    "company_description",
    "job_description",
    "qualifications",
    "additional_information",
)


class ListingRejected(ValueError):
    """The data cannot make a listing; the message says why, for the source to report."""


@dataclass(frozen=True, kw_only=True)
class ListingData:
    """Everything a source knows about a job, in the board's own words."""

    title: str
    company_name: str
    company_key: str
    posted_at: datetime
    job_key: str = ""
    reference: str = ""
    valid_through: datetime | None = None
    city: str = ""
    region: str = ""
    region_code: str = ""
    country: str = ""
    country_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    remote: bool = False
    function: str = ""
    function_code: str = ""
    industry: str = ""
    industry_code: str = ""
    experience_level: str = ""
    experience_level_code: str = ""
    employment_type: str = ""
    employment_type_code: str = ""
    salary_min: Decimal | None = None
    salary_max: Decimal | None = None
    salary_currency: str = ""
    salary_period: str = ""
    # Raw, untrusted HTML: sanitised here, never by the caller.
    company_description: str = ""
    job_description: str = ""
    qualifications: str = ""
    additional_information: str = ""
    video_url: str = ""
    apply_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _validate(data: ListingData) -> None:
    if not data.title.strip():
        raise ListingRejected("The job has no title")
    if not data.company_name.strip():
        raise ListingRejected("The job has no hiring company name")
    if data.salary_period and data.salary_period not in Listing.CompensationPeriod.values:
        raise ListingRejected(f"Unknown compensation period {data.salary_period!r}")
    if (
        data.salary_min is not None
        and data.salary_max is not None
        and data.salary_min > data.salary_max
    ):
        raise ListingRejected("The minimum salary is above the maximum")
    if len(data.country_code) not in (0, 2):
        raise ListingRejected(f"Country code {data.country_code!r} is not ISO 3166-1 alpha-2")


def live_url(listing: Listing) -> str:
    return f"{settings.SITE_URL}{listing.get_absolute_url()}"


@transaction.atomic
def publish_listing(*, source: str, external_id: str, data: ListingData) -> tuple[Listing, str]:
    """Create or update the listing for ``(source, external_id)`` and make it live.

    Idempotent: publishing the same data twice changes nothing visible. Returns the
    listing and its public URL. Raises ``ListingRejected`` for unusable data, before
    anything is written.
    """
    _validate(data)
    company, _ = Company.objects.update_or_create(
        source=source,
        external_id=data.company_key or slugify(data.company_name),
        defaults={"name": data.company_name.strip(), "slug": slugify(data.company_name)[:200]},
    )
    values = {
        f.name: getattr(data, f.name)
        for f in fields(ListingData)
        if f.name not in {"company_name", "company_key", "extra"}
    }
    for section in HTML_SECTIONS:
        values[section] = sanitize_html(values[section])
    values["title"] = data.title.strip()[:300]
    values["slug"] = slugify(data.title)[:120] or "job"
    values["country_code"] = data.country_code.lower()
    values["company"] = company

    listing = (
        Listing.objects.select_for_update().filter(source=source, external_id=external_id).first()
    )
    now = timezone.now()
    if listing is None:
        listing = Listing(source=source, external_id=external_id, state_changed_at=now, **values)
        listing.state = Listing.State.LIVE
        listing.save()
        logger.info("listing %s published (%s:%s)", listing.pk, source, external_id)
    else:
        for name, value in values.items():
            setattr(listing, name, value)
        if listing.state != Listing.State.LIVE:
            listing.state = Listing.State.LIVE
            listing.state_changed_at = now
        listing.save()
        logger.info("listing %s updated (%s:%s)", listing.pk, source, external_id)
    return listing, live_url(listing)


@transaction.atomic
def withdraw_listing(
    *, source: str, external_id: str, state: str = Listing.State.WITHDRAWN
) -> Listing | None:
    """Take a listing down; its page then answers 410 Gone. Idempotent.

    Returns the listing, or None when the source never published one under this key
    (which is fine: a posting may be withdrawn before we ever saw it live).
    """
    if state not in (Listing.State.WITHDRAWN, Listing.State.EXPIRED):
        raise ValueError(f"not a withdrawn state: {state!r}")
    listing = (
        Listing.objects.select_for_update().filter(source=source, external_id=external_id).first()
    )
    if listing is None:
        return None
    if listing.state == Listing.State.LIVE:
        listing.state = state
        listing.state_changed_at = timezone.now()
        listing.save(update_fields=["state", "state_changed_at", "updated_at"])
        logger.info("listing %s %s", listing.pk, state)
    return listing


def expire_listings(*, now: datetime | None = None) -> list[Listing]:
    """Close every live listing whose valid-through date has passed; returns them."""
    now = now or timezone.now()
    expired: list[Listing] = []
    for listing_id in Listing.objects.past_valid_through(now=now).values_list("id", flat=True):
        with transaction.atomic():
            listing = (
                Listing.objects.select_for_update()
                .filter(pk=listing_id, state=Listing.State.LIVE, valid_through__lte=now)
                .first()
            )
            if listing is None:
                continue
            listing.state = Listing.State.EXPIRED
            listing.state_changed_at = now
            listing.save(update_fields=["state", "state_changed_at", "updated_at"])
            expired.append(listing)
    if expired:
        logger.info("expired %d listings", len(expired))
    return expired
