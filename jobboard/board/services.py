"""Writes to the board. Sources of jobs call these; they never touch the models."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from jobboard.board import counts, search_index
from jobboard.board.html import sanitize_html
from jobboard.board.models import Company, Listing
from jobboard.board.signals import ListingChange, listing_changed
from jobboard.bulk_insert import insert_new
from jobboard.safeurl import http_link

logger = logging.getLogger(__name__)

HTML_SECTIONS = (
    "company_description",
    "job_description",
    "qualifications",
    "additional_information",
)


# The salary periods ListingData may name; a source maps its own values onto these.
SALARY_PERIODS: frozenset[str] = frozenset(Listing.CompensationPeriod.values)


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
    content_language: str = ""  # BCP 47 ("de", "pt-BR"); dropped when malformed
    extra: dict[str, str] = field(default_factory=dict)


def _validate(data: ListingData) -> None:
    if not data.title.strip():
        raise ListingRejected("The job has no title")
    if not data.company_name.strip():
        raise ListingRejected("The job has no hiring company name")
    if data.salary_period and data.salary_period not in SALARY_PERIODS:
        raise ListingRejected(f"Unknown compensation period {data.salary_period!r}")
    if (
        data.salary_min is not None
        and data.salary_max is not None
        and data.salary_min > data.salary_max
    ):
        raise ListingRejected("The minimum salary is above the maximum")
    if len(data.country_code) not in (0, 2):
        raise ListingRejected(f"Country code {data.country_code!r} is not ISO 3166-1 alpha-2")


# How many hours, months... make a year, to compare salaries quoted per hour, month or year.
PERIODS_PER_YEAR = {"YEAR": 1, "MONTH": 12, "HOUR": 2080}


def annual_salary(data: ListingData) -> Decimal | None:
    """The top of the salary range per year (the bottom when there is no top)."""
    amount = data.salary_max if data.salary_max is not None else data.salary_min
    if amount is None:
        return None
    return Decimal(amount) * PERIODS_PER_YEAR.get(data.salary_period or "YEAR", 1)


def refresh_search_vectors(*, listing_ids: list[int] | None = None) -> None:
    """Recompute the keyword index of some listings (all when ``None``): PostgreSQL's
    search vectors or SQLite's FTS5 rows, and the vocabulary for spelling suggestions."""
    search_index.refresh(listing_ids=listing_ids)


# A BCP 47 language tag as HTML's lang attribute takes it: a 2-3 letter language, then
# optional subtags ("de", "pt-BR", "zh-Hant-TW"). Anything else is not written to pages.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}")


def language_tag(value: str) -> str:
    value = value.strip().replace("_", "-")
    return value if len(value) <= 35 and _LANGUAGE_TAG.fullmatch(value) else ""


def live_url(listing: Listing) -> str:
    """The listing's public address, as a source reports it back (e.g. ``liveUrl``).

    The unprefixed address, whatever language is active: it never changes, and it sends
    each visitor to the page in their own language (jobboard/i18n.py).
    """
    with translation.override(settings.LANGUAGE_CODE):
        return f"{settings.SITE_URL}{listing.get_absolute_url()}"


def company_slug(data: ListingData) -> str:
    """The company's slug in /companies/<slug>/: from its name, never empty.

    A name of letters slugify drops (株式会社, "&") falls back to the company's key.
    """
    key = data.company_key or data.company_name
    fallback = slugify(key) or hashlib.sha256(key.encode()).hexdigest()[:12]
    return (slugify(data.company_name) or f"company-{fallback}")[:200]


def _listing_values(data: ListingData) -> dict[str, object]:
    """The listing's columns from a source's data: HTML sanitised, links checked."""
    values: dict[str, object] = {
        f.name: getattr(data, f.name)
        for f in fields(ListingData)
        if f.name not in {"company_name", "company_key", "extra"}
    }
    for section in HTML_SECTIONS:
        values[section] = sanitize_html(getattr(data, section))
    for link in ("video_url", "apply_url"):
        # Links from a source become hrefs on our pages: http(s) only.
        values[link] = http_link(getattr(data, link))
    values["title"] = data.title.strip()[:300]
    values["slug"] = slugify(data.title)[:120] or "job"
    values["country_code"] = data.country_code.lower()
    values["salary_annual"] = annual_salary(data)
    values["content_language"] = language_tag(data.content_language)
    return values


def _company_key(data: ListingData) -> str:
    return data.company_key or slugify(data.company_name)


def _companies(*, source: str, jobs: Sequence[ListingData]) -> dict[str, Company]:
    """The companies of some jobs by key, created or renamed as the jobs say: two
    queries for any number of jobs when nothing changed."""
    wanted = {
        _company_key(d): {"name": d.company_name.strip(), "slug": company_slug(d)} for d in jobs
    }
    found = {
        c.external_id: c for c in Company.objects.filter(source=source, external_id__in=wanted)
    }
    missing = [
        Company(source=source, external_id=key, **values)
        for key, values in wanted.items()
        if key not in found
    ]
    if missing:
        # Another writer may create one meanwhile: skip it, then read what exists.
        Company.objects.bulk_create(missing, ignore_conflicts=True)
        keys = [c.external_id for c in missing]
        found.update(
            (c.external_id, c) for c in Company.objects.filter(source=source, external_id__in=keys)
        )
    for key, values in wanted.items():
        company = found[key]
        if (company.name, company.slug) != (values["name"], values["slug"]):
            Company.objects.filter(pk=company.pk).update(**values)
            company.name, company.slug = values["name"], values["slug"]
    return found


@transaction.atomic
def publish_listing(*, source: str, external_id: str, data: ListingData) -> tuple[Listing, str]:
    """Create or update the listing for ``(source, external_id)`` and make it live.

    Idempotent: publishing the same data twice changes nothing visible. Returns the
    listing and its public URL. Raises ``ListingRejected`` for unusable data, before
    anything is written.
    """
    (outcome,) = publish_listings(source=source, jobs=[(external_id, data)])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


# A published job, or what kept it off the board: ``ListingRejected`` (its data is not a
# job), a ``DatabaseError`` or a number its data broke (``ArithmeticError``, ``ValueError``).
PublishOutcome = tuple[Listing, str] | Exception
_DATA_ERRORS = (DatabaseError, ArithmeticError, ValueError)


@transaction.atomic
def publish_listings(
    *, source: str, jobs: Sequence[tuple[str, ListingData]]
) -> list[PublishOutcome]:
    """``publish_listing`` for many jobs at once: a fixed number of queries per call.

    Returns, in order, ``(listing, url)`` or the error that kept a job off the board:
    ``ListingRejected`` (nothing written for it) or a database or number error its data
    caused (see ``PublishOutcome``).
    A feed pass publishes hundreds of jobs a minute; one by one, each cost eight queries.
    """
    outcomes: list[PublishOutcome | None] = [None] * len(jobs)
    ready: list[tuple[int, str, ListingData]] = []
    for index, (external_id, data) in enumerate(jobs):
        try:
            _validate(data)
        except ListingRejected as exc:
            outcomes[index] = exc
        else:
            ready.append((index, external_id, data))
    if len(ready) == 1:
        # One job: its error is its own, raised as publish_listing always did.
        index, external_id, data = ready[0]
        outcomes[index] = _publish_batch(source=source, jobs=[(external_id, data)])[0]
        return [o for o in outcomes if o is not None]
    if not ready:
        return [o for o in outcomes if o is not None]
    try:
        with transaction.atomic():
            published = _publish_batch(source=source, jobs=[(e, d) for _, e, d in ready])
    except _DATA_ERRORS:
        # One job's data broke the batch (a value too long, a number too big): publish
        # them one by one, each in its own savepoint, so the others still go live.
        logger.warning("a batch of %d listings failed; publishing one by one", len(ready))
        published = []
        for _, external_id, data in ready:
            try:
                with transaction.atomic():
                    published += _publish_batch(source=source, jobs=[(external_id, data)])
            except _DATA_ERRORS as exc:
                published.append(exc)
    for (index, _, _), outcome in zip(ready, published, strict=True):
        outcomes[index] = outcome
    return [o for o in outcomes if o is not None]


def _publish_batch(*, source: str, jobs: Sequence[tuple[str, ListingData]]) -> list[PublishOutcome]:
    """Write valid jobs: companies, listings, kept counts and search index, in bulk."""
    companies = _companies(source=source, jobs=[d for _, d in jobs])
    ids = [external_id for external_id, _ in jobs]
    existing = {
        listing.external_id: listing
        for listing in Listing.objects.select_for_update()
        .select_related("company")
        .filter(source=source, external_id__in=ids)
    }
    now = timezone.now()
    new: list[Listing] = []
    changed: list[Listing] = []
    moves: list[tuple[dict[str, object] | None, dict[str, object] | None]] = []
    listings: list[Listing] = []
    changes: list[ListingChange | None] = []
    for external_id, data in jobs:
        values = _listing_values(data)
        values["company"] = companies[_company_key(data)]
        listing = existing.get(external_id)
        if listing is None:
            listing = Listing(
                source=source, external_id=external_id, state_changed_at=now, **values
            )
            listing.state = Listing.State.LIVE
            new.append(listing)
            before = None
            change: ListingChange | None = ListingChange.PUBLISHED
        else:
            before = counts.snapshot(listing)
            change = ListingChange.UPDATED if _differs(listing, values) else None
            for name, value in values.items():
                setattr(listing, name, value)
            if listing.state != Listing.State.LIVE:
                listing.state = Listing.State.LIVE
                listing.state_changed_at = now
                change = ListingChange.PUBLISHED
            # bulk_update does not touch auto_now fields: the facet cache's change
            # marker must move all the same.
            listing.updated_at = now
            changed.append(listing)
        moves.append((before, counts.snapshot(listing)))
        listings.append(listing)
        changes.append(change)
    if new:
        insert_new(new)
    if changed:
        Listing.objects.bulk_update(changed, _UPDATED_FIELDS)
    counts.apply_many(moves)
    search_index.index_listings(listings)
    for listing in new:
        logger.info("listing %s published (%s:%s)", listing.pk, source, listing.external_id)
    for listing in changed:
        logger.info("listing %s updated (%s:%s)", listing.pk, source, listing.external_id)
    published: list[PublishOutcome] = []
    for listing, change in zip(listings, changes, strict=True):
        url = live_url(listing)
        if change is not None:
            # Only a real change: sources publish unchanged jobs again on every pass.
            listing_changed.send(sender=Listing, listing=listing, change=change, url=url)
        published.append((listing, url))
    return published


def _differs(listing: Listing, values: dict[str, object]) -> bool:
    """Whether writing ``values`` changes anything of ``listing`` (its company by id)."""
    for name, value in values.items():
        if name == "company":
            if listing.company_id != getattr(value, "pk", None):
                return True
        elif getattr(listing, name) != value:
            return True
    return False


# What publishing an existing listing writes: every column a source sets, and the state.
_SOURCE_FIELDS = [f.name for f in fields(ListingData)]
_UPDATED_FIELDS = list(
    dict.fromkeys(
        [
            *(
                name
                for name in _SOURCE_FIELDS
                if name not in {"company_name", "company_key", "extra"}
            ),
            *("slug", "salary_annual", "company", "state", "state_changed_at", "updated_at"),
        ]
    )
)


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
        before = counts.snapshot(listing)
        listing.state = state
        listing.state_changed_at = timezone.now()
        listing.save(update_fields=["state", "state_changed_at", "updated_at"])
        counts.apply(before=before, after=None)
        logger.info("listing %s %s", listing.pk, state)
        change = (
            ListingChange.EXPIRED if state == Listing.State.EXPIRED else ListingChange.WITHDRAWN
        )
        listing_changed.send(sender=Listing, listing=listing, change=change, url=live_url(listing))
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
            before = counts.snapshot(listing)
            listing.state = Listing.State.EXPIRED
            listing.state_changed_at = now
            listing.save(update_fields=["state", "state_changed_at", "updated_at"])
            counts.apply(before=before, after=None)
            listing_changed.send(
                sender=Listing,
                listing=listing,
                change=ListingChange.EXPIRED,
                url=live_url(listing),
            )
            expired.append(listing)
    if expired:
        logger.info("expired %d listings", len(expired))
    return expired
