"""The relay against local stubs of Google and IndexNow, over real HTTP."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone

from jobboard.board.services import withdraw_listing
from jobboard.searchengines.models import SearchEngineNotice
from jobboard.searchengines.relay import relay_notices
from tests.board.factories import make_listing
from tests.searchengines.conftest import INDEXNOW_KEY, SERVICE_EMAIL
from tests.searchengines.stubs import Reply

pytestmark = pytest.mark.django_db

State = SearchEngineNotice.State


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _due_now() -> None:
    # The backoff's wait, skipped: what matters is what the next relay run does.
    SearchEngineNotice.objects.filter(state=State.PENDING).update(next_attempt_at=timezone.now())


def test_google_gets_a_signed_service_account_token_request_then_the_url(
    configured, google_key
) -> None:
    job = make_listing(title="Baker")

    result = relay_notices()

    assert result.sent == 2
    token_request = configured.to("/token")[0]
    form = parse_qs(token_request.body.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    header, claims, signature = form["assertion"][0].split(".")
    google_key.public_key().verify(
        _b64decode(signature),
        f"{header}.{claims}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )  # raises unless signed by the service account's key
    claims_body = json.loads(_b64decode(claims))
    assert claims_body["iss"] == SERVICE_EMAIL
    assert claims_body["scope"] == "https://www.googleapis.com/auth/indexing"
    assert claims_body["aud"] == f"{configured.url}/token"
    assert claims_body["exp"] - claims_body["iat"] == 3600
    publish = configured.to("/publish")[0]
    assert publish.headers["authorization"] == "Bearer ya29.test-token"
    assert publish.json() == {
        "url": f"https://jobs.example.org/jobs/{job.pk}-baker/",
        "type": "URL_UPDATED",
    }
    assert set(SearchEngineNotice.objects.values_list("state", flat=True)) == {State.SENT}


def test_the_token_is_reused_until_it_expires(configured) -> None:
    make_listing()
    make_listing()
    relay_notices()
    assert len(configured.to("/publish")) == 2
    assert len(configured.to("/token")) == 1


def test_the_token_url_setting_overrides_the_file(configured, settings) -> None:
    settings.GOOGLE_INDEXING_TOKEN_URL = f"{configured.url}/other-token"
    configured.defaults["/other-token"] = Reply(body={"access_token": "t2", "expires_in": 3600})
    make_listing()
    relay_notices()
    assert len(configured.to("/other-token")) == 1
    assert configured.to("/publish")[0].headers["authorization"] == "Bearer t2"


def test_indexnow_gets_one_batch_with_our_key(configured) -> None:
    jobs = [make_listing(title=f"Job {n}") for n in range(3)]

    relay_notices()

    (request,) = configured.to("/indexnow")
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    body = request.json()
    assert body["host"] == "jobs.example.org"
    assert body["key"] == INDEXNOW_KEY
    assert body["keyLocation"] == f"https://jobs.example.org/{INDEXNOW_KEY}.txt"
    assert sorted(body["urlList"]) == sorted(
        f"https://jobs.example.org/jobs/{job.pk}-job-{n}/" for n, job in enumerate(jobs)
    )


def test_a_5xx_is_retried_later_and_then_sent(configured) -> None:
    configured.reply("/publish", Reply(status=503, body={"error": "backend"}))
    configured.reply("/indexnow", Reply(status=500))
    make_listing()

    first = relay_notices()
    assert (first.sent, first.retried) == (0, 2)
    notice = SearchEngineNotice.objects.get(engine="google")
    assert notice.state == State.PENDING
    assert notice.attempts == 1
    assert "HTTP 503" in notice.last_error

    _due_now()
    second = relay_notices()

    assert second.sent == 2
    assert len(configured.to("/publish")) == 2
    assert len(configured.to("/indexnow")) == 2


def test_a_429_waits_at_least_its_retry_after(configured) -> None:
    configured.reply("/publish", Reply(status=429, headers={"Retry-After": "900"}))
    configured.defaults["/indexnow"] = Reply(status=202)
    make_listing()

    relay_notices()

    notice = SearchEngineNotice.objects.get(engine="google")
    assert notice.state == State.PENDING
    assert (notice.next_attempt_at - timezone.now()).total_seconds() > 850


def test_a_timeout_is_retried(configured) -> None:
    configured.reply("/publish", Reply(delay=2.0))
    configured.reply("/indexnow", Reply(delay=2.0))
    make_listing()

    result = relay_notices()

    assert result.retried == 2
    for notice in SearchEngineNotice.objects.all():
        assert notice.state == State.PENDING
        assert "no answer within 0.5 s" in notice.last_error
    _due_now()
    assert relay_notices().sent == 2


def test_retries_are_bounded(configured) -> None:
    configured.defaults["/publish"] = Reply(status=500)
    configured.defaults["/indexnow"] = Reply(status=500)
    make_listing()

    for _ in range(3):  # SEARCH_NOTIFY_MAX_ATTEMPTS
        relay_notices()
        _due_now()

    assert set(SearchEngineNotice.objects.values_list("state", flat=True)) == {State.FAILED}
    assert relay_notices().sent == 0
    assert len(configured.to("/publish")) == 3


def test_a_refused_notification_is_not_retried(configured) -> None:
    configured.reply("/publish", Reply(status=403, body={"error": "not a site owner"}))
    configured.reply("/indexnow", Reply(status=422))
    make_listing()

    result = relay_notices()
    _due_now()
    relay_notices()

    assert result.failed == 2
    assert set(SearchEngineNotice.objects.values_list("state", flat=True)) == {State.FAILED}
    assert len(configured.to("/publish")) == 1


def test_an_outage_costs_one_call_per_run_not_one_per_notice(configured) -> None:
    configured.defaults["/publish"] = Reply(status=503)
    for _ in range(4):
        make_listing()

    relay_notices()

    assert len(configured.to("/publish")) == 1
    google = SearchEngineNotice.objects.filter(engine="google")
    assert sorted(google.values_list("attempts", flat=True)) == [0, 0, 0, 1]
    assert set(google.values_list("state", flat=True)) == {State.PENDING}


def test_a_rejected_token_is_renewed_on_the_next_try(configured) -> None:
    configured.reply("/publish", Reply(status=401))
    make_listing()

    relay_notices()
    _due_now()
    relay_notices()

    assert len(configured.to("/token")) == 2
    assert SearchEngineNotice.objects.get(engine="google").state == State.SENT


def test_no_duplicate_notification_for_the_same_url(configured) -> None:
    job = make_listing(external_id="job", title="Baker")
    relay_notices()
    withdraw_listing(source="test", external_id="job")
    withdraw_listing(source="test", external_id="job")

    relay_notices()
    relay_notices()

    url = f"https://jobs.example.org/jobs/{job.pk}-baker/"
    sent = [(r.json()["url"], r.json()["type"]) for r in configured.to("/publish")]
    assert sent == [(url, "URL_UPDATED"), (url, "URL_DELETED")]
    assert [r.json()["urlList"] for r in configured.to("/indexnow")] == [[url], [url]]


def test_nothing_is_sent_when_unconfigured(unconfigured, engines) -> None:
    make_listing()
    assert relay_notices().sent == 0
    assert engines.requests == []


def test_an_unusable_service_account_file_waits_for_the_operator(configured, settings) -> None:
    settings.GOOGLE_INDEXING_CREDENTIALS_FILE = "/nonexistent/service-account.json"
    make_listing()

    relay_notices()

    notice = SearchEngineNotice.objects.get(engine="google")
    assert notice.state == State.PENDING
    assert "missing or unusable" in notice.last_error
    assert "PRIVATE KEY" not in notice.last_error
