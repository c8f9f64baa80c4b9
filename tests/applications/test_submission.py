"""Submission against the sandbox over HTTP: success, faults, outages, permanent errors."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partner.applications import selectors
from partner.applications.files import CheckedFile
from partner.applications.models import Application, ConfigurationCache
from partner.applications.services import configuration, intake, submission
from tests.applications.conftest import PDF_BYTES
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.SMARTRECRUITERS_MAX_RETRIES = 2
    settings.APPLICATION_RETRY_BASE = 60.0
    settings.APPLICATION_RETRY_CAP = 3600.0
    settings.APPLICATION_RETRY_WINDOW_HOURS = 24.0


def receive(listing, *, files=None, email="jane.doe@example.test", now=None) -> Application:
    """Store an application without sending it (the enqueue is suppressed)."""
    from partner.applications import tasks

    original = tasks.submit_application.delay
    tasks.submit_application.delay = lambda *a, **k: None  # the test drives sending itself
    try:
        application, _ = intake.application_create(
            listing=listing,
            language="en",
            candidate=candidate(email=email),
            answers=answers_ok(),
            files=files or {},
            now=now,
        )
    finally:
        tasks.submit_application.delay = original
    return application


@pytest.mark.parametrize(
    ("status", "include_application_id"),
    [(200, False), (200, True), (201, False), (201, True)],
)
def test_an_application_made_on_the_page_reaches_the_sandbox(
    sandbox, settings, status, include_application_id
):
    # 200 without applicationId is SR's published answer (the sandbox's default); some
    # of SR's doc examples show 201 and an applicationId: every combination works.
    sandbox.set_switches(apply_success_status=status, include_application_id=include_application_id)
    listing = sandbox_listing(sandbox)
    url = reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})
    client = Client()
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "first_name": "Jane",
            "last_name": "Doe",
            "email": "jane.doe@example.test",
            "q0-0-0": "yes",
            "q1-0-0": "ct-contract",
            "q2-0-0": "650",
            "q3-count": "1",
            "q3-0-0": "de",
            "q3-0-1": "native",
            "q7-0-0": "true",
            "consent_SMART_RECRUIT": "on",
        },
    )

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.state == Application.State.SENT
    [stored] = sandbox.candidates()
    assert str(stored.candidate_id) == application.candidate_id
    assert application.sr_application_id == (
        str(stored.application_id) if include_application_id else ""
    )
    assert application.last_status_code == status
    assert application.submission_attempts.get().status_code == status
    assert ("applicationId" in application.sr_response) is include_application_id
    assert application.candidate_portal_url.startswith("https://")
    assert {a["id"] for a in stored.answers} == {
        "q-permit",
        "q-contract",
        "q-rate",
        "languages",
        "q-accurate",
    }
    # The confirmation email carries the private status link, which works.
    [email] = mail.outbox
    assert email.to == ["jane.doe@example.test"]
    link = next(line for line in email.body.splitlines() if "/applications/" in line).strip()
    assert link.startswith(settings.SITE_URL)
    page = client.get(link.removeprefix(settings.SITE_URL))
    assert "Delivered" in page.content.decode() or "delivered" in page.content.decode()


def test_the_exact_payload_and_files_are_sent(sandbox):
    listing = sandbox_listing(sandbox)
    resume = CheckedFile(name="cv.pdf", mime_type="application/pdf", content=PDF_BYTES)
    application = receive(listing, files={"resume": [resume]})

    outcome = submission.submit_application(application_id=application.pk)

    assert outcome.result == "sent"
    [stored] = sandbox.candidates()
    [attachment] = stored.attachments.all()
    assert bytes(attachment.content) == PDF_BYTES
    assert attachment.kind == "resume"
    assert stored.consent_decisions == {"SMART_RECRUIT": True, "SMART_CRM": False}


@pytest.mark.parametrize("fault", ["429", "500", "503"])
def test_a_few_transient_errors_are_retried_and_one_candidate_is_created(sandbox, fault):
    listing = sandbox_listing(sandbox)
    application = receive(listing)
    sandbox.set_switches(fault=fault, fault_count=2, fault_scope=["apply.candidates"])

    outcome = submission.submit_application(application_id=application.pk)

    assert outcome.result == "sent"
    assert len(sandbox.candidates()) == 1
    assert Application.objects.get().state == Application.State.SENT


def test_an_outage_of_hours_loses_nothing_and_creates_one_candidate(sandbox):
    listing = sandbox_listing(sandbox)
    start = timezone.now()
    application = receive(listing, now=start)
    sandbox.set_switches(outage=True)

    now, tries = start, 0
    while now - start < timedelta(hours=3):
        outcome = submission.submit_application(application_id=application.pk, now=now)
        tries += 1
        assert outcome.result == "retry"
        # Not due before its backoff has passed: a sweep finds nothing to do.
        assert selectors.due_application_ids(now=now) == []
        # Our clock and the sandbox's move on together.
        sandbox.advance_clock(days=(outcome.retry_at - now).total_seconds() / 86400)
        now = outcome.retry_at
    application.refresh_from_db()
    assert application.state == Application.State.RECEIVED
    assert application.attempts == tries
    assert application.submission_attempts.filter(outcome="retry").count() == tries

    sandbox.set_switches(outage=False)
    assert submission.submissions_drain(now=now)["sent"] == 1

    application.refresh_from_db()
    assert application.state == Application.State.SENT
    assert len(sandbox.candidates()) == 1
    # Once sent, nothing sends it again.
    assert submission.submit_application(application_id=application.pk, now=now).result == "skipped"
    assert len(sandbox.journal(endpoint="apply.candidates", status=200)) == 1


def test_an_outage_longer_than_the_retry_window_fails_the_application(sandbox, settings):
    settings.APPLICATION_RETRY_WINDOW_HOURS = 2.0
    listing = sandbox_listing(sandbox)
    start = timezone.now()
    application = receive(listing, now=start)
    sandbox.set_switches(outage=True)

    now, result = start, "retry"
    while result == "retry":
        outcome = submission.submit_application(application_id=application.pk, now=now)
        result, now = outcome.result, outcome.retry_at or now

    application.refresh_from_db()
    assert application.state == Application.State.FAILED
    assert "too long" in application.last_error
    assert sandbox.candidates() == []


def test_a_lost_response_after_the_sandbox_stored_it_resolves_to_the_same_ids(sandbox):
    sandbox.set_switches(include_application_id=True)  # both ids, to compare them
    listing = sandbox_listing(sandbox)
    application = receive(listing)
    # The sandbox stores the candidate, then answers 500: an unknown outcome for us.
    sandbox.set_switches(
        fault="500", fault_count=1, fault_after_commit=True, fault_scope=["apply.candidates"]
    )

    outcome = submission.submit_application(application_id=application.pk)

    assert outcome.result == "sent"  # the transport's retry got the same ids back
    [stored] = sandbox.candidates()
    application.refresh_from_db()
    assert application.candidate_id == str(stored.candidate_id)
    assert application.sr_application_id == str(stored.application_id)
    assert len(sandbox.journal(endpoint="apply.candidates", method="POST")) == 2


def test_a_resend_after_a_lost_response_across_tasks_is_deduplicated(sandbox, settings):
    settings.SMARTRECRUITERS_MAX_RETRIES = 0
    listing = sandbox_listing(sandbox)
    start = timezone.now()
    application = receive(listing, now=start)
    sandbox.set_switches(
        fault="reset", fault_count=1, fault_after_commit=True, fault_scope=["apply.candidates"]
    )

    first = submission.submit_application(application_id=application.pk, now=start)
    assert first.result == "retry"
    second = submission.submit_application(application_id=application.pk, now=first.retry_at)

    assert second.result == "sent"
    assert len(sandbox.candidates()) == 1


def test_a_permanent_400_fails_with_smartrecruiters_message_and_admin_can_retry(
    sandbox, admin_client
):
    listing = sandbox_listing(sandbox)
    configuration.configuration_for(posting_uuid=listing.posting_uuid, language="en")
    application = receive(listing)
    # Our stored answers name a question SR no longer has: the form changed meanwhile.
    payload = application.payload
    payload["answers"].append({"id": "q-gone", "records": [{"fields": {"value": ["x"]}}]})
    Application.objects.filter(pk=application.pk).update(payload_json=json.dumps(payload))

    outcome = submission.submit_application(application_id=application.pk)

    application.refresh_from_db()
    assert outcome.result == "failed"
    assert application.state == Application.State.FAILED
    assert application.last_status_code == 400
    assert "q-gone" in application.last_error
    assert application.rejected_question_ids == ["q-gone"]
    # The cached form is dropped, so the next visitor gets the current one.
    assert not ConfigurationCache.objects.filter(posting_uuid=listing.posting_uuid).exists()
    assert len(sandbox.journal(endpoint="apply.candidates", method="POST")) == 1
    page = admin_client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert "q-gone" in page.content.decode()

    response = admin_client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "retry_selected", "_selected_action": [application.pk]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    # Retried at once (eager task); still rejected, so failed again, with a second attempt.
    assert application.submission_attempts.count() == 2


def test_a_closed_posting_fails_the_application(sandbox):
    listing = sandbox_listing(sandbox)
    application = receive(listing)
    from partner.sandbox.models import SandboxPosting

    sandbox.remove_posting(SandboxPosting.objects.get(job__uuid=listing.posting_uuid))

    assert submission.submit_application(application_id=application.pk).result == "failed"
    application.refresh_from_db()
    assert application.last_error == "The job is closed on SmartRecruiters."


def test_the_command_drains_pending_submissions(sandbox, capsys):
    listing = sandbox_listing(sandbox)
    for n in range(3):
        receive(listing, email=f"person{n}@example.test")

    call_command("submit_applications")

    assert "sent 3" in capsys.readouterr().out
    assert Application.objects.filter(state=Application.State.SENT).count() == 3
    assert len(sandbox.candidates()) == 3


def test_a_claimed_submission_is_not_taken_by_a_second_worker(sandbox):
    listing = sandbox_listing(sandbox)
    application = receive(listing)
    now = timezone.now()

    assert submission.submission_claim(application_id=application.pk, now=now) is True
    assert submission.submission_claim(application_id=application.pk, now=now) is False
    assert submission.submit_application(application_id=application.pk, now=now).result == "skipped"
    # A worker that died leaves the claim; after the lease, the sweep takes it over.
    later = now + timedelta(seconds=3600)
    assert selectors.due_application_ids(now=later) == [application.pk]
    assert submission.submit_application(application_id=application.pk, now=later).result == "sent"


def test_a_success_after_another_worker_took_the_row_over_is_still_recorded(sandbox, monkeypatch):
    from jobboard import outbox
    from partner.smartrecruiters import applications as sr

    listing = sandbox_listing(sandbox)
    application = receive(listing)
    now = timezone.now()
    post = sr.create_candidate

    def slow_post(*args, **kwargs):
        # Our lease runs out during the POST; a sweep hands the row to another worker,
        # whose own POST fails transiently, so it schedules a retry.
        later = now + timedelta(seconds=3600)
        assert submission.submission_claim(application_id=application.pk, now=later)
        taken_over = Application.objects.get(pk=application.pk)
        outbox.schedule_retry(taken_over, error="timeout", base=60, cap=60, now=later)
        return post(*args, **kwargs)

    monkeypatch.setattr(sr, "create_candidate", slow_post)

    assert submission.submit_application(application_id=application.pk, now=now).result == "sent"
    application.refresh_from_db()
    assert application.state == Application.State.SENT
    [stored] = sandbox.candidates()
    assert application.candidate_id == str(stored.candidate_id)
    # The retry the other worker scheduled will find nothing left to send.
    assert selectors.due_application_ids(now=now + timedelta(days=1)) == []


def test_a_timeout_after_the_sandbox_stored_the_candidate_is_resolved_safely(sandbox, settings):
    # Our read timeout fires while the sandbox, having stored the candidate, holds the
    # answer: the outcome is unknown, so we send again; SR answers with the same ids.
    # Well above a normal answer on a loaded machine; the held answer well above it.
    settings.SMARTRECRUITERS_READ_TIMEOUT = 1.5
    settings.SMARTRECRUITERS_MAX_RETRIES = 0
    listing = sandbox_listing(sandbox)
    start = timezone.now()
    application = receive(listing, now=start)
    sandbox.set_switches(
        fault="timeout",
        timeout_seconds=4,
        fault_count=1,
        fault_after_commit=True,
        fault_scope=["apply.candidates"],
    )

    first = submission.submit_application(application_id=application.pk, now=start)
    assert first.result == "retry"
    assert application.submission_attempts.get().error_code == "NetworkError"
    second = submission.submit_application(application_id=application.pk, now=first.retry_at)

    assert second.result == "sent"
    [stored] = sandbox.candidates()
    application.refresh_from_db()
    assert application.candidate_id == str(stored.candidate_id)


def test_html_gateway_pages_and_429s_with_retry_after_are_retried(sandbox):
    listing = sandbox_listing(sandbox)
    application = receive(listing)
    sandbox.set_switches(
        fault="502", html_5xx=True, fault_count=1, fault_scope=["apply.candidates"]
    )
    assert submission.submit_application(application_id=application.pk).result == "sent"

    other = receive(listing, email="other@example.test")
    sandbox.set_switches(
        fault="429_retry_after",
        retry_after_seconds=0,
        fault_count=1,
        fault_scope=["apply.candidates"],
    )
    assert submission.submit_application(application_id=other.pk).result == "sent"
    assert len(sandbox.candidates()) == 2
