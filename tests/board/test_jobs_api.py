"""The public jobs API: the board's search as JSON, live jobs only, cheap to revalidate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobboard.board.models import Listing
from jobboard.board.services import withdraw_listing
from tests.board.factories import make_listing, posted

pytestmark = pytest.mark.django_db

LIST = "/api/v1/jobs/"

# Fields a job seeker cannot read on the board: they must never leave through the API.
HIDDEN_FIELDS = {
    "source", "external_id", "job_key", "reference", "state", "state_changed_at",
    "search_vector", "salary_annual", "industry_code", "function_code", "created_at",
    "updated_at", "latitude", "longitude",
}  # fmt: skip


def _ids(response) -> list[int]:
    return [job["id"] for job in response.json()["results"]]


def test_it_lists_live_jobs_newest_first_with_what_the_board_shows(client) -> None:
    older = make_listing(title="Accountant", posted_at=posted(3), salary_min=None, salary_max=None)
    newer = make_listing(
        title="Data Engineer", posted_at=posted(1), city="Berlin", country="Germany",
        country_code="DE", salary_min=70_000, salary_max=90_000, salary_currency="EUR",
        salary_period="YEAR",
    )  # fmt: skip

    response = client.get(LIST)

    assert response.status_code == 200
    assert _ids(response) == [newer.pk, older.pk]
    job = response.json()["results"][0]
    assert job["title"] == "Data Engineer"
    assert job["url"] == f"https://jobs.example.org/jobs/{newer.pk}-data-engineer/"
    assert job["company"]["url"] == f"https://jobs.example.org/companies/{newer.company.slug}/"
    assert job["location"]["display"] == "Berlin, Germany"
    assert job["location"]["country_code"] == "de"
    assert job["salary"]["display"] == "EUR 70,000 \u2013 90,000 a year"
    assert (job["salary"]["min"], job["salary"]["max"]) == (70_000, 90_000)
    assert response.json()["results"][1]["salary"] is None
    assert not HIDDEN_FIELDS & set(job)


def test_it_filters_with_the_board_parameters(client) -> None:
    python_berlin = make_listing(
        title="Python Developer", city="Berlin", country="Germany", country_code="DE",
        function="Engineering", remote=False,
    )  # fmt: skip
    make_listing(title="Python Developer", city="Paris", country="France", country_code="FR")
    make_listing(title="Accountant", city="Berlin", country="Germany", country_code="DE")
    other_company = make_listing(
        title="Python Developer", company_name="Elsewhere GmbH", city="Lyon", country_code="FR"
    )

    assert set(_ids(client.get(LIST, {"q": "python", "country": "de"}))) == {python_berlin.pk}
    assert set(_ids(client.get(LIST, {"company": "elsewhere-gmbh"}))) == {other_company.pk}
    found = _ids(client.get(LIST, {"q": "python", "where": "Berlin", "function": "Engineering"}))
    assert found == [python_berlin.pk]


def test_pages_follow_cursors_without_gaps_or_repeats(client) -> None:
    same_moment = posted(1)
    jobs = [make_listing(posted_at=same_moment) for _ in range(5)]
    jobs += [make_listing(posted_at=posted(2 + i)) for i in range(4)]

    seen: list[int] = []
    url = f"{LIST}?limit=4"
    pages = 0
    while url:
        body = client.get(url).json()
        seen += [job["id"] for job in body["results"]]
        url = body["next"]
        pages += 1

    assert pages == 3
    assert sorted(seen) == sorted(job.pk for job in jobs)
    assert len(seen) == len(set(seen))


def test_a_bad_cursor_is_a_json_error(client) -> None:
    response = client.get(LIST, {"cursor": "not-a-cursor"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_page_size_is_capped(client) -> None:
    for _ in range(3):
        make_listing()
    assert len(_ids(client.get(LIST, {"limit": "2"}))) == 2
    assert len(_ids(client.get(LIST, {"limit": "0"}))) == 1
    assert len(_ids(client.get(LIST, {"limit": "5000"}))) == 3


def test_a_withdrawn_or_expired_job_is_never_listed_nor_shown(client) -> None:
    live = make_listing()
    gone = make_listing(external_id="gone")
    lapsed = make_listing(valid_through=timezone.now() + timedelta(days=1))
    Listing.objects.filter(pk=lapsed.pk).update(valid_through=timezone.now() - timedelta(hours=1))
    withdraw_listing(source="test", external_id="gone")

    assert _ids(client.get(LIST)) == [live.pk]
    assert client.get(f"{LIST}{live.pk}/").status_code == 200
    for pk in (gone.pk, lapsed.pk):
        response = client.get(f"{LIST}{pk}/")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "Not found."}


def test_the_detail_shows_the_ad_and_how_to_apply(client) -> None:
    job = make_listing(title="Data Engineer", job_description="<p>Build <b>pipelines</b></p>")

    body = client.get(f"{LIST}{job.pk}/").json()

    assert body["job_description"] == "<p>Build <b>pipelines</b></p>"
    assert body["apply_url"] == f"https://jobs.example.org/jobs/{job.pk}-data-engineer/apply/"
    assert not HIDDEN_FIELDS & set(body)


def test_an_unchanged_list_is_not_sent_again(client) -> None:
    make_listing()
    first = client.get(LIST, {"q": "engineer"})
    assert first["Cache-Control"] == "public, no-cache"

    by_etag = client.get(LIST, {"q": "engineer"}, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(LIST, {"q": "engineer"}, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    other_search = client.get(LIST, {"q": "python"}, HTTP_IF_NONE_MATCH=first["ETag"])

    assert by_etag.status_code == 304
    assert by_etag["ETag"] == first["ETag"]
    assert by_date.status_code == 304
    assert other_search.status_code == 200


def test_a_withdrawal_changes_the_list_etag_at_once(client) -> None:
    make_listing()
    make_listing(external_id="soon-gone")
    first = client.get(LIST)

    withdraw_listing(source="test", external_id="soon-gone")
    again = client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert len(again.json()["results"]) == 1


def test_a_lapsed_valid_through_date_changes_the_list_etag(client) -> None:
    job = make_listing(valid_through=timezone.now() + timedelta(days=1))
    first = client.get(LIST)
    # Its date passes with no write to the listing (the expiry job has not run yet).
    Listing.objects.filter(pk=job.pk).update(
        valid_through=timezone.now() - timedelta(seconds=1), updated_at=job.updated_at
    )

    again = client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again.json()["results"] == []


def test_an_unchanged_job_is_not_sent_again_and_an_edit_is(client) -> None:
    job = make_listing(external_id="job")
    first = client.get(f"{LIST}{job.pk}/")

    assert client.get(f"{LIST}{job.pk}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Listing.objects.filter(pk=job.pk).update(
        title="Renamed", updated_at=job.updated_at + timedelta(seconds=2)
    )
    edited = client.get(f"{LIST}{job.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert edited.status_code == 200
    assert edited.json()["title"] == "Renamed"


def test_each_client_address_has_its_own_rate_limit(client, settings) -> None:
    settings.JOBS_API_RATE_LIMIT = 3
    settings.JOBS_API_RATE_WINDOW = 60
    answers = [client.get(LIST, REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
    limited = client.get(LIST, REMOTE_ADDR="203.0.113.7", HTTP_ORIGIN="https://employer.example")

    assert answers == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert limited.json()["code"] == "rate_limited"
    # A page on another site can read the 429 and its Retry-After.
    assert limited["Access-Control-Allow-Origin"] == "*"
    assert client.get(LIST, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_any_origin_may_read_it_with_get(client) -> None:
    job = make_listing()
    for url in (LIST, f"{LIST}{job.pk}/"):
        response = client.get(url, HTTP_ORIGIN="https://employer.example")
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert "Access-Control-Allow-Credentials" not in response


def test_a_preflight_allows_reading_and_revalidating_only(client) -> None:
    allowed = client.options(
        LIST,
        HTTP_ORIGIN="https://employer.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    refused = client.options(
        LIST, HTTP_ORIGIN="https://employer.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == "*"
    assert allowed["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in allowed["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in refused
    assert client.post(LIST, HTTP_ORIGIN="https://employer.example").status_code == 405


def test_cors_stays_within_the_public_api(client) -> None:
    response = client.get("/", HTTP_ORIGIN="https://employer.example")
    assert "Access-Control-Allow-Origin" not in response


def test_the_schema_documents_the_jobs_api(client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    listing = schema["paths"]["/api/v1/jobs/"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert {"q", "where", "company", "cursor", "limit", "function"} <= names
    assert "/api/v1/jobs/{id}/" in schema["paths"]
    card = schema["components"]["schemas"]["JobCard"]["properties"]
    salary = schema["components"]["schemas"]["Salary"]["properties"]
    assert salary["min"]["type"] == "number"
    assert {"title", "url", "company", "salary"} <= set(card)
    assert not HIDDEN_FIELDS & set(card)


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "engineer", "country": "de"}, {"where": "Berlin", "radius": "50"}],
    ids=["all", "keywords and country", "near a city"],
)
def test_a_page_costs_the_same_queries_for_few_or_many_jobs(
    client, django_assert_max_num_queries, params
) -> None:
    for _ in range(30):
        make_listing()
    # The board's state, the gazetteer's place (when asked) and the page's rows.
    with django_assert_max_num_queries(3):
        response = client.get(LIST, {**params, "limit": "25"})
    assert response.status_code == 200


def test_a_revalidated_page_costs_one_query(client, django_assert_max_num_queries) -> None:
    make_listing()
    first = client.get(LIST)
    with django_assert_max_num_queries(1):
        assert client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_job_costs_one_query(client, django_assert_max_num_queries) -> None:
    job = make_listing()
    with django_assert_max_num_queries(1):
        assert client.get(f"{LIST}{job.pk}/").status_code == 200
