"""Migrations of the feed app keep the rows they find."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("postings", "0001_initial")]
AFTER = [("postings", "0002_statusreport_outbox")]


@pytest.fixture
def migrator(transactional_db: None) -> Iterator[MigrationExecutor]:
    """A migration executor; the database ends fully migrated whatever the test did."""
    yield MigrationExecutor(connection)
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


def test_status_reports_keep_their_rows_and_a_claim_becomes_a_lease(migrator, settings):
    settings.FEED_REPORT_CLAIM_TIMEOUT = 600
    executor = migrator
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    posting = old.get_model("postings", "FeedPosting").objects.create(sr_id="1", uuid="u-1")
    reports = old.get_model("postings", "StatusReport").objects
    claimed_at = timezone.now() - timedelta(minutes=3)
    sending = reports.create(
        posting=posting, status="Active", state="sending", attempts=2, claimed_at=claimed_at
    )
    sent = reports.create(posting=posting, status="Inactive", state="sent", claimed_at=claimed_at)
    pending = reports.create(posting=posting, status="Error", comment="no title")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("postings", "StatusReport")

    rows = {row.pk: row for row in new.objects.all()}
    assert set(rows) == {sending.pk, sent.pk, pending.pk}
    assert rows[sending.pk].state == "sending"
    assert rows[sending.pk].attempts == 2
    assert rows[sending.pk].claimed_until == claimed_at + timedelta(seconds=600)
    assert rows[sent.pk].claimed_until is None
    assert (rows[pending.pk].state, rows[pending.pk].comment) == ("pending", "no title")
