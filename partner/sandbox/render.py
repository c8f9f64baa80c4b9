"""SR's JSON shapes for postings, feed pages and offers (job-board-api.md §3)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from partner.sandbox.models import SandboxOffer, SandboxPosting

SR_WEB = "https://jobs.smartrecruiters.com"
_OPTIONAL_OBJECTS = (
    "location",
    "company",
    "creator",
    "compensation",
    "industry",
    "function",
    "experienceLevel",
    "typeOfEmployment",
    "jobAd",
)


# The fields of a ``fixtures_data.CITIES`` row, named as in SR's ``location`` object.
_LOCATION_KEYS = ("city", "region", "regionCode", "country", "countryCode", "latitude", "longitude")


def city_location(city: tuple[str, ...]) -> dict[str, Any]:
    """A ``fixtures_data.CITIES`` row as SR's ``location`` object."""
    return dict(zip(_LOCATION_KEYS, city, strict=True))


def iso_millis_z(moment: datetime) -> str:
    """``2025-03-04T09:15:02.000Z``: the feed's date format."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_millis_offset(moment: datetime) -> str:
    """``2025-01-10T10:00:00.000+0000``: the offers API's date format."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def job_number(posting: SandboxPosting | Any) -> int:
    return 743_999_000_000 + posting.job_id


def render_posting(posting: SandboxPosting | Any, switches: dict[str, Any]) -> dict[str, Any]:
    """A feed posting as SR sends it. ``posting`` is a model or a ``selectors.feed_page``
    row (same attribute names)."""
    company = posting.company
    ad_url = f"{SR_WEB}/{company.identifier}/{job_number(posting)}"
    data: dict[str, Any] = {
        "id": str(posting.id),
        "uuid": str(posting.job.uuid),
        "name": posting.name,
        "refNumber": posting.ref_number,
        "status": posting.status,
        "postedDate": iso_millis_z(posting.posted_date),
        "jobAdUrl": ad_url,
        "applyUrl": f"{ad_url}?oga=true",
        "location": posting.location,
        "company": {"id": company.sr_id, "name": company.name},
        "creator": posting.creator,
        "compensation": posting.compensation,
        "industry": posting.industry,
        "function": posting.function,
        "experienceLevel": posting.experience_level,
        "typeOfEmployment": posting.type_of_employment,
        "jobAd": dict(posting.job_ad),
    }
    if switches["video_url_top_level"] and "videoUrl" in data["jobAd"]:
        data["videoUrl"] = data["jobAd"].pop("videoUrl")
    if switches["empty_objects"]:
        # Seeded by the posting id, so the same posting looks the same on every request.
        rng = random.Random(posting.id)
        for key in _OPTIONAL_OBJECTS:
            roll = rng.random()
            if roll < 0.25:
                data[key] = {}
            elif roll < 0.5:
                data.pop(key)
    return data


def render_feed_page(
    postings: list[Any],
    *,
    offset: int,
    limit: int,
    total: int,
    switches: dict[str, Any],
) -> dict[str, Any]:
    def number(value: int) -> int | str:
        return value if switches["numbers_as_numbers"] else str(value)

    return {
        "Provider": "Smartrecruiters",
        "offset": number(offset),
        "limit": number(limit),
        "totalFound": number(total),
        "content" if switches["content_key"] else "jobs": [
            render_posting(p, switches) for p in postings
        ],
    }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def render_offer(offer: SandboxOffer) -> dict[str, Any]:
    terms: dict[str, Any] = {
        "price": {"amount": _number(offer.price_amount), "currencyCode": offer.price_currency}
    }
    if offer.posting_period is not None:
        terms["postingPeriod"] = offer.posting_period
    if offer.has_contract:
        terms["existingContract"] = {
            "login": offer.contract_login,
            "password": offer.contract_password,
        }
    return {
        "id": offer.offer_id,
        "catalogId": offer.catalog_id,
        "name": offer.name,
        "description": offer.description,
        "status": offer.status,
        "createDate": iso_millis_offset(offer.created_at),
        "lastUpdateDate": iso_millis_offset(offer.updated_at),
        "terms": terms,
        "targetMarket": offer.target_market,
        "availability": offer.availability,
    }


def render_offer_page(offers: list[SandboxOffer]) -> dict[str, Any]:
    return {
        "limit": 100,
        "offset": 0,
        "totalFound": len(offers),
        "content": [render_offer(o) for o in offers],
    }
