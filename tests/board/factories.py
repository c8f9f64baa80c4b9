"""Listings for the board's tests, made the way sources make them: publish_listing."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jobboard.board.models import Listing
from jobboard.board.services import ListingData, publish_listing

_counter = itertools.count(1)
_external_ids = itertools.count(1)

CITIES = [
    ("Berlin", "Berlin", "Germany", "de"),
    ("Munich", "Bavaria", "Germany", "de"),
    ("Paris", "Île-de-France", "France", "fr"),
    ("Warsaw", "Masovia", "Poland", "pl"),
    ("Austin", "Texas", "United States", "us"),
]
TITLES = [
    "Senior Python Developer",
    "Project Manager",
    "Data Engineer",
    "Customer Success Manager",
    "Frontend Engineer (React)",
    "Accountant",
    "Marketing Intern",
]
TYPES = [("permanent", "Full-time"), ("part_time", "Part-time"), ("contract", "Contractor")]
LEVELS = ["Entry Level", "Associate", "Mid-Senior Level", "Director"]
FUNCTIONS = ["Engineering", "Sales", "Marketing", "Finance", "Information Technology"]
INDUSTRIES = ["Computer Software", "Retail", "Banking"]


def listing_data(**overrides: Any) -> ListingData:
    n = next(_counter)
    city, region, country, code = CITIES[n % len(CITIES)]
    type_code, type_label = TYPES[n % len(TYPES)]
    values: dict[str, Any] = {
        "title": TITLES[n % len(TITLES)],
        "company_name": f"Company {n % 4}",
        "company_key": f"company-{n % 4}",
        "posted_at": timezone.now() - timedelta(hours=n),
        "valid_through": timezone.now() + timedelta(days=30),
        "reference": f"REF-{n}",
        "city": city,
        "region": region,
        "country": country,
        "country_code": code.upper(),
        "remote": n % 3 == 0,
        "function": FUNCTIONS[n % len(FUNCTIONS)],
        "industry": INDUSTRIES[n % len(INDUSTRIES)],
        "experience_level": LEVELS[n % len(LEVELS)],
        "employment_type": type_label,
        "employment_type_code": type_code,
        "job_description": f"<p>We build things. Job number {n}.</p><ul><li>Teamwork</li></ul>",
        "qualifications": "<p>Curiosity and care.</p>",
        "company_description": "<p>A company that hires.</p>",
        "apply_url": f"https://careers.example.com/jobs/{n}",
    }
    if n % 2 == 0:
        values.update(
            salary_min=Decimal(40_000 + 1000 * (n % 50)),
            salary_max=Decimal(60_000 + 1000 * (n % 50)),
            salary_currency="EUR",
            salary_period="YEAR",
        )
    values.update(overrides)
    # A test that names one end of the range or the company means only that one.
    for one, other in (("salary_min", "salary_max"), ("salary_max", "salary_min")):
        if one in overrides and other not in overrides:
            values[other] = None
    if "city" in overrides and "region" not in overrides:
        values["region"] = ""
    if "company_name" in overrides and "company_key" not in overrides:
        values["company_key"] = overrides["company_name"].lower()
    return ListingData(**values)


def make_listing(
    *, source: str = "test", external_id: str | None = None, **overrides: Any
) -> Listing:
    external_id = external_id or f"ext-{next(_external_ids)}"
    listing, _ = publish_listing(
        source=source, external_id=external_id, data=listing_data(**overrides)
    )
    return listing


def posted(days_ago: float) -> datetime:
    return timezone.now() - timedelta(days=days_ago)


def on_day(days_ago: int) -> datetime:
    """Noon of the calendar day ``days_ago`` days before today (negative: after), in the
    site's time zone: "yesterday" and "in 2 days" whatever the time of day the test
    runs (``posted(1.01)`` is two calendar days back just after midnight)."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(12)))
