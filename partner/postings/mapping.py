"""A feed posting in the board's words, and the other things we derive from SR's data.

Pure functions: no database, no network. ``listing_data`` is the whole seam between
SmartRecruiters' vocabulary and the board's ``ListingData``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string

from jobboard.board.services import SALARY_PERIODS, ListingData
from jobboard.safeurl import http_link
from partner.postings.models import FeedPosting, PostingContract
from partner.smartrecruiters import feed

logger = logging.getLogger(__name__)


def error_comment(*, posting_id: str, reason: str) -> str:
    """The comment sent with an Error report, from a template (read by SR Support)."""
    text = render_to_string(
        "postings/error_comment.txt",
        {"site_name": settings.SITE_NAME, "posting_id": posting_id, "reason": reason.rstrip(".")},
    )
    return " ".join(text.split())[:1000]


def _coordinate(value: Decimal | None, limit: int) -> Decimal | None:
    if value is None or abs(value) > limit:
        return None
    return value.quantize(Decimal("0.000001"))


def listing_data(
    *, posting: feed.Posting, posting_period: int, first_seen_at: datetime
) -> ListingData:
    """The board's view of a feed posting. ``creator`` is personal data: never published."""
    posted_at = posting.posted_at or first_seen_at
    comp = posting.compensation
    period = comp.period if comp.period in SALARY_PERIODS else ""
    if comp.period and not period:
        logger.info("posting %s: compensation period %r ignored", posting.id, comp.period)
    location = posting.location
    return ListingData(
        title=posting.name,
        content_language=posting.language,
        # Company is optional in the contract; a job without one is still a job.
        company_name=posting.company.label or settings.FEED_UNKNOWN_COMPANY,
        company_key=posting.company.id,
        posted_at=posted_at,
        job_key=posting.uuid,
        reference=posting.ref_number[:100],
        valid_through=posted_at + timedelta(days=posting_period),
        city=location.city[:120],
        region=location.region[:120],
        region_code=location.region_code[:20],
        country=location.country[:120],
        country_code=location.country_code,
        latitude=_coordinate(location.latitude, 90),
        longitude=_coordinate(location.longitude, 180),
        remote=location.remote,
        function=posting.function.label[:120],
        function_code=posting.function.id[:80],
        industry=posting.industry.label[:120],
        industry_code=posting.industry.id[:80],
        experience_level=posting.experience_level.label[:120],
        experience_level_code=posting.experience_level.id[:80],
        employment_type=posting.type_of_employment.label[:120],
        employment_type_code=posting.type_of_employment.id[:80],
        salary_min=comp.min,
        salary_max=comp.max,
        salary_currency=comp.currency if len(comp.currency) == 3 else "",
        salary_period=period,
        company_description=posting.job_ad.company_description,
        job_description=posting.job_ad.job_description,
        qualifications=posting.job_ad.qualifications,
        additional_information=posting.job_ad.additional_information,
        video_url=http_link(posting.job_ad.video_url),
        apply_url=http_link(posting.apply_url),
    )


def contract_from_offer(posting: FeedPosting, offer: feed.Offer | None) -> PostingContract:
    """The (unsaved) contract a posting was bought with; defaults when SR has no offer."""
    contract = PostingContract(posting=posting)
    if offer is not None:
        contract.offer_id = offer.id[:64]
        contract.offer_name = offer.name[:200]
        contract.price_amount = offer.price.amount
        contract.price_currency = offer.price.currency_code[:3]
        contract.posting_period = offer.posting_period
        contract.raw = offer.raw
        if offer.existing_contract is not None:
            contract.existing_login = offer.existing_contract.login
            contract.existing_password = offer.existing_contract.password
    return contract
