"""Saved jobs without an account: the page that lists them from the ids in its URL."""

from __future__ import annotations

import pytest

from jobboard.board.services import withdraw_listing
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db


def test_the_saved_page_lists_the_jobs_in_its_url_in_their_order(client) -> None:
    first = make_listing(title="Baker")
    second = make_listing(title="Brewer")
    make_listing(title="Butcher")
    response = client.get("/saved/", {"id": [second.pk, first.pk, second.pk, "x", "-3"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Brewer") < html.index("Baker")
    assert "Butcher" not in html
    assert "2 saved jobs" in html
    assert f'data-ids="{second.pk},{first.pk}"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_a_saved_job_that_is_gone_says_so(client) -> None:
    make_listing(source="s", external_id="1", title="Baker")
    gone = withdraw_listing(source="s", external_id="1")
    html = client.get("/saved/", {"id": gone.pk}).content.decode()
    assert "Baker" in html
    assert "This job is no longer available." in html
    assert gone.get_absolute_url() not in html


def test_an_empty_saved_page_explains_how_saving_works(client) -> None:
    html = client.get("/saved/").content.decode()
    assert "No saved jobs here yet" in html
    assert "Saving needs JavaScript" in html


def test_save_buttons_are_hidden_until_the_script_shows_them(client) -> None:
    listing = make_listing(title="Baker", company_name="Crumbs")
    for url in ("/", listing.get_absolute_url(), "/companies/crumbs/"):
        html = client.get(url).content.decode()
        assert f'data-save-job="{listing.pk}" aria-pressed="false" hidden>' in html, url
    assert (
        '<a href="/saved/">Saved jobs<span class="saved-count" data-saved-count></span></a>' in html
    )


def test_the_saved_page_costs_one_query_for_few_or_many_jobs(
    client, django_assert_max_num_queries
) -> None:
    few = [make_listing().pk for _ in range(2)]
    with django_assert_max_num_queries(2) as captured_few:
        client.get("/saved/", {"id": few})
    many = [make_listing().pk for _ in range(30)]
    with django_assert_max_num_queries(2) as captured_many:
        client.get("/saved/", {"id": many + ["999999"] * 3})
    assert len(captured_few.captured_queries) == len(captured_many.captured_queries)
