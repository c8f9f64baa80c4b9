"""Each page costs a fixed number of queries, however many rows it shows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partner.sandbox import services
from partner.sandbox.models import JournalEntry

from .conftest import make_candidate

# Session + user, switches, clock, then the page's own queries.
MAX_QUERIES = 12


@pytest.fixture
def busy(posting, settings):
    """Many postings over several companies, with events, candidates and journal rows."""
    postings = [posting]
    for index in range(30):
        other = services.create_posting(name=f"Job {index}", company_name=f"Company {index % 6}")
        if index % 3 == 0:
            services.update_posting_status(
                posting=other, status="Active", live_url=f"https://board.example/jobs/{index}/"
            )
        postings.append(other)
    for index, other in enumerate(postings[:12]):
        make_candidate(other, email=f"person{index}@example.org")
        make_candidate(posting, email=f"applicant{index}@example.org")
    api = Client()
    for _ in range(12):
        api.get(
            "/sandbox/feed/publications?status=Pending",
            HTTP_X_SMARTTOKEN=settings.SANDBOX_DEMO_PARTNER_TOKEN,
        )
    return postings


def _urls(posting) -> list[str]:
    candidate = posting.job.candidates.first()
    return [
        reverse("sandbox:console"),
        reverse("sandbox:console-postings"),
        reverse("sandbox:console-postings") + "?status=Active",
        reverse("sandbox:console-posting", args=[posting.id]),
        reverse("sandbox:console-posting-new"),
        reverse("sandbox:console-posting-repost", args=[posting.id]),
        reverse("sandbox:console-companies"),
        reverse("sandbox:console-company", args=[posting.company_id]),
        reverse("sandbox:console-candidates"),
        reverse("sandbox:console-candidate", args=[candidate.pk]),
        reverse("sandbox:console-journal"),
        reverse("sandbox:console-journal") + "?endpoint=feed.list&status=2xx",
        reverse("sandbox:console-journal-entry", args=[JournalEntry.objects.latest("id").pk]),
        reverse("sandbox:console-faults"),
    ]


def test_every_page_stays_within_a_fixed_query_budget(
    staff_client, busy, django_assert_max_num_queries
):
    for url in _urls(busy[0]):
        with django_assert_max_num_queries(MAX_QUERIES):
            assert staff_client.get(url).status_code == 200, url


def test_the_query_count_does_not_grow_with_the_rows(staff_client, posting):
    # One row of each kind first: an empty list skips its page query, which is no growth.
    make_candidate(posting)
    live = services.create_posting(name="Live", company_name="Co 0")
    services.update_posting_status(posting=live, status="Active", live_url="https://b.example/")
    Client().get("/sandbox/feed/publications", HTTP_X_SMARTTOKEN="nope")

    urls = _urls(posting)
    small = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            staff_client.get(url)
        small[url] = len(queries)

    for index in range(20):
        other = services.create_posting(name=f"More {index}", company_name=f"Co {index % 4}")
        make_candidate(other, email=f"more{index}@example.org")
        make_candidate(posting, email=f"again{index}@example.org")
        services.update_posting_status(
            posting=other, status="Active", live_url="https://b.example/"
        )
        Client().get("/sandbox/feed/publications", HTTP_X_SMARTTOKEN="nope")

    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            staff_client.get(url)
        assert len(queries) == small[url], url
