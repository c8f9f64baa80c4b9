"""Which board changes become notices, written with the change, never twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from jobboard.board.services import expire_listings, publish_listing, withdraw_listing
from jobboard.operations.outboxes import outbox_models
from jobboard.searchengines.models import SearchEngineNotice
from tests.board.factories import listing_data, make_listing

pytestmark = pytest.mark.django_db

State = SearchEngineNotice.State


def _notices(**filters) -> list[tuple[str, str, str]]:
    rows = SearchEngineNotice.objects.filter(**filters).order_by("engine", "pk")
    return list(rows.values_list("engine", "action", "state"))


def test_a_published_job_is_announced_to_each_configured_engine(configured) -> None:
    job = make_listing(title="Baker")
    url = f"https://jobs.example.org/jobs/{job.pk}-baker/"

    assert _notices(url=url) == [
        ("google", "URL_UPDATED", "pending"),
        ("indexnow", "URL_UPDATED", "pending"),
    ]


def test_nothing_is_recorded_when_no_engine_is_configured(unconfigured) -> None:
    make_listing(external_id="job")
    withdraw_listing(source="test", external_id="job")
    assert SearchEngineNotice.objects.count() == 0


def test_only_the_configured_engine_gets_notices(configured, settings) -> None:
    settings.GOOGLE_INDEXING_CREDENTIALS_FILE = ""
    make_listing()
    assert {engine for engine, _, _ in _notices()} == {"indexnow"}


def test_edits_before_the_relay_runs_make_one_notice(configured) -> None:
    data = listing_data(title="Baker")
    publish_listing(source="test", external_id="job", data=data)
    for text in ("<p>Bread.</p>", "<p>Bread and cakes.</p>"):
        publish_listing(source="test", external_id="job", data=replace(data, job_description=text))

    assert SearchEngineNotice.objects.filter(state=State.PENDING).count() == 2  # one per engine


def test_publishing_unchanged_data_again_is_no_news(configured) -> None:
    data = listing_data(title="Baker")
    publish_listing(source="test", external_id="job", data=data)
    SearchEngineNotice.objects.update(state=State.SENT)

    publish_listing(source="test", external_id="job", data=data)

    assert SearchEngineNotice.objects.filter(state=State.PENDING).count() == 0


def test_a_withdrawal_supersedes_a_pending_update(configured) -> None:
    job = make_listing(title="Baker", external_id="job")
    withdraw_listing(source="test", external_id="job")

    url = f"https://jobs.example.org/jobs/{job.pk}-baker/"
    assert _notices(url=url) == [
        ("google", "URL_UPDATED", "superseded"),
        ("google", "URL_DELETED", "pending"),
        ("indexnow", "URL_UPDATED", "superseded"),
        ("indexnow", "URL_DELETED", "pending"),
    ]


def test_an_expired_job_is_announced_as_deleted(configured) -> None:
    job = make_listing(valid_through=timezone.now() + timedelta(days=1))
    SearchEngineNotice.objects.update(state=State.SENT)
    job.valid_through = timezone.now() - timedelta(minutes=1)
    job.save(update_fields=["valid_through"])

    expire_listings()

    assert _notices(state=State.PENDING) == [
        ("google", "URL_DELETED", "pending"),
        ("indexnow", "URL_DELETED", "pending"),
    ]


def test_the_notice_is_written_in_the_transaction_of_the_change(configured) -> None:
    def publish_then_fail() -> None:
        with transaction.atomic():
            make_listing()
            raise RuntimeError("the board's change rolls back")

    with pytest.raises(RuntimeError):
        publish_then_fail()

    assert SearchEngineNotice.objects.count() == 0


def test_the_outbox_is_on_the_health_page(configured) -> None:
    assert SearchEngineNotice in outbox_models()
