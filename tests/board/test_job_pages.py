"""Job pages: content, apply link, 410 for gone jobs, JSON-LD, meta, hostile HTML."""

from __future__ import annotations

import importlib
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jobboard.board.services import withdraw_listing
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db

GOOGLE_REQUIRED = {"title", "description", "datePosted", "hiringOrganization"}
GOOGLE_RECOMMENDED = {"validThrough", "employmentType", "identifier", "directApply"}
GOOGLE_EMPLOYMENT_TYPES = {
    "FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER",
}  # fmt: skip
OWN_HOSTILE = [
    '<script>alert("own")</script><p>ok</p>',
    '<img src=x onerror="alert(1)">',
    '<iframe src="https://evil.example"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href=" JaVaScRiPt:alert(1)">spaced</a>',
    "<svg><script>alert(1)</script></svg>",
    '<p style="background:url(javascript:alert(1))" onmouseover="x()">styled</p>',
    "</script><script>alert('breakout')</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


def json_ld_blocks(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def assert_no_live_script(html: str) -> None:
    lowered = html.lower()
    # The only scripts on our pages are our own: JSON-LD, board.js and its words (data).
    scripts = re.findall(r"<script[^>]*>", lowered)
    ours = ('type="application/ld+json"', "board.js", 'id="board-messages" type="application/json"')
    assert all(any(mark in s for mark in ours) for s in scripts), scripts
    assert "onerror" not in lowered
    assert "onmouseover" not in lowered
    assert "onclick" not in lowered
    assert "<iframe" not in lowered
    assert "javascript:" not in lowered
    assert "<style" not in lowered


def test_a_job_page_shows_the_facts_and_the_ad(client) -> None:
    listing = make_listing(
        title="Data Engineer",
        company_name="Acme",
        city="Berlin",
        region="Berlin",
        country="Germany",
        country_code="DE",
        remote=True,
        salary_min=Decimal(70_000),
        salary_max=Decimal(90_000),
        salary_currency="EUR",
        salary_period="YEAR",
        employment_type="Full-time",
        experience_level="Mid-Senior Level",
        job_description="<p>Build <strong>pipelines</strong>.</p>",
        video_url="https://video.example/watch/1",
    )
    response = client.get(listing.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="job-title">Data Engineer</h1>' in html
    assert "<address>Berlin, Germany</address>" in html
    assert "EUR 70,000 \u2013 90,000 a year" in html
    assert "Full-time" in html
    assert "Mid-Senior Level" in html
    assert "<dd>Remote</dd>" in html
    assert "<p>Build <strong>pipelines</strong>.</p>" in html
    assert 'href="https://video.example/watch/1"' in html
    assert (
        f'<link rel="canonical" href="https://jobs.example.org{listing.get_absolute_url()}">'
        in html
    )
    assert '<meta property="og:title" content="Data Engineer at Acme">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert 'aria-label="Breadcrumb"' in html
    assert "linkedin.com/sharing" in html


def test_the_apply_button_falls_back_to_the_employers_page(client) -> None:
    from django.urls import NoReverseMatch, reverse

    listing = make_listing(apply_url="https://careers.example.com/apply/42")
    html = client.get(listing.get_absolute_url()).content.decode()
    try:
        own = reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})
    except NoReverseMatch:
        assert 'href="https://careers.example.com/apply/42"' in html
        assert json_ld_blocks(html)[0]["directApply"] is False
    else:
        assert f'href="{own}"' in html
        assert json_ld_blocks(html)[0]["directApply"] is True


def test_a_wrong_slug_redirects_permanently_to_the_right_one(client) -> None:
    listing = make_listing(title="Chef")
    response = client.get(f"/jobs/{listing.pk}-something-else/")
    assert response.status_code == 301
    assert response["Location"] == listing.get_absolute_url()


def test_an_unknown_job_is_404(client) -> None:
    assert client.get("/jobs/999999-nothing/").status_code == 404


@pytest.mark.parametrize("how", ["withdrawn", "expired", "past valid through"])
def test_a_gone_job_answers_410_with_similar_live_jobs_and_no_json_ld(client, how) -> None:
    gone = make_listing(source="s", external_id="gone", title="Baker", function="Food")
    similar = make_listing(title="Pastry Chef", function="Food")
    if how == "past valid through":
        gone = make_listing(
            source="s", external_id="gone", title="Baker", function="Food",
            posted_at=timezone.now() - timedelta(days=40),
            valid_through=timezone.now() - timedelta(days=1),
        )  # fmt: skip
    else:
        withdraw_listing(source="s", external_id="gone", state=how)
    response = client.get(gone.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 410
    assert "no longer available" in html
    assert similar.title in html
    assert "application/ld+json" not in html
    assert '<meta name="robots" content="noindex">' in html


def test_the_list_page_has_no_json_ld(client) -> None:
    make_listing()
    html = client.get("/").content.decode()
    assert "application/ld+json" not in html


def test_json_ld_of_many_listings_has_googles_required_properties(client) -> None:
    listings = [make_listing() for _ in range(24)]
    listings.append(
        make_listing(remote=True, city="", region="", country="Poland", country_code="PL")
    )
    listings.append(
        make_listing(salary_min=Decimal("18.50"), salary_currency="USD", salary_period="HOUR")
    )
    for listing in listings:
        html = client.get(listing.get_absolute_url()).content.decode()
        (data,) = json_ld_blocks(html)
        assert data["@context"] == "https://schema.org/"
        assert data["@type"] == "JobPosting"
        assert data.keys() >= GOOGLE_REQUIRED | GOOGLE_RECOMMENDED
        assert data["title"] == listing.title
        assert data["hiringOrganization"] == {"@type": "Organization", "name": listing.company.name}
        assert data["datePosted"] == listing.posted_at.isoformat()
        assert data["employmentType"] in GOOGLE_EMPLOYMENT_TYPES
        assert data["identifier"]["@type"] == "PropertyValue"
        assert data["url"] == f"https://jobs.example.org{listing.get_absolute_url()}"
        if listing.remote:
            assert data["jobLocationType"] == "TELECOMMUTE"
            assert data["applicantLocationRequirements"]["@type"] == "Country"
        else:
            assert "jobLocationType" not in data
        if "jobLocation" in data or not listing.remote:
            assert data["jobLocation"]["@type"] == "Place"
            address = data["jobLocation"]["address"]
            assert address["@type"] == "PostalAddress"
            assert address["addressCountry"] == listing.country_code.upper()
        if listing.has_salary:
            salary = data["baseSalary"]
            assert salary["@type"] == "MonetaryAmount"
            assert salary["currency"] == listing.salary_currency
            assert salary["value"]["@type"] == "QuantitativeValue"
            assert salary["value"]["unitText"] in {"YEAR", "MONTH", "HOUR"}
        else:
            assert "baseSalary" not in data


def test_employment_types_map_to_googles_values(client) -> None:
    cases = {
        ("permanent", "Full-time"): "FULL_TIME",
        ("", "Part-time"): "PART_TIME",
        ("contract", ""): "CONTRACTOR",
        ("intern", "Internship"): "INTERN",
        ("", "Temporary"): "TEMPORARY",
        ("", "Something odd"): "OTHER",
    }
    for (code, label), expected in cases.items():
        listing = make_listing(employment_type_code=code, employment_type=label)
        (data,) = json_ld_blocks(client.get(listing.get_absolute_url()).content.decode())
        assert data["employmentType"] == expected


def test_json_ld_cannot_be_broken_out_of(client) -> None:
    listing = make_listing(
        title="</script><script>alert(1)</script>",
        company_name="Evil </script> & Co <!--",
    )
    html = client.get(listing.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert ">" not in block
    data = json.loads(block)
    assert data["title"] == "</script><script>alert(1)</script>"
    assert data["hiringOrganization"]["name"] == "Evil </script> & Co <!--"
    assert "<script>alert(1)" not in html


def test_hostile_html_never_reaches_a_page(client) -> None:
    hostile = OWN_HOSTILE + _sandbox_hostile_samples()
    listing = make_listing(
        job_description="".join(hostile),
        qualifications=hostile[1] + "<p>Real qualification</p>",
        additional_information=hostile[3],
        company_description=hostile[0],
    )
    for url in (listing.get_absolute_url(), "/", "/jobs/feed/rss/", "/jobs/feed/atom/"):
        html = client.get(url).content.decode()
        assert_no_live_script(html)
    html = client.get(listing.get_absolute_url()).content.decode()
    assert "<p>ok</p>" in html
    assert "Real qualification" in html


def test_each_sandbox_hostile_sample_is_neutralised_alone(client) -> None:
    samples = _sandbox_hostile_samples()
    if not samples:
        pytest.skip("partner.sandbox.fixtures_data has no HOSTILE_HTML")
    for sample in samples:
        listing = make_listing(job_description=sample)
        assert_no_live_script(client.get(listing.get_absolute_url()).content.decode())


def _sandbox_hostile_samples() -> list[str]:
    # The sandbox's own seed data carries hostile ads; use them when that app exists.
    try:
        module = importlib.import_module("partner.sandbox.fixtures_data")
    except ImportError:
        return []
    return list(getattr(module, "HOSTILE_HTML", []))


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>", "//evil"],
)
def test_links_from_a_source_must_be_http(client, url) -> None:
    listing = make_listing(video_url=url, apply_url=url)
    assert listing.video_url == ""
    assert listing.apply_url == ""
    assert_no_live_script(client.get(listing.get_absolute_url()).content.decode())


@pytest.mark.django_db
def test_pages_answer_head_requests_like_gets(client):
    """Monitors and link checkers send HEAD; a 405 would look like an outage."""
    assert client.head("/").status_code == 200
    assert client.head("/sitemap.xml").status_code == 200
