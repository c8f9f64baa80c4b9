"""SmartRecruiters' 30-day feed window (job-board-api.md §2, §7): every pass sends
``updatedAfter`` early enough to cover every posting we still show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from jobboard.board.models import Listing
from partner.postings import selectors, sync
from partner.postings.models import FeedPosting, StatusReport
from partner.smartrecruiters import feed

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def as_of(monkeypatch, moment: datetime) -> None:
    """Run the next passes as they ran at ``moment`` (their updatedAfter, that is)."""
    real = selectors.feed_updated_after
    monkeypatch.setattr(selectors, "feed_updated_after", lambda now=None: real(now=moment))


# --- the rule ---------------------------------------------------------------------------


def test_with_nothing_to_cover_updated_after_is_30_days_back():
    now = timezone.now()

    assert selectors.feed_updated_after(now=now) == now - timedelta(days=30)


def feed_posting(sr_id: str, *, posted_at, state=FeedPosting.State.NEW, **fields) -> FeedPosting:
    return FeedPosting.objects.create(
        sr_id=sr_id, uuid=f"uuid-{sr_id}", posted_at=posted_at, state=state, **fields
    )


def test_updated_after_reaches_a_day_before_the_oldest_posting_we_still_hold():
    now = timezone.now()
    feed_posting("1", posted_at=now - timedelta(days=50))  # seen, not handled yet
    feed_posting("2", posted_at=now - 10 * DAY)

    assert selectors.feed_updated_after(now=now) == now - timedelta(days=51)


def test_first_seen_stands_in_for_a_missing_posted_date():
    now = timezone.now()
    feed_posting("1", posted_at=None, first_seen_at=now - timedelta(days=40))

    assert selectors.feed_updated_after(now=now) == now - timedelta(days=41)


def test_a_posting_with_a_report_still_owed_is_covered():
    now = timezone.now()
    owed = feed_posting("1", posted_at=now - 60 * DAY, state=FeedPosting.State.WITHDRAWN)
    StatusReport.objects.create(posting=owed, status="Inactive")

    assert selectors.feed_updated_after(now=now) == now - 61 * DAY


def test_postings_we_are_done_with_do_not_pull_it_back():
    now = timezone.now()
    feed_posting("1", posted_at=now - 200 * DAY, state=FeedPosting.State.WITHDRAWN)
    feed_posting("2", posted_at=now - 100 * DAY, state=FeedPosting.State.REJECTED)

    assert selectors.feed_updated_after(now=now) == now - 30 * DAY


# --- against a fake that applies the window -------------------------------------------


def test_every_listing_request_of_a_pass_sends_updated_after(fake_feed):
    fake_feed.add()

    sync.run_sync_pass()
    sync.reconcile_feed()

    assert fake_feed.list_queries
    statuses = {q["status"] for q in fake_feed.list_queries}
    assert statuses == {"Pending", "toUnpost", "Active"}
    for query in fake_feed.list_queries:
        assert parse(query["updatedAfter"]) <= timezone.now() - 30 * DAY + timedelta(minutes=1)
        assert query["updatedAfter"].endswith("Z")


def test_a_45_day_old_live_posting_moved_to_to_unpost_goes_down_in_the_next_pass(
    fake_feed, monkeypatch
):
    now = timezone.now()
    sr_id = fake_feed.add(postedDate=iso(now - 45 * DAY))
    fake_feed.offers[sr_id]["terms"]["postingPeriod"] = 90
    as_of(monkeypatch, now - 45 * DAY)  # published back when it was new
    assert sync.run_sync_pass().published == 1
    monkeypatch.undo()
    listing = Listing.objects.get(source="smartrecruiters", external_id=sr_id)
    assert listing.state == Listing.State.LIVE

    fake_feed.set_status(sr_id, "toUnpost")
    # Without updatedAfter SR would not even list it: it was created 45 days ago.
    assert feed.list_postings(statuses=["toUnpost"]).total_found == 0
    summary = sync.run_sync_pass()

    listing.refresh_from_db()
    assert summary.withdrawn == 1
    assert listing.state != Listing.State.LIVE
    assert fake_feed.puts_for(sr_id)[-1] == {"status": "Inactive"}
    assert fake_feed.status(sr_id) == "Inactive"
    sent = parse(fake_feed.list_queries[-1]["updatedAfter"])
    assert sent <= now - 45 * DAY - DAY + timedelta(seconds=1)


# --- against the sandbox over HTTP ------------------------------------------------------


@pytest.fixture
def sr(sandbox, settings):
    settings.SMARTRECRUITERS_RATE_PER_SECOND = 1000.0
    if connection.vendor == "sqlite":
        settings.SMARTRECRUITERS_MAX_IN_FLIGHT = 1  # one in-memory connection for all threads
    sandbox.set_switches(rate_limit=False)
    return sandbox


@pytest.mark.django_db(transaction=True)
def test_in_the_sandbox_a_45_day_old_live_posting_moved_to_to_unpost_is_reported_inactive(
    sr, monkeypatch
):
    from partner.sandbox.selectors import feed_postings
    from partner.sandbox.state import sandbox_now

    now = sandbox_now()
    posting = sr.create_posting(name="Old job", posted_date=now - 45 * DAY, posting_period=90)
    as_of(monkeypatch, timezone.now() - 45 * DAY)  # published back when it was new
    assert sync.run_sync_pass().published == 1
    monkeypatch.undo()
    posting.refresh_from_db()
    assert posting.status == "Active"
    listing = Listing.objects.get(source="smartrecruiters", external_id=str(posting.id))

    sr.remove_posting(posting)  # the customer takes it off our board: toUnpost
    # SR's default window would hide it from a listing without updatedAfter.
    window = feed_postings(partner=sr.partner, statuses=["toUnpost"], updated_after=None)
    assert not window.exists()
    summary = sync.run_sync_pass()  # the next pass, not the daily reconciliation

    posting.refresh_from_db()
    listing.refresh_from_db()
    assert summary.ok
    assert summary.withdrawn == 1
    assert posting.status == "Inactive"
    assert listing.state != Listing.State.LIVE
    [*_, last_list] = sorted(sr.journal(endpoint="feed.list"), key=lambda e: e.id)
    assert "updatedAfter=" in last_list.query
