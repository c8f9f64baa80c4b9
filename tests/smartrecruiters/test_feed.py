"""The feed client's parsing and paging, against respx (every variation §7 tolerates)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
import respx

from partner.smartrecruiters import errors, feed

API = "https://sr.test/api"

EXAMPLE = {
    "id": "311000101",
    "uuid": "8c1f5a2e-3b7d-4e0a-9a51-2f6d0c4b7e11",
    "name": "Senior Backend Engineer",
    "refNumber": "ENG-2041",
    "status": "Pending",
    "postedDate": "2025-03-04T09:15:02.000Z",
    "applyUrl": "https://jobs.smartrecruiters.com/AcmeCorp/743999000001?oga=true",
    "location": {
        "city": "Berlin",
        "country": "Germany",
        "countryCode": "de",
        "longitude": "13.404954",
        "latitude": "52.520008",
        "remote": True,
    },
    "company": {"id": "12379433", "name": "Acme Corp"},
    "creator": {"firstName": "Jane", "lastName": "Roe", "email": "jane.roe@acme.example"},
    "compensation": {"min": 70000, "max": 90000, "currency": "EUR", "period": "YEAR"},
    "typeOfEmployment": {"id": "permanent", "label": "Full-time"},
    "jobAd": {"jobDescription": "<p>You will build APIs.</p>", "videoUrl": "https://v.example/a"},
}


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SMARTRECRUITERS_API_URL = API
    settings.SMARTRECRUITERS_PARTNER_TOKEN = "k" * 64
    settings.SMARTRECRUITERS_BACKOFF_BASE = 0.001
    settings.SMARTRECRUITERS_BACKOFF_CAP = 0.01
    settings.SMARTRECRUITERS_RATE_PER_SECOND = 1000.0


def test_it_parses_the_contract_example():
    posting = feed.parse_posting(EXAMPLE)
    assert posting is not None
    assert posting.id == "311000101"
    assert posting.name == "Senior Backend Engineer"
    assert posting.posted_at == datetime(2025, 3, 4, 9, 15, 2, tzinfo=UTC)
    assert posting.location.latitude == Decimal("52.520008")
    assert posting.location.remote is True
    assert posting.company.label == "Acme Corp"
    assert posting.compensation.min == Decimal(70000)
    assert posting.type_of_employment.label == "Full-time"
    assert posting.job_ad.video_url == "https://v.example/a"


def test_it_tolerates_numbers_ids_missing_objects_and_top_level_video_url():
    item = {
        "id": 311000102,
        "uuid": "u-2",
        "name": "Nurse",
        "status": "Pending",
        "postedDate": "2025-03-04T09:15:02+0000",
        "location": {"latitude": 52.5, "longitude": 13.4},
        "compensation": {"currency": "eur"},
        "typeOfEmployment": {"label": "Part-time"},
        "company": {},
        "jobAd": {},
        "videoUrl": "https://v.example/b",
        "somethingNew": {"x": 1},
    }
    posting = feed.parse_posting(item)
    assert posting is not None
    assert posting.id == "311000102"
    assert posting.posted_at == datetime(2025, 3, 4, 9, 15, 2, tzinfo=UTC)
    assert posting.location.latitude == Decimal("52.5")
    assert posting.location.remote is False
    assert posting.compensation.min is None
    assert posting.compensation.currency == "EUR"
    assert posting.type_of_employment == feed.Labelled(id="", label="Part-time")
    assert posting.job_ad.video_url == "https://v.example/b"


def test_an_item_without_id_or_uuid_is_skipped_but_counted_for_paging():
    page = feed.parse_feed_page(
        {"totalFound": "3", "jobs": [EXAMPLE, {"uuid": "x", "name": "n"}, {"id": "9"}]}
    )
    assert [p.id for p in page.postings] == ["311000101"]
    assert page.received == 3
    assert page.skipped == 2
    assert page.total_found == 3


def test_it_accepts_content_instead_of_jobs_and_numbers_as_numbers():
    page = feed.parse_feed_page({"offset": 0, "limit": 100, "totalFound": 1, "content": [EXAMPLE]})
    assert page.total_found == 1
    assert page.postings[0].uuid == EXAMPLE["uuid"]


def test_a_page_without_a_list_is_malformed():
    with pytest.raises(errors.MalformedResponseError):
        feed.parse_feed_page({"totalFound": "1"})


def test_dates_with_and_without_millis_and_offsets_parse():
    expected = datetime(2025, 1, 10, 10, 0, tzinfo=UTC)
    for text in (
        "2025-01-10T10:00:00.000+0000",
        "2025-01-10T10:00:00Z",
        "2025-01-10T10:00:00.000Z",
        "2025-01-10T10:00:00+00:00",
    ):
        assert feed.parse_datetime_tolerant(text) == expected
    assert feed.parse_datetime_tolerant("yesterday") is None


@respx.mock
def test_paging_adds_the_items_received_until_total_found():
    def page(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        assert request.url.params["status"] == "Pending"
        assert request.url.params["limit"] == "2"
        jobs = [dict(EXAMPLE, id=str(n), uuid=f"u{n}") for n in range(offset, min(offset + 2, 5))]
        return httpx.Response(200, json={"totalFound": "5", "offset": str(offset), "jobs": jobs})

    route = respx.get(f"{API}/feed/publications").mock(side_effect=page)
    pages = list(feed.iter_pages(statuses=["Pending"], limit=2))
    assert [len(p.postings) for p in pages] == [2, 2, 1]
    assert route.call_count == 3


@respx.mock
def test_paging_stops_on_an_empty_page_even_if_total_found_says_more():
    respx.get(f"{API}/feed/publications").respond(200, json={"totalFound": "50", "jobs": []})
    assert len(list(feed.iter_pages(statuses=["toUnpost"]))) == 1


@respx.mock
def test_update_status_sends_active_with_live_url_and_accepts_any_2xx():
    route = respx.put(f"{API}/feed/publications/7").respond(204)
    feed.update_status("7", status="Active", live_url="https://board.test/jobs/1-x/")
    body = json.loads(route.calls.last.request.content)
    assert body == {"status": "Active", "liveUrl": "https://board.test/jobs/1-x/"}


@respx.mock
def test_update_status_sends_error_with_its_comment():
    route = respx.put(f"{API}/feed/publications/7").respond(200, text="not json")
    feed.update_status("7", status="Error", comment="The job has no title")
    assert json.loads(route.calls.last.request.content) == {
        "status": "Error",
        "comment": "The job has no title",
    }


def test_update_status_refuses_statuses_that_belong_to_smartrecruiters():
    with pytest.raises(ValueError, match="toUnpost"):
        feed.update_status("7", status="toUnpost")


@respx.mock
def test_get_offer_reads_terms_and_keeps_the_contract_out_of_the_raw_copy():
    respx.get(f"{API}/v1/offers").respond(
        200,
        json={
            "limit": 100,
            "offset": 0,
            "totalFound": 1,
            "content": [
                {
                    "id": "64f0",
                    "terms": {
                        "price": {"amount": 150, "currencyCode": "EUR"},
                        "postingPeriod": 45,
                        "existingContract": {"login": "acme-hr", "password": "s3cret"},
                    },
                }
            ],
        },
    )
    offer = feed.get_offer("311000101")
    assert offer is not None
    assert offer.posting_period == 45
    assert offer.price.amount == Decimal(150)
    assert offer.existing_contract == feed.ExistingContract(login="acme-hr", password="s3cret")
    assert "s3cret" not in json.dumps(offer.raw)
    assert "s3cret" not in repr(offer)


@respx.mock
def test_get_offer_defaults_the_posting_period_and_returns_none_when_empty():
    respx.get(f"{API}/v1/offers", params={"postingId": "1"}).respond(
        200, json={"totalFound": 1, "content": [{"terms": {}}]}
    )
    respx.get(f"{API}/v1/offers", params={"postingId": "2"}).respond(
        200, json={"totalFound": 0, "content": []}
    )
    assert feed.get_offer("1").posting_period == 30
    assert feed.get_offer("2") is None
