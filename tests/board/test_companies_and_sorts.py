"""Sorting by salary and closing date, relative dates, the company filter and pages."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jobboard.board import selectors
from jobboard.board.search import JobSearch
from jobboard.board.services import withdraw_listing
from tests.board.factories import make_listing, on_day, posted

pytestmark = pytest.mark.django_db


def titles(**params) -> list[str]:
    search = JobSearch.from_params(params)
    return [listing.title for listing in selectors.search_listings(search=search).page]


def in_days(days: float):
    return timezone.now() + timedelta(days=days)


def test_sorting_by_salary_puts_the_best_paid_first_and_unpaid_ads_last() -> None:
    make_listing(title="No salary", salary_min=None, salary_max=None, posted_at=posted(0))
    make_listing(title="Hourly", salary_max=Decimal(50), salary_period="HOUR", posted_at=posted(1))
    make_listing(title="Yearly", salary_max=Decimal(90_000), salary_period="YEAR")
    make_listing(title="Monthly", salary_max=Decimal(5_000), salary_period="MONTH")
    # 50 an hour is 104,000 a year; 5,000 a month is 60,000.
    assert titles(sort="salary") == ["Hourly", "Yearly", "Monthly", "No salary"]


def test_sorting_by_closing_date_puts_the_soonest_first_and_open_ended_ads_last() -> None:
    make_listing(title="Open-ended", valid_through=None, posted_at=posted(0))
    make_listing(title="Next month", valid_through=in_days(30))
    make_listing(title="Tomorrow", valid_through=in_days(1))
    make_listing(title="Next week", valid_through=in_days(7))
    assert titles(sort="closing") == ["Tomorrow", "Next week", "Next month", "Open-ended"]


def test_the_sort_list_offers_salary_and_closing_date(client) -> None:
    make_listing()
    html = client.get("/", {"sort": "closing"}).content.decode()
    assert '<option value="salary">Highest salary</option>' in html
    assert '<option value="closing" selected>Closing soon</option>' in html


def test_cards_show_relative_dates_with_the_exact_date_on_hover(client) -> None:
    listing = make_listing(title="Baker", posted_at=on_day(2), valid_through=in_days(3.5))
    html = client.get("/").content.decode()
    exact = timezone.localtime(listing.posted_at).strftime("%-d %B %Y, %H:%M")
    assert re.search(rf'<time datetime="[^"]+" title="{exact}">Posted 2 days ago</time>', html), (
        html
    )
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">Closes in [34] days</time>', html)


@pytest.mark.parametrize(
    ("days", "words"),
    [(0, "Posted today"), (1, "Posted yesterday"), (20, "Posted 3 weeks ago")],
)
def test_relative_dates_read_as_words(client, days, words) -> None:
    # Calendar days: just now is today at any hour; noon is past only later in the day.
    make_listing(posted_at=timezone.now() if days == 0 else on_day(days))
    assert f">{words}</time>" in client.get("/").content.decode()


def test_the_company_filter_narrows_the_results_and_its_counts(client) -> None:
    make_listing(title="Robot Tamer", company_name="Acme Robotics", country_code="DE")
    make_listing(title="Robot Oiler", company_name="Acme Robotics", country_code="FR")
    make_listing(title="Clerk", company_name="Globex", country_code="DE")
    assert sorted(titles(company="acme-robotics")) == ["Robot Oiler", "Robot Tamer"]
    results = selectors.search_listings(search=JobSearch.from_params({"company": "acme-robotics"}))
    assert results.total == 2
    country = next(f for f in results.facets if f.name == "country")
    assert {o.value: o.count for o in country.options} == {"de": 1, "fr": 1}
    html = client.get("/", {"company": "acme-robotics", "country": "de"}).content.decode()
    # A chip names the company and removes it; the filter form carries it along.
    assert 'href="?country=de">Acme Robotics <span aria-hidden="true">\u00d7</span>' in html
    assert '<input type="hidden" name="company" value="acme-robotics">' in html
    assert "<title>at Acme Robotics, DE &middot; Jobs" in html


def test_a_bad_company_value_is_ignored() -> None:
    assert JobSearch.from_params({"company": ["Acme Robotics!", "ok-slug"]}).company == ("ok-slug",)


def test_a_company_page_lists_every_visible_job_of_the_employer(client) -> None:
    make_listing(title="Robot Tamer", company_name="Acme Robotics")
    make_listing(title="Robot Oiler", company_name="Acme Robotics")
    make_listing(source="s", external_id="gone", title="Gone", company_name="Acme Robotics")
    withdraw_listing(source="s", external_id="gone")
    make_listing(title="Clerk", company_name="Globex")
    response = client.get("/companies/acme-robotics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="company-heading">Jobs at Acme Robotics</h1>' in html
    assert "Robot Tamer" in html
    assert "Robot Oiler" in html
    assert "Gone" not in html
    assert "Clerk" not in html
    assert 'href="/?company=acme-robotics">Search and filter these jobs' in html
    assert 'name="query" value="company=acme-robotics"' in html
    assert '<link rel="canonical" href="https://jobs.example.org/companies/acme-robotics/">' in html


def test_a_company_page_pages_through_its_jobs(client, settings) -> None:
    settings.BOARD_PAGE_SIZE = 2
    for i in range(5):
        make_listing(title=f"Job {i}", company_name="Acme Robotics", posted_at=posted(i))
    html = client.get("/companies/acme-robotics/").content.decode()
    assert 'href="?page=2"' in html
    html = client.get("/companies/acme-robotics/", {"page": "3"}).content.decode()
    assert "Job 4" in html
    assert "Job 0" not in html


def test_a_company_without_open_jobs_says_so_and_an_unknown_one_is_not_found(client) -> None:
    make_listing(source="s", external_id="1", company_name="Quiet Corp")
    withdraw_listing(source="s", external_id="1")
    response = client.get("/companies/quiet-corp/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No open jobs right now" in html
    assert '<meta name="robots" content="noindex">' in html
    assert client.get("/companies/nobody-at-all/").status_code == 404


def test_job_cards_and_job_pages_link_to_the_company_page(client) -> None:
    listing = make_listing(title="Robot Tamer", company_name="Acme Robotics")
    make_listing(title="Robot Oiler", company_name="Acme Robotics")
    link = 'href="/companies/acme-robotics/"'
    assert (
        f'<p class="job-company"><a {link}>Acme Robotics</a></p>'
        in client.get("/").content.decode()
    )
    html = client.get(listing.get_absolute_url()).content.decode()
    assert f'<p class="job-company"><a {link}>Acme Robotics</a></p>' in html
    assert f"<a {link}>All jobs at Acme Robotics</a>" in html


def test_a_company_whose_name_has_no_latin_letters_still_gets_a_page(client) -> None:
    listing = make_listing(company_name="株式会社", company_key="kabushiki-42")
    slug = listing.company.slug
    assert slug == "company-kabushiki-42"
    assert client.get(f"/companies/{slug}/").status_code == 200


def test_the_job_page_puts_recent_dates_in_words_beside_the_exact_date(client) -> None:
    listing = make_listing(posted_at=on_day(3), valid_through=in_days(2.5))
    html = client.get(listing.get_absolute_url()).content.decode()
    assert '</time> <span class="muted">(3 days ago)</span></dd>' in html
    assert re.search(r'</time> <span class="muted">\(in [23] days\)</span></dd>', html)
    later = make_listing(posted_at=posted(40), valid_through=in_days(60))
    html = client.get(later.get_absolute_url()).content.decode()
    assert "days ago)" not in html
    assert "(in " not in html
