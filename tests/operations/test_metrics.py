"""/metrics: off unless configured, guarded by a token or networks, and counting what matters."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from django.test import Client

from jobboard.operations import metrics
from jobboard.operations.models import CallStat
from jobboard.operations.recording import register_schedule

pytestmark = pytest.mark.django_db


def test_metrics_are_off_until_a_token_or_networks_are_configured(client: Client) -> None:
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_bearer_token(client: Client, settings) -> None:
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("text/plain")


def test_metrics_answer_a_client_in_the_allowed_networks(client: Client, settings) -> None:
    settings.METRICS_ALLOWED_NETWORKS = [ip_network("10.0.0.0/8")]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 401


def test_metrics_count_smartrecruiters_calls_and_read_job_ages(client: Client, settings) -> None:
    settings.METRICS_TOKEN = "t"
    register_schedule()
    metrics.record_sr_call(
        api="feed", endpoint="list_postings", status=429, seconds=0.2, retried=True
    )
    metrics.record_task_run("partner.postings.tasks.sync_feed", "success")
    text = client.get("/metrics", headers={"Authorization": "Bearer t"}).content.decode()
    assert (
        'smartrecruiters_requests_total{api="feed",endpoint="list_postings",status="429"}' in text
    )
    assert 'smartrecruiters_rate_limited_total{api="feed",endpoint="list_postings"}' in text
    assert 'smartrecruiters_retries_total{api="feed",endpoint="list_postings"}' in text
    assert "smartrecruiters_request_seconds_bucket" in text
    assert 'celery_task_runs_total{outcome="success",task="partner.postings.tasks.sync_feed"}' in (
        text
    )
    assert 'periodic_job_seconds_since_success{job="sync-feed"}' in text
    assert 'periodic_job_overdue{job="sync-feed"} 0.0' in text


def test_calls_are_kept_per_minute_api_and_outcome_for_the_health_page(client: Client) -> None:
    for status in (200, 200, 429, 503, None, 404):
        metrics.record_sr_call(
            api="apply", endpoint="create", status=status, seconds=0.1, retried=False
        )
    client.get("/healthz")  # the end of a request writes what the process counted
    counts = dict(CallStat.objects.values_list("outcome", "count"))
    assert counts == {"2xx": 2, "429": 1, "5xx": 1, "network": 1, "4xx": 1}
