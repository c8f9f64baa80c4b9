"""Submissions and SmartRecruiters' published answers (issue 11), against the sandbox:
200 or 201 with or without applicationId everywhere, and TRAFFIC_LOCKED pausing sends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jobboard.operations import alerts
from jobboard.operations.models import Alert
from partner.applications import operations, selectors
from partner.applications.files import CheckedFile
from partner.applications.models import Application
from partner.applications.services import erasure, intake, status, submission
from tests.applications.conftest import PDF_BYTES
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing
from tests.applications.test_submission import receive

pytestmark = pytest.mark.django_db(transaction=True)

SUCCESS_ANSWERS = [(200, False), (200, True), (201, False), (201, True)]


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.SMARTRECRUITERS_MAX_RETRIES = 0
    settings.APPLICATION_TRAFFIC_LOCK_PAUSE = 3600
    settings.APPLICATION_RETRY_WINDOW_HOURS = 2.0


# --- every success answer, everywhere --------------------------------------------------


@pytest.mark.parametrize(("status_code", "include_application_id"), SUCCESS_ANSWERS)
def test_status_page_polling_admin_and_erasure_work_with_every_success_answer(
    sandbox, admin_client, status_code, include_application_id
):
    sandbox.set_switches(
        apply_success_status=status_code, include_application_id=include_application_id
    )
    listing = sandbox_listing(sandbox)
    resume = CheckedFile(name="cv.pdf", mime_type="application/pdf", content=PDF_BYTES)
    application, token = intake.application_create(
        listing=listing,
        language="en",
        candidate=candidate(),
        answers=answers_ok(),
        files={"resume": [resume]},
    )
    application.refresh_from_db()
    [stored] = sandbox.candidates()

    # Submission: the candidate id is what we keep; applicationId only when SR sent it.
    assert application.state == Application.State.SENT
    assert application.candidate_id == str(stored.candidate_id)
    assert bool(application.sr_application_id) is include_application_id
    assert application.last_status_code == status_code
    assert application.sr_response["smartrJoinUrl"].startswith("https://")

    # Status page and polling read SR's status with the candidate id alone.
    sandbox.set_candidate_status(stored, "INTERVIEW")
    page = Client().get(reverse("applications:status", kwargs={"token": token})).content.decode()
    assert "You are in the interview stage." in page
    assert status.statuses_poll(now=timezone.now() + timedelta(days=1))["checked"] == 1

    # Admin: change page, list, and search by the candidate id.
    change = admin_client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    )
    assert change.status_code == 200
    assert application.candidate_id in change.content.decode()
    found = admin_client.get(
        reverse("admin:applications_application_changelist"), {"q": application.candidate_id}
    )
    assert "1 application" in found.content.decode()

    # Erasure: personal links go, SR's ids stay for the record.
    assert erasure.application_erase(application_id=application.pk, reason="test") is True
    application.refresh_from_db()
    for response in (application.sr_response, application.submission_attempts.get().response):
        assert "candidatePortalUrl" not in response
        assert "smartrJoinUrl" not in response
        assert response["id"] == application.candidate_id
    assert application.candidate_id == str(stored.candidate_id)
    assert bool(application.sr_application_id) is include_application_id


# --- TRAFFIC_LOCKED --------------------------------------------------------------------


def posts(sandbox) -> int:
    return len(sandbox.journal(endpoint="apply.candidates", method="POST"))


def test_traffic_locked_pauses_every_submission_without_spending_attempts(sandbox, settings):
    listing = sandbox_listing(sandbox)
    start = timezone.now()
    first = receive(listing, now=start)
    sandbox.set_switches(traffic_locked=True)

    outcome = submission.submit_application(application_id=first.pk, now=start)

    until = start + timedelta(seconds=3600)
    first.refresh_from_db()
    assert (outcome.result, outcome.retry_at) == ("paused", until)
    assert first.state == Application.State.RECEIVED
    assert first.attempts == 0  # postponed, not counted
    assert first.next_attempt_at == until
    assert (first.last_error_code, first.last_status_code) == ("TRAFFIC_LOCKED", 403)
    assert "blocked our traffic" in first.last_error
    assert first.give_up_at >= until + timedelta(hours=2)  # a whole window after the lock
    [attempt] = first.submission_attempts.all()
    assert (attempt.error_code, attempt.status_code, attempt.outcome) == (
        "TRAFFIC_LOCKED",
        403,
        "retry",
    )
    assert selectors.submissions_paused_until(now=start) == until

    # A new application during the pause is not sent at all: no request, no attempt.
    second = receive(listing, email="second@example.test", now=start + timedelta(minutes=5))
    paused = submission.submit_application(
        application_id=second.pk, now=start + timedelta(minutes=5)
    )
    second.refresh_from_db()
    assert paused.result == "paused"
    assert posts(sandbox) == 1
    assert second.attempts == 0
    assert second.submission_attempts.count() == 0
    assert second.next_attempt_at == until + submission.PAUSE_HEAD_START
    assert second.last_error_code == selectors.PAUSED_CODE

    # Nothing is due during the pause: the sweeper sends nothing.
    assert selectors.due_application_ids(now=until - timedelta(seconds=1)) == []

    # SmartRecruiters lifts the lock; at the end of the pause the first one goes, then the rest.
    sandbox.set_switches(traffic_locked=False)
    assert selectors.due_application_ids(now=until) == [first.pk]
    assert submission.submissions_drain(now=until)["sent"] == 1
    later = until + submission.PAUSE_HEAD_START
    assert submission.submissions_drain(now=later)["sent"] == 1
    assert posts(sandbox) == 3
    assert Application.objects.filter(state=Application.State.SENT).count() == 2
    assert selectors.submissions_paused_until(now=later) is None
    assert selectors.traffic_lock(now=later) is None


def test_a_lock_that_lasts_costs_one_request_per_pause_and_fails_nothing(sandbox):
    listing = sandbox_listing(sandbox)
    start = timezone.now()
    apps = [receive(listing, email=f"p{n}@example.test", now=start) for n in range(3)]
    sandbox.set_switches(traffic_locked=True)

    now = start
    for _ in range(4):  # four pauses: eight hours, far past the two-hour retry window
        counts = submission.submissions_drain(now=now)
        assert counts["sent"] == counts["failed"] == counts["retry"] == 0
        now += timedelta(seconds=3600) + submission.PAUSE_HEAD_START

    assert posts(sandbox) == 4  # one per pause, however many applications wait
    for application in apps:
        application.refresh_from_db()
        assert application.state == Application.State.RECEIVED
        assert application.attempts == 0
    assert sandbox.candidates() == []


def test_the_operator_is_alerted_and_the_admin_shows_the_pause(sandbox, settings, admin_client):
    settings.ADMINS = [("Ops", "ops@example.org")]
    listing = sandbox_listing(sandbox)
    application = receive(listing)
    sandbox.set_switches(traffic_locked=True)
    submission.submit_application(application_id=application.pk)

    # The check is registered with the operations app (AppConfig.ready).
    assert alerts._checks["applications traffic lock"] is operations.traffic_lock_findings
    assert operations.TRAFFIC_LOCKED_ALERT in alerts.evaluate()
    [started] = [m for m in mail.outbox if "Submissions are paused until" in m.body]
    assert started.to == ["ops@example.org"]
    assert "TRAFFIC_LOCKED" in started.body
    assert "1 application(s) waiting" in started.body
    assert Alert.objects.get(name=operations.TRAFFIC_LOCKED_ALERT).active

    listing_page = admin_client.get(reverse("admin:applications_application_changelist"))
    assert "SmartRecruiters answered TRAFFIC_LOCKED" in listing_page.content.decode()
    health = admin_client.get(reverse("operations-health"))
    assert "SmartRecruiters answered TRAFFIC_LOCKED" in health.content.decode()

    # The lock is lifted; the next try succeeds and the alert clears.
    sandbox.set_switches(traffic_locked=False)
    later = timezone.now() + timedelta(seconds=3601)
    assert submission.submit_application(application_id=application.pk, now=later).result == "sent"
    assert operations.TRAFFIC_LOCKED_ALERT in alerts.evaluate()  # mailed as cleared
    assert not Alert.objects.get(name=operations.TRAFFIC_LOCKED_ALERT).active
    clear_page = admin_client.get(reverse("admin:applications_application_changelist"))
    assert "TRAFFIC_LOCKED" not in clear_page.content.decode()


def test_the_drain_command_reports_paused_submissions(sandbox, capsys):
    listing = sandbox_listing(sandbox)
    for n in range(2):
        receive(listing, email=f"person{n}@example.test")
    sandbox.set_switches(traffic_locked=True)

    call_command("submit_applications")

    assert "paused (SmartRecruiters locked our traffic) 2" in capsys.readouterr().out


def test_another_refusal_of_our_key_still_fails_with_the_codes_meaning(sandbox, settings):
    listing = sandbox_listing(sandbox)
    application = receive(listing)
    settings.SMARTRECRUITERS_APPLICATION_TOKEN = "revoked-key"

    assert submission.submit_application(application_id=application.pk).result == "failed"

    application.refresh_from_db()
    assert application.last_error_code == "INVALID_API_KEY_ERROR"
    assert application.last_error.startswith("SmartRecruiters refused our API key.")
