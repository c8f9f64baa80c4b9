"""What search engines read: schema.org JobPosting JSON-LD and canonical URLs.

Google's job search reads the JSON-LD of a job page; the properties below follow its
required and recommended list for ``JobPosting``.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from jobboard.board.html import plain_text
from jobboard.board.models import Listing

# Google's employmentType values, looked up by the source's code or label, normalised
# to lower case with "-" and " " as "_".
EMPLOYMENT_TYPES: dict[str, str] = {
    "full_time": "FULL_TIME",
    "fulltime": "FULL_TIME",
    "permanent": "FULL_TIME",
    "part_time": "PART_TIME",
    "parttime": "PART_TIME",
    "contract": "CONTRACTOR",
    "contractor": "CONTRACTOR",
    "freelance": "CONTRACTOR",
    "freelancer": "CONTRACTOR",
    "temporary": "TEMPORARY",
    "temp": "TEMPORARY",
    "seasonal": "TEMPORARY",
    "intern": "INTERN",
    "internship": "INTERN",
    "trainee": "INTERN",
    "volunteer": "VOLUNTEER",
    "per_diem": "PER_DIEM",
}
# Inside <script>, "<" could start "</script>" or "<!--"; JSON allows escaping them.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def google_employment_type(listing: Listing) -> str:
    for raw in (listing.employment_type_code, listing.employment_type):
        key = raw.strip().lower().replace("-", "_").replace(" ", "_")
        if key in EMPLOYMENT_TYPES:
            return EMPLOYMENT_TYPES[key]
    return "OTHER"


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def description_html(listing: Listing) -> str:
    """The ad's sanitised sections joined, each under its heading (HTML allowed by Google)."""
    sections = [
        ("", listing.job_description),
        # The page's language: a German page's JSON-LD reads like the page.
        (gettext("Qualifications"), listing.qualifications),
        (gettext("Additional information"), listing.additional_information),
        (
            gettext("About %(company)s") % {"company": listing.company.name},
            listing.company_description,
        ),
    ]
    parts = []
    for heading, html in sections:
        if html:
            parts.append((f"<h2>{_escape_text(heading)}</h2>" if heading else "") + html)
    return "\n".join(parts) or _escape_text(listing.title)


def _escape_text(text: str) -> str:
    from django.utils.html import escape

    return str(escape(text))


def meta_description(listing: Listing, length: int = 200) -> str:
    text = plain_text(listing.job_description or listing.company_description)
    if len(text) > length:
        text = text[: length - 1].rsplit(" ", 1)[0] + "…"
    return text or gettext("%(title)s at %(company)s") % {
        "title": listing.title,
        "company": listing.company.name,
    }


def job_posting(listing: Listing, *, direct_apply: bool) -> dict[str, Any]:
    """The schema.org JobPosting of a visible listing."""
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": listing.title,
        "description": description_html(listing),
        "datePosted": listing.posted_at.isoformat(),
        "hiringOrganization": {"@type": "Organization", "name": listing.company.name},
        "identifier": {
            "@type": "PropertyValue",
            "name": listing.company.name,
            "value": listing.reference or str(listing.pk),
        },
        "url": absolute_url(listing.get_absolute_url()),
        "employmentType": google_employment_type(listing),
        "directApply": direct_apply,
    }
    if listing.valid_through:
        data["validThrough"] = listing.valid_through.isoformat()
    address: dict[str, Any] = {"@type": "PostalAddress"}
    for key, part in (
        ("addressLocality", listing.city),
        ("addressRegion", listing.region),
        ("addressCountry", listing.country_code.upper()),
    ):
        if part:
            address[key] = part
    if len(address) > 1:
        data["jobLocation"] = {"@type": "Place", "address": address}
    if listing.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        # Google requires where a remote applicant may live; the job's country is the
        # best the source tells us.
        if listing.country_code or listing.country:
            data["applicantLocationRequirements"] = {
                "@type": "Country",
                "name": listing.country_code.upper() or listing.country,
            }
    if listing.has_salary and listing.salary_currency:
        salary: dict[str, Any] = {
            "@type": "QuantitativeValue",
            "unitText": listing.salary_period or "YEAR",
        }
        # One amount or both: a range when both are known, else the one we have.
        amounts = [a for a in (listing.salary_min, listing.salary_max) if a is not None]
        if len(amounts) == 2:
            salary["minValue"] = float(amounts[0])
            salary["maxValue"] = float(amounts[1])
        else:
            salary["value"] = float(amounts[0])
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": listing.salary_currency.upper(),
            "value": salary,
        }
    if listing.industry:
        data["industry"] = listing.industry
    if listing.function:
        data["occupationalCategory"] = listing.function
    if listing.experience_level:
        data["experienceRequirements"] = listing.experience_level
    return data


def json_ld(data: dict[str, Any]) -> SafeString:
    """JSON for a ``<script type="application/ld+json">``: no "</script>" breakout."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))
