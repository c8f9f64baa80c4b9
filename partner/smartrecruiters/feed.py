"""Job Board API client (job-board-api.md): the feed, status updates and offers.

Parses SmartRecruiters' JSON into the dataclasses below, tolerating every variation §7
lists: numbers as strings or numbers, ``content`` instead of ``jobs``, any object field
missing or ``{}``, ``videoUrl`` in ``jobAd`` or at the top level, dates with ``Z`` or
``+0000`` and with or without millis, unknown statuses and extra fields.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from partner.smartrecruiters.auth import Auth, SmartTokenAuth
from partner.smartrecruiters.errors import MalformedResponseError
from partner.smartrecruiters.parsing import (
    flag,
    integer,
    number,
    obj,
    parse_datetime_tolerant,
    text,
)
from partner.smartrecruiters.transport import get_transport

logger = logging.getLogger(__name__)

PAGE_SIZE = 100  # the contract's maximum and what §7 asks for

# Feed statuses (§5). SR owns Pending and toUnpost; the partner sends the other four.
PENDING = "Pending"
UNDER_POSTING = "UnderPosting"
ACTIVE = "Active"
TO_UNPOST = "toUnpost"
INACTIVE = "Inactive"
ERROR = "Error"
KNOWN_STATUSES = frozenset({PENDING, UNDER_POSTING, ACTIVE, TO_UNPOST, INACTIVE, ERROR})
PARTNER_STATUSES = frozenset({UNDER_POSTING, ACTIVE, INACTIVE, ERROR})


# ---------------------------------------------------------------------------
# Typed results
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Labelled:
    id: str = ""
    label: str = ""


@dataclass(frozen=True)
class Location:
    """``location``: every part optional; ``remote`` only when SR says ``true`` (§7)."""

    remote: bool = False
    city: str = ""
    region: str = ""
    region_code: str = ""
    country: str = ""
    country_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class Compensation:
    min: Decimal | None = None
    max: Decimal | None = None
    currency: str = ""
    period: str = ""


@dataclass(frozen=True)
class JobAd:
    company_description: str = ""
    job_description: str = ""
    qualifications: str = ""
    additional_information: str = ""
    video_url: str = ""


# Keyword-only: four required strings in a row, and an id must never pass for a uuid.
@dataclass(frozen=True, kw_only=True)
class Posting:
    """One feed posting. ``raw`` is the item as received (for admin and debugging)."""

    id: str
    uuid: str
    name: str
    status: str
    ref_number: str = ""
    job_ad_url: str = ""
    apply_url: str = ""
    posted_at: datetime | None = None
    location: Location = field(default_factory=Location)
    company: Labelled = field(default_factory=Labelled)  # id, label = company name
    compensation: Compensation = field(default_factory=Compensation)
    industry: Labelled = field(default_factory=Labelled)
    function: Labelled = field(default_factory=Labelled)
    experience_level: Labelled = field(default_factory=Labelled)
    type_of_employment: Labelled = field(default_factory=Labelled)
    job_ad: JobAd = field(default_factory=JobAd)
    # Not in the feed contract's field list: SR's Posting API gives a posting's language as
    # {"code": "de", "label": "German", "labelNative": "Deutsch"}; read when present (a
    # plain "de" string too), "" otherwise.
    language: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def known_status(self) -> bool:
        return self.status in KNOWN_STATUSES


@dataclass(frozen=True)
class FeedPage:
    total_found: int
    postings: list[Posting]
    # Items on the page, usable or not: paging adds this to the offset (§7).
    received: int
    skipped: int = 0


@dataclass(frozen=True)
class Price:
    amount: Decimal | None = None
    currency_code: str = ""


@dataclass(frozen=True)
class ExistingContract:
    login: str = ""
    password: str = field(default="", repr=False)  # secret: never in a repr or a log


@dataclass(frozen=True)
class Offer:
    id: str = ""
    catalog_id: str = ""
    name: str = ""
    price: Price = field(default_factory=Price)
    status: str = ""
    posting_period: int = 30
    existing_contract: ExistingContract | None = None
    # The offer as received minus terms.existingContract, safe to store in clear.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


DEFAULT_POSTING_PERIOD = 30


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------
# jobAd's HTML sections: our name, SR's key.
_JOB_AD_SECTIONS = {
    "company_description": "companyDescription",
    "job_description": "jobDescription",
    "qualifications": "qualifications",
    "additional_information": "additionalInformation",
}


def _labelled(value: Any) -> Labelled:
    data = obj(value)
    return Labelled(id=text(data.get("id")), label=text(data.get("label") or data.get("name")))


def parse_posting(item: dict[str, Any]) -> Posting | None:
    """A ``Posting`` from a feed item, or None when it lacks ``id`` or ``uuid`` (§7: skip)."""
    posting_id = text(item.get("id"))
    uuid = text(item.get("uuid"))
    if not posting_id or not uuid:
        return None
    location = obj(item.get("location"))
    compensation = obj(item.get("compensation"))
    job_ad = obj(item.get("jobAd"))
    company = obj(item.get("company"))
    return Posting(
        id=posting_id,
        uuid=uuid,
        name=text(item.get("name")),
        status=text(item.get("status")),
        ref_number=text(item.get("refNumber")),
        job_ad_url=text(item.get("jobAdUrl")),
        apply_url=text(item.get("applyUrl")),
        posted_at=parse_datetime_tolerant(item.get("postedDate")),
        location=Location(
            city=text(location.get("city")),
            region=text(location.get("region")),
            region_code=text(location.get("regionCode")),
            country=text(location.get("country")),
            country_code=text(location.get("countryCode")).lower(),
            latitude=number(location.get("latitude")),
            longitude=number(location.get("longitude")),
            # Only ``true`` means remote; absent means not remote (§7).
            remote=flag(location.get("remote")),
        ),
        company=Labelled(id=text(company.get("id")), label=text(company.get("name"))),
        compensation=Compensation(
            min=number(compensation.get("min")),
            max=number(compensation.get("max")),
            currency=text(compensation.get("currency")).upper(),
            period=text(compensation.get("period")).upper(),
        ),
        industry=_labelled(item.get("industry")),
        function=_labelled(item.get("function")),
        experience_level=_labelled(item.get("experienceLevel")),
        type_of_employment=_labelled(item.get("typeOfEmployment")),
        job_ad=JobAd(
            **{name: text(job_ad.get(key)) for name, key in _JOB_AD_SECTIONS.items()},
            # Documented inside jobAd; some feeds put it at the top level (§7).
            video_url=text(job_ad.get("videoUrl")) or text(item.get("videoUrl")),
        ),
        language=_language_code(item.get("language")),
        raw=item,
    )


def _language_code(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("code")
    return value.strip() if isinstance(value, str) else ""


def parse_feed_page(data: Any) -> FeedPage:
    if not isinstance(data, dict):
        raise MalformedResponseError("feed page is not a JSON object")
    items = data.get("jobs")
    if items is None:
        items = data.get("content")  # tolerated variant (§7)
    if not isinstance(items, list):
        raise MalformedResponseError("feed page has no jobs list")
    total = integer(data.get("totalFound"))
    postings: list[Posting] = []
    skipped = 0
    for item in items:
        posting = parse_posting(item) if isinstance(item, dict) else None
        if posting is None:
            skipped += 1
            logger.warning("feed item without id or uuid skipped: keys=%s", _keys(item))
            continue
        if not posting.known_status:
            logger.warning("feed posting %s has unknown status %r", posting.id, posting.status)
        postings.append(posting)
    return FeedPage(
        total_found=total if total is not None else len(items),
        postings=postings,
        received=len(items),
        skipped=skipped,
    )


def _keys(item: Any) -> list[str]:
    return sorted(item) if isinstance(item, dict) else [type(item).__name__]


def parse_offer(item: dict[str, Any]) -> Offer:
    terms = obj(item.get("terms"))
    price = obj(terms.get("price"))
    contract = terms.get("existingContract")
    existing: ExistingContract | None = None
    if isinstance(contract, dict) and (contract.get("login") or contract.get("password")):
        existing = ExistingContract(
            login=text(contract.get("login")), password=text(contract.get("password"))
        )
    period = integer(terms.get("postingPeriod"))
    safe_terms = {k: v for k, v in terms.items() if k != "existingContract"}
    return Offer(
        id=text(item.get("id")),
        catalog_id=text(item.get("catalogId")),
        name=text(item.get("name")),
        price=Price(
            amount=number(price.get("amount")),
            currency_code=text(price.get("currencyCode")).upper(),
        ),
        status=text(item.get("status")),
        posting_period=period if period and period > 0 else DEFAULT_POSTING_PERIOD,
        existing_contract=existing,
        raw={**item, "terms": safe_terms},
    )


# ---------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------
def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and ``Z``, as SR writes its own dates."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def partner_auth() -> Auth:
    return SmartTokenAuth(settings.SMARTRECRUITERS_PARTNER_TOKEN)


def list_postings(
    *,
    statuses: tuple[str, ...] | list[str],
    offset: int = 0,
    limit: int = PAGE_SIZE,
    updated_after: datetime | None = None,
) -> FeedPage:
    """GET /feed/publications: one page of postings in ``statuses``."""
    params: dict[str, Any] = {
        "status": ",".join(statuses),  # always explicit: the default is a 30-day window
        "offset": offset,
        "limit": limit,
    }
    if updated_after is not None:
        params["updatedAfter"] = iso_utc(updated_after)
    response = get_transport().request(
        "GET", "/feed/publications", auth=partner_auth(), params=params
    )
    return parse_feed_page(response.json())


def iter_pages(
    *,
    statuses: tuple[str, ...] | list[str],
    limit: int | None = None,
    updated_after: datetime | None = None,
) -> Iterator[FeedPage]:
    """Every page, adding the items received to the offset until ``offset >= totalFound``.

    Stops on an empty page too. Any error propagates: a caller must treat a failed page
    as a partial read (and prune nothing).
    """
    offset = 0
    limit = PAGE_SIZE if limit is None else limit
    while True:
        page = list_postings(
            statuses=statuses, offset=offset, limit=limit, updated_after=updated_after
        )
        yield page
        offset += page.received
        if page.received == 0 or offset >= page.total_found:
            return


def get_posting(posting_id: str) -> Posting:
    """GET /feed/publications/{id}."""
    response = get_transport().request(
        "GET", f"/feed/publications/{posting_id}", auth=partner_auth()
    )
    data = response.json()
    posting = parse_posting(data) if isinstance(data, dict) else None
    if posting is None:
        raise MalformedResponseError(f"posting {posting_id} has no id or uuid")
    return posting


def update_status(posting_id: str, *, status: str, live_url: str = "", comment: str = "") -> None:
    """PUT /feed/publications/{id} with a StatusUpdate; any 2xx is success (§7)."""
    if status not in PARTNER_STATUSES:
        raise ValueError(f"{status!r} is not a status the partner may send")
    body: dict[str, str] = {"status": status}
    if status == ACTIVE:
        if not live_url:
            raise ValueError("Active needs a liveUrl")
        body["liveUrl"] = live_url
    if status == ERROR:
        body["comment"] = comment or "The posting could not be published"
    elif comment:
        body["comment"] = comment
    get_transport().request(
        "PUT",
        f"/feed/publications/{posting_id}",
        auth=partner_auth(),
        json=body,
        expect_json=False,
    )


def get_offer(posting_id: str) -> Offer | None:
    """GET /v1/offers?postingId={id}: the first offer, or None when there is none."""
    response = get_transport().request(
        "GET", "/v1/offers", auth=partner_auth(), params={"postingId": posting_id}
    )
    data = response.json()
    if not isinstance(data, dict):
        raise MalformedResponseError("offer page is not a JSON object")
    content = data.get("content")
    if content is None:
        content = data.get("jobs")
    if not isinstance(content, list):
        raise MalformedResponseError("offer page has no content list")
    first = next((item for item in content if isinstance(item, dict)), None)
    return parse_offer(first) if first is not None else None
