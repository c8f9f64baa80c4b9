"""What the API says about a job: exactly what the board's pages show, nothing more.

No source keys, references or internal states: a field appears here only when a job
seeker can read it on the list or the job page. Links are absolute (``SITE_URL``), since
they are followed from other sites.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobboard.board import seo
from jobboard.board.models import Listing
from jobboard.board.templatetags.board_tags import salary_range
from jobboard.board.views import apply_link


class CompanySerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    slug = serializers.SlugField()
    url = serializers.URLField(help_text="The company's page on the board.")


class LocationSerializer(serializers.Serializer[Any]):
    city = serializers.CharField()
    region = serializers.CharField()
    country = serializers.CharField()
    country_code = serializers.CharField(help_text="ISO 3166-1 alpha-2, lower case; may be empty.")
    remote = serializers.BooleanField()
    display = serializers.CharField(help_text='As the board writes it: "Berlin, Germany".')


class SalarySerializer(serializers.Serializer[Any]):
    # Numbers in JSON, as the API sends them (not DRF's default decimal strings).
    min = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    max = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    currency = serializers.CharField(help_text="ISO 4217; may be empty.")
    period = serializers.ChoiceField(choices=["YEAR", "MONTH", "HOUR", ""])
    display = serializers.CharField(
        help_text='As the board writes it: "EUR 70,000 to 90,000 a year".'
    )


def _company(listing: Listing) -> dict[str, str]:
    company = listing.company
    path = reverse("board:company", kwargs={"slug": company.slug})
    return {"name": company.name, "slug": company.slug, "url": seo.absolute_url(path)}


def _location(listing: Listing) -> dict[str, Any]:
    return {
        "city": listing.city,
        "region": listing.region,
        "country": listing.country,
        "country_code": listing.country_code,
        "remote": listing.remote,
        "display": listing.location_display,
    }


def _salary(listing: Listing) -> dict[str, Any] | None:
    if not listing.has_salary:
        return None
    return {
        "min": listing.salary_min,
        "max": listing.salary_max,
        "currency": listing.salary_currency,
        "period": listing.salary_period,
        "display": salary_range(listing),
    }


class JobCardSerializer(serializers.Serializer[Listing]):
    """A job as a result card shows it."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The job's page on the board.")
    company = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    employment_type = serializers.CharField()
    experience_level = serializers.CharField()
    salary = serializers.SerializerMethodField()
    posted_at = serializers.DateTimeField()
    valid_through = serializers.DateTimeField(allow_null=True)

    def get_url(self, listing: Listing) -> str:
        return seo.absolute_url(listing.get_absolute_url())

    @extend_schema_field(CompanySerializer)
    def get_company(self, listing: Listing) -> dict[str, str]:
        return _company(listing)

    @extend_schema_field(LocationSerializer)
    def get_location(self, listing: Listing) -> dict[str, Any]:
        return _location(listing)

    @extend_schema_field(SalarySerializer(allow_null=True))
    def get_salary(self, listing: Listing) -> dict[str, Any] | None:
        return _salary(listing)


class JobDetailSerializer(JobCardSerializer):
    """A job as its page shows it: the card plus the ad (sanitised HTML) and how to apply."""

    function = serializers.CharField()
    company_description = serializers.CharField(help_text="Sanitised HTML.")
    job_description = serializers.CharField(help_text="Sanitised HTML.")
    qualifications = serializers.CharField(help_text="Sanitised HTML.")
    additional_information = serializers.CharField(help_text="Sanitised HTML.")
    video_url = serializers.CharField()
    apply_url = serializers.SerializerMethodField(
        help_text="Where the job page's Apply button leads (absolute)."
    )

    def get_apply_url(self, listing: Listing) -> str:
        # The job page's own rule (our form, else the employer's page), made absolute.
        url, ours = apply_link(listing)
        return seo.absolute_url(url) if ours else url
