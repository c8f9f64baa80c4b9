"""The three outboxes on the health page, in alerts and metrics; feed and credential alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from jobboard import outbox
from jobboard.operations import alerts, callstats, outboxes
from jobboard.operations.models import CallStat
from partner.postings.models import FeedPosting, StatusReport, SyncRun
from partner.postings.operations import consecutive_failed_passes, feed_findings

pytestmark = pytest.mark.django_db


def _report(**fields: object) -> StatusReport:
    posting = FeedPosting.objects.create(sr_id=f"p-{StatusReport.objects.count()}", uuid="u")
    return StatusReport.objects.create(posting=posting, status="Active", **fields)


def test_every_outbox_of_the_project_is_registered() -> None:
    labels = {model._meta.label_lower for model in outboxes.outbox_models()}
    assert labels == {
        "postings.statusreport",
        "applications.application",
        "applications.candidatemail",
        "assessments.resultpush",
        "searchengines.searchenginenotice",
    }


def test_an_outbox_is_behind_when_its_oldest_due_item_waits_too_long(settings) -> None:
    settings.OUTBOX_STALE_AFTER = 600
    _report(next_attempt_at=timezone.now() - timedelta(minutes=11))
    found = dict(alerts.outbox_findings())
    assert "has waited" in (found["outbox behind: postings.statusreport"] or "")
    assert found["outbox behind: applications.application"] is None


def test_an_item_that_gave_up_within_the_hour_is_an_alert_until_the_hour_passes() -> None:
    _report(state=outbox.FAILED, finished_at=timezone.now() - timedelta(minutes=5))
    found = dict(alerts.outbox_findings())
    assert "1 item(s)" in (found["outbox gave up: postings.statusreport"] or "")
    StatusReport.objects.update(finished_at=timezone.now() - timedelta(hours=2))
    assert dict(alerts.outbox_findings())["outbox gave up: postings.statusreport"] is None


def test_the_health_page_shows_each_outbox_and_retries_its_failed_items(client: Client) -> None:
    report = _report(state=outbox.FAILED, attempts=12, finished_at=timezone.now())
    _report()
    user = User.objects.create_user("ops", password="pw", is_staff=True)
    client.force_login(user)
    page = client.get("/admin/operations/health/").content.decode()
    assert "status reports" in page
    assert "/admin/postings/statusreport/?state__exact=failed" in page
    assert "(1 in 24 h)" in page
    refused = client.post("/admin/operations/health/", {"retry": "postings.statusreport"})
    assert refused.status_code == 302
    report.refresh_from_db()
    assert report.state == outbox.FAILED  # no permission: nothing changed
    user.user_permissions.add(Permission.objects.get(codename="retry_outbox"))
    client.post("/admin/operations/health/", {"retry": "postings.statusreport"})
    report.refresh_from_db()
    assert (report.state, report.attempts, report.finished_at) == (outbox.PENDING, 0, None)


def test_the_feed_failing_several_passes_in_a_row_is_an_alert(settings) -> None:
    settings.ALERT_FEED_FAILURES = 3
    SyncRun.objects.create(outcome=SyncRun.Outcome.SUCCEEDED)
    for _ in range(2):
        SyncRun.objects.create(outcome=SyncRun.Outcome.FAILED, error="ConnectError")
    assert consecutive_failed_passes() == 2
    assert dict(feed_findings())["feed pass failing"] is None
    SyncRun.objects.create(outcome=SyncRun.Outcome.FAILED, error="401 Unauthorized")
    assert "last 3 feed passes failed" in (dict(feed_findings())["feed pass failing"] or "")


def test_smartrecruiters_refusing_our_key_is_an_alert() -> None:
    assert dict(alerts.credential_findings())["smartrecruiters refused our credentials"] is None
    callstats.count(api="feed", status=401)
    callstats.flush()
    problem = dict(alerts.credential_findings())["smartrecruiters refused our credentials"]
    assert "feed (1)" in (problem or "")
    CallStat.objects.update(minute=timezone.now() - timedelta(hours=1))
    assert dict(alerts.credential_findings())["smartrecruiters refused our credentials"] is None
