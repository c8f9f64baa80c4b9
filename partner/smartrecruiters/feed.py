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
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from partner.smartrecruiters.errors import MalformedResponseError
from partner.smartrecruiters.transport import Auth, SmartTokenAuth, get_transport

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
    city: str = ""
    region: str = ""
    region_code: str = ""
    country: str = ""
    country_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    remote: bool = False


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


@dataclass(frozen=True)
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
    status: str = ""
    price: Price = field(default_factory=Price)
    posting_period: int = 30
    existing_contract: ExistingContract | None = None
    # The offer as received minus terms.existingContract, safe to store in clear.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


DEFAULT_POSTING_PERIOD = 30


# ---------------------------------------------------------------------------
# Tolerant readers
# ---------------------------------------------------------------------------
def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        try:
            return int(float(str(value).strip()))
        except (TypeError, ValueError):
            return None


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool | dict | list) or _str(value) == "":
        return None
    try:
        number = Decimal(_str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_datetime_tolerant(value: Any) -> datetime | None:
    """ISO-8601 with ``Z`` or ``+0000``/``+00:00``, with or without millis."""
    text = _str(value)
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and ":" not in text[-5:]:
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 -> +00:00
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def _labelled(value: Any) -> Labelled:
    data = _obj(value)
    return Labelled(id=_str(data.get("id")), label=_str(data.get("label") or data.get("name")))


def parse_posting(item: dict[str, Any]) -> Posting | None:
    """A ``Posting`` from a feed item, or None when it lacks ``id`` or ``uuid`` (§7: skip)."""
    posting_id = _str(item.get("id"))
    uuid = _str(item.get("uuid"))
    if not posting_id or not uuid:
        return None
    location = _obj(item.get("location"))
    compensation = _obj(item.get("compensation"))
    job_ad = _obj(item.get("jobAd"))
    company = _obj(item.get("company"))
    return Posting(
        id=posting_id,
        uuid=uuid,
        name=_str(item.get("name")),
        status=_str(item.get("status")),
        ref_number=_str(item.get("refNumber")),
        job_ad_url=_str(item.get("jobAdUrl")),
        apply_url=_str(item.get("applyUrl")),
        posted_at=parse_datetime_tolerant(item.get("postedDate")),
        location=Location(
            city=_str(location.get("city")),
            region=_str(location.get("region")),
            region_code=_str(location.get("regionCode")),
            country=_str(location.get("country")),
            country_code=_str(location.get("countryCode")).lower(),
            latitude=_decimal(location.get("latitude")),
            longitude=_decimal(location.get("longitude")),
            # Only ``true`` means remote; absent means not remote (§7).
            remote=location.get("remote") is True or _str(location.get("remote")) == "true",
        ),
        company=Labelled(id=_str(company.get("id")), label=_str(company.get("name"))),
        compensation=Compensation(
            min=_decimal(compensation.get("min")),
            max=_decimal(compensation.get("max")),
            currency=_str(compensation.get("currency")).upper(),
            period=_str(compensation.get("period")).upper(),
        ),
        industry=_labelled(item.get("industry")),
        function=_labelled(item.get("function")),
        experience_level=_labelled(item.get("experienceLevel")),
        type_of_employment=_labelled(item.get("typeOfEmployment")),
        job_ad=JobAd(
            company_description=_str(job_ad.get("companyDescription")),
            job_description=_str(job_ad.get("jobDescription")),
            qualifications=_str(job_ad.get("qualifications")),
            additional_information=_str(job_ad.get("additionalInformation")),
            # Documented inside jobAd; some feeds put it at the top level (§7).
            video_url=_str(job_ad.get("videoUrl")) or _str(item.get("videoUrl")),
        ),
        raw=item,
    )


def parse_feed_page(data: Any) -> FeedPage:
    if not isinstance(data, dict):
        raise MalformedResponseError("feed page is not a JSON object")
    items = data.get("jobs")
    if items is None:
        items = data.get("content")  # tolerated variant (§7)
    if not isinstance(items, list):
        raise MalformedResponseError("feed page has no jobs list")
    total = _int(data.get("totalFound"))
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
    terms = _obj(item.get("terms"))
    price = _obj(terms.get("price"))
    contract = terms.get("existingContract")
    existing: ExistingContract | None = None
    if isinstance(contract, dict) and (contract.get("login") or contract.get("password")):
        existing = ExistingContract(
            login=_str(contract.get("login")), password=_str(contract.get("password"))
        )
    period = _int(terms.get("postingPeriod"))
    safe_terms = {k: v for k, v in terms.items() if k != "existingContract"}
    return Offer(
        id=_str(item.get("id")),
        catalog_id=_str(item.get("catalogId")),
        name=_str(item.get("name")),
        status=_str(item.get("status")),
        price=Price(
            amount=_decimal(price.get("amount")),
            currency_code=_str(price.get("currencyCode")).upper(),
        ),
        posting_period=period if period and period > 0 else DEFAULT_POSTING_PERIOD,
        existing_contract=existing,
        raw={**item, "terms": safe_terms},
    )


# ---------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------
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
        params["updatedAfter"] = updated_after.isoformat()
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
