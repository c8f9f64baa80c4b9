"""The kept facet counts (board.counts) equal counting the listings, whatever happened."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from jobboard.board import counts, recount
from jobboard.board.facets import counted_on_listings, facet_counts
from jobboard.board.models import FacetCount, Listing
from jobboard.board.search import JobSearch
from jobboard.board.services import expire_listings, withdraw_listing
from tests.board.factories import make_listing, posted

pytestmark = pytest.mark.django_db

# The unfiltered board and one search per kind of single filter the table answers.
SEARCHES = [
    {},
    {"country": "de"},
    {"country": ["de", "fr"]},
    {"city": "Berlin"},
    {"function": "Engineering"},
    {"level": "Senior"},
    {"type": "Full-time"},
    {"industry": "Software"},
    {"workplace": "remote"},
    {"workplace": ["remote", "onsite"]},
    {"salary": "shown"},
    {"min_salary": "50000"},
    {"page": "2", "sort": "newest"},
]
PLACES = [
    ("Berlin", "DE", "Germany"),
    ("Munich", "DE", "Germany"),
    ("Paris", "FR", "France"),
    ("Warsaw", "PL", "Poland"),
]


def _random_listing(rng: random.Random, external_id: str) -> Listing:
    city, code, country = rng.choice(PLACES)
    salary = rng.random() < 0.6
    return make_listing(
        external_id=external_id,
        city=city,
        country_code=code,
        country=country,
        remote=rng.random() < 0.3,
        function=rng.choice(["Engineering", "Sales", ""]),
        industry=rng.choice(["Software", "Retail"]),
        experience_level=rng.choice(["Senior", "Junior"]),
        employment_type=rng.choice(["Full-time", "Part-time"]),
        # Hours and minutes apart, so some fall in the part-hours at a window's start.
        posted_at=posted(rng.uniform(0, 40)),
        valid_through=timezone.now() + timedelta(days=rng.choice([1, 30, 90])),
        salary_min=Decimal(rng.randrange(20, 90) * 1000) if salary else None,
        salary_max=None,
        salary_currency="EUR" if salary else "",
        salary_period="YEAR" if salary else "",
    )


def _assert_kept_counts_are_exact() -> None:
    now = timezone.now()
    for params in SEARCHES:
        search = JobSearch.from_params(params)
        assert counts.answerable(search) is not None, params
        kept = counts.read(search, now=now)
        counted = counted_on_listings(search, Listing.objects.visible(now=now), now=now)
        assert kept == counted, params


def test_publishing_updating_withdrawing_and_expiring_keep_the_counts_exact() -> None:
    rng = random.Random(7)
    for n in range(40):
        _random_listing(rng, f"job-{n}")
    _assert_kept_counts_are_exact()
    # Published again with other values: the counts move from the old ones to the new.
    for n in range(0, 40, 3):
        _random_listing(rng, f"job-{n}")
    _assert_kept_counts_are_exact()
    for n in range(1, 40, 4):
        withdraw_listing(source="test", external_id=f"job-{n}")
    # Withdrawing twice changes nothing more.
    withdraw_listing(source="test", external_id="job-1")
    _assert_kept_counts_are_exact()
    # A withdrawn job published again is live (and counted) again.
    _random_listing(rng, "job-1")
    _assert_kept_counts_are_exact()


def test_a_job_past_its_date_leaves_the_counts_before_and_after_the_expiry_job() -> None:
    rng = random.Random(3)
    for n in range(12):
        _random_listing(rng, f"job-{n}")
    past = Listing.objects.order_by("pk")[:4]
    Listing.objects.filter(pk__in=[p.pk for p in past]).update(
        valid_through=timezone.now() - timedelta(minutes=5)
    )
    # Still live: taken off at read time.
    _assert_kept_counts_are_exact()
    assert len(expire_listings()) == 4
    _assert_kept_counts_are_exact()


def test_the_date_windows_count_to_the_second_not_to_the_hour() -> None:
    # Either side of the 3-day boundary, within the same hour of posting.
    make_listing(posted_at=posted(3) + timedelta(minutes=2))
    make_listing(posted_at=posted(3) - timedelta(minutes=2))
    found = facet_counts(JobSearch(), Listing.objects.visible(), now=timezone.now())
    assert found["posted"]["3"] == ("", 1)
    assert found["posted"]["7"] == ("", 2)


def test_rebuilding_gives_the_counts_the_services_kept() -> None:
    rng = random.Random(11)
    for n in range(15):
        _random_listing(rng, f"job-{n}")
    withdraw_listing(source="test", external_id="job-2")
    kept = {(c.scope, c.facet, c.key): c.count for c in FacetCount.objects.filter(count__gt=0)}
    recount.rebuild()
    rebuilt = {(c.scope, c.facet, c.key): c.count for c in FacetCount.objects.all()}
    assert rebuilt == kept


def test_searches_with_keywords_a_date_or_two_filters_are_counted_on_the_listings() -> None:
    for params in (
        {"q": "engineer"},
        {"posted": "7"},
        {"country": "de", "workplace": "remote"},
        {"company": "acme"},
        {"where": "Berlin"},
    ):
        assert counts.answerable(JobSearch.from_params(params)) is None, params


def test_publishing_the_same_data_again_writes_no_counts(django_assert_num_queries) -> None:
    listing = make_listing(external_id="same", title="Baker", posted_at=posted(1))
    before = counts.snapshot(listing)
    with django_assert_num_queries(0):
        counts.apply(before=before, after=counts.snapshot(listing))


def test_one_job_whose_data_breaks_a_batch_keeps_only_itself_off_the_board() -> None:
    from jobboard.board.services import publish_listings
    from tests.board.factories import listing_data

    jobs = [
        ("a", listing_data(title="Baker")),
        # No date of posting: the column refuses NULL, and the batch's INSERT fails on it.
        ("b", listing_data(title="Broken", posted_at=None)),
        ("c", listing_data(title="Chef")),
    ]
    outcomes = publish_listings(source="test", jobs=jobs)
    assert isinstance(outcomes[1], Exception)
    assert [o[0].title for o in (outcomes[0], outcomes[2])] == ["Baker", "Chef"]  # type: ignore[index]
    assert sorted(Listing.objects.values_list("title", flat=True)) == ["Baker", "Chef"]
    _assert_kept_counts_are_exact()


def test_publishing_fifty_jobs_costs_about_a_dozen_queries(
    django_assert_max_num_queries,
) -> None:
    from django.db import connection

    from jobboard.board.services import publish_listings
    from tests.board.factories import listing_data

    jobs = [(f"job-{n}", listing_data(title=f"Job {n}", company_name="Acme")) for n in range(50)]
    # Two savepoints, the companies (read, create, read back), the listings (read,
    # insert or update), the kept counts, the search index (vectors or FTS, words).
    # PostgreSQL inserts by COPY, after drawing the new rows' ids from their sequence
    # (jobboard.bulk_insert); SQLite splits the INSERT of fifty listings: it takes 999
    # parameters at most.
    limit = 13 if connection.vendor == "postgresql" else 16
    with django_assert_max_num_queries(limit):
        publish_listings(source="test", jobs=jobs)
    # Again: the same jobs, now updates of existing listings.
    with django_assert_max_num_queries(limit):
        publish_listings(source="test", jobs=jobs)
    _assert_kept_counts_are_exact()


def test_the_date_windows_are_exact_whatever_the_time_zone_of_now() -> None:
    from datetime import timezone as tz

    rng = random.Random(5)
    for n in range(20):
        _random_listing(rng, f"job-{n}")
    # Half an hour off UTC: its whole hours are not the hours of posting kept.
    now = timezone.now().astimezone(tz(timedelta(hours=5, minutes=30)))
    search = JobSearch()
    kept = counts.read(search, now=now)
    assert kept == counted_on_listings(search, Listing.objects.visible(now=now), now=now)


def test_the_date_filter_alone_reads_its_own_counts_from_the_table() -> None:
    for days in (0.5, 2, 5, 10, 40):
        make_listing(posted_at=posted(days), country_code="DE", remote=days < 3)
    make_listing(posted_at=posted(1), country_code="FR")
    now = timezone.now()
    search = JobSearch.from_params({"posted": "7"})
    visible = Listing.objects.visible(now=now)
    expected = counted_on_listings(search, visible, now=now)
    assert facet_counts(search, visible, now=now) == expected
    assert expected["posted"]["7"] == ("", 4)
    assert expected["posted"]["30"] == ("", 5)
    assert expected["country"]["de"][1] == 3


@pytest.mark.parametrize(
    "later", [timedelta(0), timedelta(hours=7, minutes=13), timedelta(days=1, hours=2)]
)
def test_every_date_window_is_read_off_the_days_kept_exactly(later: timedelta) -> None:
    # Postings over forty days, hours and minutes apart: each window starts inside a day,
    # whose part is counted on the listings and the rest read off the day scopes. A day
    # later some are past their valid-through date but still live: taken off.
    rng = random.Random(3)
    for n in range(50):
        _random_listing(rng, f"job-{n}")
    withdraw_listing(source="test", external_id="job-4")
    now = timezone.now() + later
    visible = Listing.objects.visible(now=now)
    assert Listing.objects.past_valid_through(now=now).exists() == (later > timedelta(days=1))
    for days in ("1", "3", "7", "30"):
        search = JobSearch.from_params({"posted": days})
        assert facet_counts(search, visible, now=now) == counted_on_listings(
            search, visible, now=now
        ), days


def test_a_window_starting_at_midnight_reads_whole_days_only(django_assert_max_num_queries) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    for hours in (1, 30, 71, 73, 200):
        make_listing(posted_at=now - timedelta(hours=hours), valid_through=None)
    search = JobSearch.from_params({"posted": "3"})
    visible = Listing.objects.visible(now=now)
    assert counts.first_whole_day(now - timedelta(days=3)) == now - timedelta(days=3)
    # The whole days, the expired rows, the date counts and their part-hours: nothing is
    # counted on the listings of the window itself.
    with django_assert_max_num_queries(5):
        found = facet_counts(search, visible, now=now)
    assert found == counted_on_listings(search, visible, now=now)
    assert found["workplace"]["onsite"][1] + found["workplace"].get("remote", ("", 0))[1] == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL recounts in SQL")
def test_the_recount_in_sql_adds_up_what_the_python_recount_does() -> None:
    rng = random.Random(5)
    for n in range(60):
        _random_listing(rng, f"job-{n}")
    make_listing(external_id="bare", city="", country_code="", country="", function="")
    make_listing(external_id="max-only", salary_min=None, salary_max=Decimal("160000"))
    withdraw_listing(source="test", external_id="job-7")

    in_sql = recount._totals_in_sql(Listing._meta.db_table)
    in_python = recount._totals(Listing, chunk=100)

    assert in_sql == in_python
    # Every kept row is reached, and nothing else.
    recount.rebuild()
    assert FacetCount.objects.count() == len(in_python[0])
