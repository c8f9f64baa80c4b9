"""Every outbox's admin: read-only rows, no add button, failed rows sent again by the
retry their app registered (the health page's)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from jobboard import outbox
from partner.postings.models import FeedPosting, StatusReport

pytestmark = pytest.mark.django_db

OUTBOX_CHANGELISTS = (
    "/admin/postings/statusreport/",
    "/admin/applications/candidatemail/",
    "/admin/assessments/resultpush/",
)


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("ops", "ops@example.test", "pw"))
    return client


def _report(sr_id: str, **fields: object) -> StatusReport:
    posting = FeedPosting.objects.create(sr_id=sr_id, uuid=f"uuid-{sr_id}")
    return StatusReport.objects.create(posting=posting, status="Active", **fields)


@pytest.mark.parametrize("url", OUTBOX_CHANGELISTS)
def test_an_outbox_lists_its_rows_without_an_add_button(staff: Client, url: str) -> None:
    page = staff.get(url)
    assert page.status_code == 200
    assert staff.get(f"{url}add/").status_code == 403


def test_a_row_is_shown_read_only_with_where_its_delivery_stands(staff: Client) -> None:
    report = _report("p-1", state=outbox.FAILED, attempts=12, last_error="503 from SR")

    page = staff.get(f"/admin/postings/statusreport/{report.pk}/change/").content.decode()

    for label in ("Posting", "Status", "State", "Attempts", "Claimed until", "Last error"):
        assert label in page
    assert "503 from SR" in page
    assert 'name="last_error"' not in page  # nothing on the page is a form field
    assert 'name="_save"' not in page


def test_the_action_sends_only_the_failed_rows_again(staff: Client, settings) -> None:
    failed = _report("p-1", state=outbox.FAILED, attempts=12, finished_at=timezone.now())
    sent = _report("p-2", state=outbox.SENT, attempts=1, finished_at=timezone.now())

    answer = staff.post(
        "/admin/postings/statusreport/",
        {"action": "send_failed_again", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )

    assert "1 failed status reports queued again." in answer.content.decode()
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.state, failed.attempts, failed.finished_at) == (outbox.PENDING, 0, None)
    assert sent.state == outbox.SENT
