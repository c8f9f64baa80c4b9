"""The request journal: every call recorded, secrets masked, filterable, capped."""

from __future__ import annotations

import json

from django.utils import timezone

from partner.sandbox.journal import mask_body, prune_journal
from partner.sandbox.models import JournalEntry
from partner.sandbox.selectors import journal_entries


def test_every_request_and_response_is_recorded(api, sandbox, posting):
    api.put(f"/feed/publications/{posting.id}", json={"status": "Active", "liveUrl": "https://b/1"})
    entry = sandbox.journal()[0]
    assert (entry.endpoint, entry.method, entry.status) == ("feed.put", "PUT", 200)
    assert entry.path == f"/sandbox/feed/publications/{posting.id}"
    assert json.loads(entry.request_body) == {"status": "Active", "liveUrl": "https://b/1"}
    assert json.loads(entry.response_body)["status"] == "Active"
    assert entry.response_headers["X-RateLimit-Limit"] == "10"
    assert entry.duration_ms >= 0
    assert entry.at is not None


def test_secrets_are_masked_in_headers_query_and_bodies(anonymous, api, sandbox):
    posting = sandbox.create_posting(name="Secret", with_contract=True,
                                     contract_password="hunter2-very-secret")  # fmt: skip
    anonymous.get("/feed/publications", params={"apiKey": sandbox.token, "status": "Pending"})
    api.get("/v1/offers", params={"postingId": posting.id})
    rows = JournalEntry.objects.all()
    dumped = json.dumps([[r.query, r.request_headers, r.response_body, r.credential] for r in rows])
    assert sandbox.token not in dumped
    assert "hunter2-very-secret" not in dumped
    offers = sandbox.journal(endpoint="offers.list")[0]
    assert offers.request_headers["X-Smarttoken"].startswith("sand…")
    assert offers.credential == "sand…00"
    listed = sandbox.journal(endpoint="feed.list")[0]
    assert "apiKey=sand%E2%80%A6" in listed.query


def test_a_failed_authentication_is_recorded_too(anonymous, sandbox):
    anonymous.get("/feed/publications", headers={"X-SmartToken": "guess-guess-guess"})
    entry = sandbox.journal()[0]
    assert entry.status == 401
    assert entry.credential == ""
    assert entry.request_headers["X-Smarttoken"] == "gues…ss"


def test_bulky_file_contents_are_summarised(sandbox):
    body = json.dumps({"resume": {"fileName": "cv.pdf", "fileContent": "A" * 5000}}).encode()
    assert json.loads(mask_body(body, "application/json"))["resume"]["fileContent"] == (
        "<5000 characters>"
    )
    form = mask_body(b"grant_type=client_credentials&client_secret=abcdefghijklmnop",
                     "application/x-www-form-urlencoded")  # fmt: skip
    assert "abcdefghijklmnop" not in form


def test_entries_can_be_filtered(api, sandbox, posting):
    api.get("/feed/publications", params={"status": "Pending"})
    api.get(f"/feed/publications/{posting.id}")
    api.put(f"/feed/publications/{posting.id}", json={"status": "Bogus"})
    api.get(f"/postings/{posting.job.uuid}/configuration")
    assert [e.endpoint for e in journal_entries(endpoint="feed")] == [
        "feed.put", "feed.get", "feed.list"
    ]  # fmt: skip
    assert [e.endpoint for e in journal_entries(method="put")] == ["feed.put"]
    assert [e.status for e in journal_entries(status=400)] == [400]
    assert [e.endpoint for e in journal_entries(path_prefix="/sandbox/postings/")] == [
        "apply.configuration"
    ]
    assert len(journal_entries(limit=2)) == 2


def test_the_journal_is_pruned_beyond_its_cap(sandbox, settings):
    settings.SANDBOX_JOURNAL_MAX_ROWS = 100
    now = timezone.now()
    JournalEntry.objects.bulk_create(
        JournalEntry(at=now, endpoint="feed.list", method="GET", path=f"/{i}") for i in range(130)
    )
    newest = JournalEntry.objects.order_by("-id").first()
    assert prune_journal(newest_id=newest.id) == 30
    assert JournalEntry.objects.count() == 100
    assert JournalEntry.objects.order_by("id").first().path == "/30"


def test_requests_prune_every_fifty_rows(api, sandbox, monkeypatch):
    calls = []
    monkeypatch.setattr("partner.sandbox.journal.PRUNE_EVERY", 1)
    monkeypatch.setattr("partner.sandbox.journal.prune_journal", lambda **kw: calls.append(kw))
    api.get("/v1/offers")
    assert calls == [{"newest_id": sandbox.journal()[0].id}]
