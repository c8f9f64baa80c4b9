"""Tasks, readiness and admin of the feed sync."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from jobboard.board import tasks as board_tasks
from jobboard.board.models import Listing
from jobboard.celery import app
from jobboard.health import _extra_checks
from partner.postings import sync, tasks
from partner.postings.models import FeedPosting, StatusReport, SyncRun
from partner.postings.selectors import feed_readiness

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_names_resolve_to_our_tasks():
    for name in (
        "partner.postings.tasks.sync_feed",
        "partner.postings.tasks.relay_status_reports",
        "partner.postings.tasks.reconcile_feed",
        "jobboard.board.tasks.expire_listings",
    ):
        assert name in app.tasks


def test_the_sync_task_runs_one_pass(fake_feed):
    sr_id = fake_feed.add()
    result = tasks.sync_feed.apply().get()
    assert result["outcome"] == "succeeded"
    assert fake_feed.status(sr_id) == "Active"


def test_the_relay_task_sends_due_reports_and_is_safe_to_run_twice(fake_feed):
    sr_id = fake_feed.add()
    fake_feed.fail_puts = 10
    sync.run_sync_pass()
    fake_feed.fail_puts = 0
    StatusReport.objects.update(next_attempt_at=timezone.now())
    assert tasks.relay_status_reports.apply().get()["sent"] == 1
    assert tasks.relay_status_reports.apply().get()["sent"] == 0
    assert len(fake_feed.puts_for(sr_id)) == 1


def test_the_board_expiry_task_then_the_next_pass_report_inactive(fake_feed):
    sr_id = fake_feed.add()
    sync.run_sync_pass()
    Listing.objects.update(valid_through=timezone.now() - timedelta(minutes=1))
    assert board_tasks.expire_listings.apply().get() == 1
    tasks.sync_feed.apply()
    assert fake_feed.status(sr_id) == "Inactive"


def test_the_reconcile_task_runs(fake_feed):
    assert tasks.reconcile_feed.apply().get()["outcome"] == "succeeded"


def test_readiness_is_ready_before_any_sync_and_reports_the_age_after(settings):
    assert "feed_sync" in _extra_checks
    assert feed_readiness() == (True, {"last_success": None, "age_seconds": None})
    settings.FEED_STALE_AFTER = timedelta(minutes=15)
    SyncRun.objects.create(outcome="succeeded", finished_at=timezone.now() - timedelta(minutes=3))
    ok, details = feed_readiness()
    assert ok
    assert 170 < details["age_seconds"] < 200


def test_readiness_fails_when_the_last_good_sync_is_too_old(settings, client):
    settings.FEED_STALE_AFTER = timedelta(minutes=15)
    SyncRun.objects.create(outcome="succeeded", finished_at=timezone.now() - timedelta(hours=1))
    SyncRun.objects.create(outcome="failed", finished_at=timezone.now())
    ok, _ = feed_readiness()
    assert not ok
    body = client.get("/readyz").json()
    assert body["checks"]["feed_sync"]["ok"] is False
    assert body["checks"]["feed_sync"]["age_seconds"] >= 3600


@pytest.fixture
def published(fake_feed):
    fake_feed.add()
    sync.run_sync_pass()
    return FeedPosting.objects.get()


def staff(*perms: str) -> User:
    user = User.objects.create_user("staff", password="pw", is_staff=True)
    codenames = ["view_feedposting", "change_feedposting", "view_postingcontract", *perms]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)


def test_the_contract_password_is_hidden_without_the_explicit_permission(client, published):
    client.force_login(staff())
    changelist = client.get("/admin/postings/feedposting/")
    assert changelist.status_code == 200
    assert b"s3cret" not in changelist.content
    page = client.get(f"/admin/postings/feedposting/{published.pk}/change/")
    assert page.status_code == 200
    assert b"acme-hr" in page.content
    assert b"s3cret" not in page.content


def test_the_contract_password_is_shown_with_the_explicit_permission(client, published):
    client.force_login(staff("view_contract_secret"))
    page = client.get(f"/admin/postings/feedposting/{published.pk}/change/")
    assert b"s3cret" in page.content
    assert b"s3cret" not in client.get("/admin/postings/feedposting/").content


def test_admin_pages_of_runs_and_outbox_render(admin_client, published):
    for url in ("/admin/postings/syncrun/", "/admin/postings/statusreport/"):
        assert admin_client.get(url).status_code == 200
    page = admin_client.get(f"/admin/postings/feedposting/{published.pk}/change/")
    assert b"Raw payload" in page.content
    assert b"jobDescription" in page.content


def test_the_admin_action_retries_failed_reports(admin_client, published, fake_feed):
    StatusReport.objects.update(state="failed")
    response = admin_client.post(
        "/admin/postings/feedposting/",
        {"action": "retry_failed_reports", "_selected_action": [published.pk]},
    )
    assert response.status_code == 302
    assert StatusReport.objects.get().state == "pending"


def test_the_admin_action_syncs_a_posting_again(admin_client, published, fake_feed):
    fake_feed.set_status(published.sr_id, "toUnpost")
    admin_client.post(
        "/admin/postings/feedposting/",
        {"action": "sync_again", "_selected_action": [published.pk]},
    )
    assert fake_feed.status(published.sr_id) == "Inactive"


def test_staff_can_list_and_withdraw_listings_in_admin(admin_client, published, fake_feed):
    assert admin_client.get("/admin/board/listing/").status_code == 200
    admin_client.post(
        "/admin/board/listing/",
        {"action": "withdraw", "_selected_action": [published.listing_id]},
    )
    assert Listing.objects.get().state == Listing.State.WITHDRAWN
    sync.run_sync_pass()
    assert fake_feed.status(published.sr_id) == "Inactive"
