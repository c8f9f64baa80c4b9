"""The sync pass and the outbox relay against a stateful respx fake of the feed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobboard.board.models import Listing
from jobboard.board.services import expire_listings
from partner.postings import locks, publishing, relay, sync
from partner.postings.models import FeedPosting, StatusReport, SyncRun

pytestmark = pytest.mark.django_db


def listing_for(sr_id: str) -> Listing:
    return Listing.objects.get(source="smartrecruiters", external_id=sr_id)


def test_a_pending_posting_is_published_and_reported_active_with_its_live_url(fake_feed):
    sr_id = fake_feed.add(
        name="Senior Backend Engineer",
        creator={"firstName": "Jane", "lastName": "Roe", "email": "jane.roe@acme.example"},
    )
    summary = sync.run_sync_pass()
    assert summary.ok
    assert (summary.seen, summary.published, summary.reports_sent) == (1, 1, 1)
    listing = listing_for(sr_id)
    assert listing.state == Listing.State.LIVE
    assert listing.job_key == f"uuid-{sr_id}"
    assert listing.apply_url.startswith("https://jobs.smartrecruiters.com/")
    assert fake_feed.puts_for(sr_id) == [
        {"status": "Active", "liveUrl": f"https://board.test{listing.get_absolute_url()}"}
    ]
    posting = FeedPosting.objects.get(sr_id=sr_id)
    assert posting.state == FeedPosting.State.PUBLISHED
    assert posting.reported_status == "Active"
    assert "creator" not in posting.raw
    assert posting.reported_at is not None


def test_html_is_sanitised_and_valid_through_comes_from_the_posting_period(fake_feed):
    sr_id = fake_feed.add()
    fake_feed.offers[sr_id]["terms"]["postingPeriod"] = 45
    sync.run_sync_pass()
    listing = listing_for(sr_id)
    assert "<script>" not in listing.job_description
    assert listing.valid_through == datetime(2030, 1, 1, 9, 0, tzinfo=UTC) + timedelta(days=45)


def test_the_existing_contract_is_stored_encrypted_and_never_in_the_raw_offer(fake_feed):
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    contract = FeedPosting.objects.get(sr_id=sr_id).contract
    assert contract.existing_password == "s3cret"
    assert contract.price_amount == 150
    assert "s3cret" not in str(contract.raw)
    assert "s3cret" not in repr(contract)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT existing_password FROM postings_postingcontract WHERE id = %s", [contract.pk]
        )
        stored = cursor.fetchone()[0]
    assert "s3cret" not in stored


def test_a_rerun_publishes_nothing_twice_and_sends_no_duplicate_report(fake_feed):
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    fake_feed.set_status(sr_id, "Pending")  # as if SR listed it again
    second = sync.run_sync_pass()
    assert second.published == 0
    assert len(fake_feed.puts_for(sr_id)) == 1
    assert Listing.objects.count() == 1
    assert StatusReport.objects.count() == 1


def test_a_to_unpost_posting_is_withdrawn_and_reported_inactive(fake_feed, client):
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    fake_feed.set_status(sr_id, "toUnpost")
    summary = sync.run_sync_pass()
    assert summary.withdrawn == 1
    listing = listing_for(sr_id)
    assert listing.state == Listing.State.WITHDRAWN
    assert fake_feed.puts_for(sr_id)[-1] == {"status": "Inactive"}
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 410
    assert b"application/ld+json" not in response.content


def test_a_to_unpost_posting_never_published_is_still_reported_inactive(fake_feed):
    sr_id = fake_feed.add(status="toUnpost")
    sync.run_sync_pass()
    assert fake_feed.puts_for(sr_id) == [{"status": "Inactive"}]
    assert not Listing.objects.exists()


def test_a_posting_without_a_title_is_reported_as_error_with_a_comment(fake_feed, settings):
    settings.SITE_NAME = "Open Job Board"
    sr_id = fake_feed.add(name="")
    summary = sync.run_sync_pass()
    assert summary.rejected == 1
    (body,) = fake_feed.puts_for(sr_id)
    assert body["status"] == "Error"
    assert "no job title" in body["comment"]
    assert body["comment"].startswith("Open Job Board could not publish posting")
    posting = FeedPosting.objects.get(sr_id=sr_id)
    assert posting.state == FeedPosting.State.REJECTED
    assert "no job title" in posting.last_error
    assert not Listing.objects.exists()


def test_a_posting_the_board_refuses_is_reported_as_error_and_the_pass_goes_on(fake_feed):
    bad = fake_feed.add(compensation={"min": 90000, "max": 70000, "currency": "EUR"})
    good = fake_feed.add()
    summary = sync.run_sync_pass()
    assert (summary.published, summary.rejected) == (1, 1)
    assert fake_feed.puts_for(bad)[0]["status"] == "Error"
    assert "minimum salary" in fake_feed.puts_for(bad)[0]["comment"]
    assert fake_feed.puts_for(good)[0]["status"] == "Active"


def test_a_failed_page_aborts_the_pass_and_unpublishes_nothing(fake_feed, monkeypatch):
    monkeypatch.setattr("partner.smartrecruiters.feed.PAGE_SIZE", 2)
    live = fake_feed.add()
    sync.run_sync_pass()
    fake_feed.set_status(live, "toUnpost")
    for _ in range(3):
        fake_feed.add()
    # toUnpost is listed after Pending; page 2 of Pending fails.
    fake_feed.fail_list_at_offset = 2
    failed = sync.run_sync_pass()
    assert failed.outcome == "failed"
    assert "HTTP 500" in failed.error
    assert listing_for(live).state == Listing.State.LIVE
    assert Listing.objects.count() == 1
    assert SyncRun.objects.filter(outcome="failed").count() == 1
    fake_feed.fail_list_at_offset = None
    summary = sync.run_sync_pass()
    assert summary.ok
    assert (summary.published, summary.withdrawn) == (3, 1)


def test_paging_covers_every_page(fake_feed, monkeypatch):
    monkeypatch.setattr("partner.smartrecruiters.feed.PAGE_SIZE", 2)
    ids = [fake_feed.add() for _ in range(5)]
    summary = sync.run_sync_pass()
    assert summary.published == 5
    assert all(fake_feed.status(i) == "Active" for i in ids)


def test_reports_left_by_an_outage_are_sent_by_the_next_pass(fake_feed):
    sr_id = fake_feed.add()
    fake_feed.fail_puts = 10  # more than the transport's retries
    first = sync.run_sync_pass()
    assert first.ok  # the feed was read; only the report is owed
    assert first.reports_sent == 0
    report = StatusReport.objects.get()
    assert report.state == StatusReport.State.PENDING
    assert report.attempts == 1
    fake_feed.fail_puts = 0
    second = sync.run_sync_pass()
    assert second.reports_sent == 1
    assert fake_feed.puts_for(sr_id) == [{"status": "Active", "liveUrl": report.live_url}]


def test_a_rejected_active_report_follows_the_current_status_and_never_loops(fake_feed):
    sr_id = fake_feed.add()
    fake_feed.fail_puts = 10
    sync.run_sync_pass()
    # Meanwhile the customer removed the job: our Active is now an illegal transition.
    fake_feed.set_status(sr_id, "toUnpost")
    fake_feed.fail_puts = 0
    result = relay.relay_reports(due_only=False)
    assert result.failed == 1
    assert result.sent == 1  # the follow-up Inactive
    active, inactive = StatusReport.objects.order_by("pk")
    assert active.state == StatusReport.State.FAILED
    assert "invalid_status_transition" in active.last_error
    assert inactive.status == "Inactive"
    assert inactive.state == StatusReport.State.SENT
    assert listing_for(sr_id).state == Listing.State.WITHDRAWN
    assert fake_feed.puts_for(sr_id) == [{"status": "Inactive"}]
    # Nothing is left to retry.
    assert relay.relay_reports(due_only=False).sent == 0


def test_a_repost_replaces_the_old_listing(fake_feed):
    old = fake_feed.add(uuid="job-1")
    sync.run_sync_pass()
    fake_feed.set_status(old, "toUnpost")
    new = fake_feed.add(uuid="job-1", name="Backend Engineer (edited)")
    sync.run_sync_pass()
    assert listing_for(old).state == Listing.State.WITHDRAWN
    assert listing_for(new).state == Listing.State.LIVE
    assert Listing.objects.filter(job_key="job-1", state="live").count() == 1
    assert (fake_feed.status(old), fake_feed.status(new)) == ("Inactive", "Active")


def test_a_listing_the_board_expired_is_reported_inactive(fake_feed):
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    expire_listings(now=listing_for(sr_id).valid_through + timedelta(seconds=1))
    sync.run_sync_pass()
    assert fake_feed.puts_for(sr_id)[-1] == {"status": "Inactive"}
    assert FeedPosting.objects.get(sr_id=sr_id).state == FeedPosting.State.WITHDRAWN


def test_a_published_posting_whose_listing_was_deleted_is_reported_inactive(fake_feed):
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    Listing.objects.all().delete()
    sync.run_sync_pass()
    assert fake_feed.puts_for(sr_id)[-1] == {"status": "Inactive"}
    assert FeedPosting.objects.get(sr_id=sr_id).state == FeedPosting.State.WITHDRAWN


def test_a_second_pass_is_locked_out_while_one_runs(fake_feed):
    fake_feed.add()
    with locks.exclusive(locks.SYNC_LOCK) as held:
        assert held is not None
        summary = sync.run_sync_pass()
    assert summary.locked_out
    assert not Listing.objects.exists()
    assert sync.run_sync_pass().published == 1


def test_a_pass_that_died_is_marked_abandoned_and_the_rerun_finishes(fake_feed):
    dead = SyncRun.objects.create()
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    dead.refresh_from_db()
    assert dead.outcome == SyncRun.Outcome.ABANDONED
    assert fake_feed.status(sr_id) == "Active"


def test_publishing_costs_a_bounded_number_of_queries_per_posting(
    fake_feed, settings, django_assert_max_num_queries
):
    settings.FEED_SYNC_CHUNK_SIZE = 50
    for _ in range(20):
        fake_feed.add()
    # Target: at most 10 per posting (page upserts, reports and relay are batched).
    with django_assert_max_num_queries(20 * 10):
        summary = sync.run_sync_pass()
    assert summary.published == 20


def test_each_chunk_claims_its_reports_by_their_own_ids_only(fake_feed, settings):
    # A chunk's claim once also excluded every report the pass had tried, in SQL: its
    # query grew with the pass (thousands of ids by the end of a large one). Only the
    # last sweep of leftovers names them.
    settings.FEED_SYNC_CHUNK_SIZE = 2
    for _ in range(8):
        fake_feed.add()
    with CaptureQueriesContext(connection) as captured:
        assert sync.run_sync_pass().reports_sent == 8
    claims = [
        query["sql"]
        for query in captured.captured_queries
        if '"postings_statusreport"."next_attempt_at" ASC' in query["sql"]
    ]
    named = [
        len(re.findall(r"\d+", ids))
        for sql in claims
        for ids in re.findall(r" IN \(([^)]*)\)", sql)
    ]
    assert named == [2, 2, 2, 2, 8]
    assert sum("NOT" in sql for sql in claims) == 1


def test_the_sync_feed_command_prints_a_summary(fake_feed):
    fake_feed.add()
    out = StringIO()
    call_command("sync_feed", stdout=out)
    assert "published 1" in out.getvalue()


def test_the_sync_feed_command_fails_when_the_feed_cannot_be_read(fake_feed):
    fake_feed.fail_list_at_offset = 0
    out = StringIO()
    with pytest.raises(CommandError, match="could not be read"):
        call_command("sync_feed", stdout=out)
    assert "failed" in out.getvalue()


def test_reconciliation_reannounces_a_live_listing_sr_does_not_show_active(fake_feed):
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    fake_feed.set_status(sr_id, "Error")  # SR lost our Active somehow
    summary = sync.reconcile_feed()
    assert summary.ok
    assert fake_feed.status(sr_id) == "Active"
    assert len(fake_feed.puts_for(sr_id)) == 2


def test_reconciliation_takes_down_what_sr_closed(fake_feed):
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    fake_feed.set_status(sr_id, "toUnpost")
    sync.reconcile_feed()
    assert listing_for(sr_id).state == Listing.State.WITHDRAWN
    assert fake_feed.status(sr_id) == "Inactive"


def test_reconciliation_reports_inactive_for_an_active_posting_we_closed(fake_feed):
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    publishing.take_down(posting=FeedPosting.objects.get(sr_id=sr_id), report=False)
    sync.reconcile_feed()
    assert fake_feed.status(sr_id) == "Inactive"


def test_resync_posting_publishes_a_rejected_posting_once_fixed(fake_feed):
    sr_id = fake_feed.add(name="")
    sync.run_sync_pass()
    fake_feed.postings[sr_id]["name"] = "Fixed title"
    fake_feed.set_status(sr_id, "Pending")
    outcome = sync.resync_posting(posting_id=FeedPosting.objects.get(sr_id=sr_id).pk)
    assert "Published" in outcome
    assert listing_for(sr_id).title == "Fixed title"
    assert fake_feed.status(sr_id) == "Active"


def test_retry_failed_reports_puts_them_back_in_the_queue(fake_feed):
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    report = StatusReport.objects.get()
    StatusReport.objects.filter(pk=report.pk).update(state="failed")
    assert relay.retry_failed_reports(report_ids=[report.pk]) == 1
    assert relay.relay_reports().sent == 1
    assert len(fake_feed.puts_for(sr_id)) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs one database connection per thread; in-memory SQLite shares one",
)
def test_two_passes_started_at_once_do_the_work_once(fake_feed):
    import threading

    for _ in range(5):
        fake_feed.add()
    summaries: list[sync.SyncSummary] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            summaries.append(sync.run_sync_pass())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    published = sum(s.published for s in summaries)
    assert published == 5
    assert Listing.objects.count() == 5
    assert all(len(fake_feed.puts_for(i)) == 1 for i in fake_feed.postings)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks exist only on PostgreSQL"
)
def test_a_pass_is_locked_out_by_another_database_session(fake_feed):
    from django.db import connections

    fake_feed.add()
    key = locks._advisory_key(locks.SYNC_LOCK)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        assert sync.run_sync_pass().locked_out
        with other.cursor() as cursor:
            # Unlock explicitly: a closed session's locks go only when its backend exits.
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    finally:
        other.close()
    assert sync.run_sync_pass().published == 1


def test_reports_claimed_by_a_pass_that_died_are_sent_by_the_next_pass(fake_feed, monkeypatch):
    sr_id = fake_feed.add()

    def killed(report):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(relay, "_send", killed)
        with pytest.raises(KeyboardInterrupt):
            sync.run_sync_pass()
    assert StatusReport.objects.get().state == StatusReport.State.SENDING
    summary = sync.run_sync_pass()
    assert summary.reports_sent == 1
    assert summary.published == 0
    assert fake_feed.puts_for(sr_id) == [
        {"status": "Active", "liveUrl": StatusReport.objects.get().live_url}
    ]


def test_the_periodic_relay_stands_aside_while_a_pass_runs(fake_feed):
    with locks.exclusive(locks.SYNC_LOCK):
        assert relay.relay_outbox() is None
    assert relay.relay_outbox() == relay.RelayResult()


sqlite_lock_row = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL uses advisory locks, not the lock row"
)


def _dead_pid() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@sqlite_lock_row
def test_a_lock_whose_holder_died_on_this_host_is_taken_over_at_once(fake_feed):
    import socket

    from partner.postings.models import SyncLock

    fake_feed.add()
    lease = timezone.now() + timedelta(minutes=15)
    host = socket.gethostname()
    SyncLock.objects.create(name=locks.SYNC_LOCK, owner=f"{host}:{_dead_pid()}:x", expires_at=lease)
    summary = sync.run_sync_pass()
    assert not summary.locked_out
    assert summary.published == 1


@sqlite_lock_row
@pytest.mark.parametrize("holder", ["alive-here", "other-host"])
def test_a_live_or_remote_holder_keeps_the_lock_until_its_lease_ends(fake_feed, holder):
    import os
    import socket

    from partner.postings.models import SyncLock

    fake_feed.add()
    owner = f"{socket.gethostname()}:{os.getpid()}:y" if holder == "alive-here" else "elsewhere:1:z"
    SyncLock.objects.create(
        name=locks.SYNC_LOCK, owner=owner, expires_at=timezone.now() + timedelta(minutes=15)
    )
    assert sync.run_sync_pass().locked_out
    SyncLock.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert sync.run_sync_pass().published == 1
