"""The journal: every API request and answer, filterable, with masked headers and bodies."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from partner.sandbox.models import JournalEntry


@pytest.fixture
def traffic(posting, settings):
    """Four real API calls: two feed reads, one bad key, one PUT."""
    api = Client()
    token = settings.SANDBOX_DEMO_PARTNER_TOKEN
    api.get("/sandbox/feed/publications?status=Pending", HTTP_X_SMARTTOKEN=token)
    api.get(f"/sandbox/feed/publications/{posting.id}", HTTP_X_SMARTTOKEN=token)
    api.get("/sandbox/feed/publications?status=Pending", HTTP_X_SMARTTOKEN="not-the-key")
    api.put(
        f"/sandbox/feed/publications/{posting.id}",
        data='{"status": "Active", "liveUrl": "https://board.example/jobs/1-x/"}',
        content_type="application/json",
        HTTP_X_SMARTTOKEN=token,
    )
    return JournalEntry.objects.order_by("id")


def _listed(client, **filters):
    return list(client.get(reverse("sandbox:console-journal"), filters).context["page"])


def test_the_journal_lists_every_call_newest_first(staff_client, traffic):
    assert _listed(staff_client) == list(traffic.order_by("-id"))


def test_the_journal_filters_by_endpoint(staff_client, traffic):
    entries = _listed(staff_client, endpoint="feed.get")
    assert [e.endpoint for e in entries] == ["feed.get"]


def test_the_journal_filters_by_method(staff_client, traffic):
    assert [e.method for e in _listed(staff_client, method="PUT")] == ["PUT"]


def test_the_journal_filters_by_status_code_and_class(staff_client, traffic):
    assert [e.status for e in _listed(staff_client, status="401")] == [401]
    assert {e.status for e in _listed(staff_client, status="2xx")} == {200}
    assert len(_listed(staff_client, status="2xx")) == 3


def test_the_journal_filters_by_path(staff_client, traffic, posting):
    entries = _listed(staff_client, path=str(posting.id))
    assert len(entries) == 2
    assert all(str(posting.id) in e.path for e in entries)


def test_an_invalid_status_filter_is_explained_not_applied(staff_client, traffic):
    response = staff_client.get(reverse("sandbox:console-journal"), {"status": "teapot"})
    assert len(response.context["page"]) == 4
    assert "Use a status code" in response.content.decode()


def test_the_endpoint_filter_offers_the_sandbox_endpoints(staff_client, db):
    html = staff_client.get(reverse("sandbox:console-journal")).content.decode()
    for name in ["feed.list", "feed.get", "feed.put", "offers.list", "apply.candidates"]:
        assert f'<option value="{name}">' in html


def test_the_detail_shows_masked_headers_and_both_bodies(staff_client, traffic, settings):
    put = traffic.get(method="PUT")

    response = staff_client.get(reverse("sandbox:console-journal-entry", args=[put.pk]))
    html = response.content.decode()

    assert settings.SANDBOX_DEMO_PARTNER_TOKEN not in html
    assert "X-Smarttoken" in html or "X-SmartToken" in html
    assert "https://board.example/jobs/1-x/" in html  # request body
    assert "&quot;status&quot;: &quot;Active&quot;" in html  # response body, pretty-printed
    assert "X-RateLimit-Limit" in html


def test_the_journal_is_paginated(staff_client, db, settings):
    api = Client()
    for _ in range(55):
        api.get("/sandbox/feed/publications", HTTP_X_SMARTTOKEN="nope")

    first = staff_client.get(reverse("sandbox:console-journal"), {"status": "401"})
    second = staff_client.get(reverse("sandbox:console-journal"), {"status": "401", "page": "2"})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5
    # Page links keep the filter.
    assert "?status=401&amp;page=2" in first.content.decode()


def test_the_journal_filters_by_a_whole_api(staff_client, traffic, posting, settings):
    Client().get(f"/sandbox/v1/offers?postingId={posting.id}", HTTP_X_SMARTTOKEN="nope")

    feed = _listed(staff_client, endpoint="feed")
    offers = _listed(staff_client, endpoint="offers")

    assert len(feed) == 4
    assert all(e.endpoint.startswith("feed.") for e in feed)
    assert [e.endpoint for e in offers] == ["offers.list"]
