"""A candidate is mailed, once and kindly, when their application fails for good."""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from partner.applications import tasks
from partner.applications.models import Application, CandidateMail
from partner.applications.services import erasure, intake, mails
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing

pytestmark = pytest.mark.django_db(transaction=True)


def apply(listing, *, answers=None) -> Application:
    application, _ = intake.application_create(
        listing=listing,
        language="en",
        candidate=candidate(),
        answers=answers_ok() if answers is None else answers,
        files={},
    )
    application.refresh_from_db()
    return application


def mails_about_failure() -> list:
    return [m for m in mail.outbox if m.subject.startswith("We could not deliver")]


def status_path(message) -> str:
    [url] = re.findall(r"https?://\S+/applications/\S+/", message.body)
    return "/" + url.split("/", 3)[3]


def test_a_candidate_is_told_when_the_job_closed_before_delivery(sandbox):
    from partner.sandbox.models import SandboxPosting

    listing = sandbox_listing(sandbox)
    sandbox.remove_posting(SandboxPosting.objects.get(job__uuid=listing.posting_uuid))

    application = apply(listing)

    assert application.state == Application.State.FAILED
    [message] = mails_about_failure()
    assert message.to == ["jane.doe@example.test"]
    assert message.subject == f"We could not deliver your application for {listing.title}"
    assert "The employer closed this job before your application reached them" in message.body
    assert "This is not about you" in message.body
    assert "Hello Jane," in message.body
    page = Client().get(status_path(message))
    assert page.status_code == 200
    assert "We could not deliver your application." in page.content.decode()


def test_a_candidate_is_told_to_apply_again_when_smartrecruiters_refuses_an_answer(sandbox):
    listing = sandbox_listing(sandbox)

    application = apply(listing, answers=[])  # required answers missing: a 400

    assert application.state == Application.State.FAILED
    [message] = mails_about_failure()
    assert "did not accept your application" in message.body
    assert f"/jobs/{listing.pk}-{listing.slug}/apply/" in message.body
    assert CandidateMail.objects.get().failure_reason == CandidateMail.FailureReason.REFUSED


def test_a_candidate_is_told_when_smartrecruiters_stayed_unreachable_past_the_retry_window(
    sandbox, settings
):
    settings.APPLICATION_RETRY_WINDOW_HOURS = 0  # the first transient error is the last
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(outage=True)

    application = apply(listing)

    assert application.state == Application.State.FAILED
    [message] = mails_about_failure()
    assert "could not be reached" in message.body
    assert CandidateMail.objects.get().failure_reason == CandidateMail.FailureReason.UNREACHABLE


def test_a_transient_error_inside_the_retry_window_mails_nothing(sandbox):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(outage=True)

    application = apply(listing)

    assert application.state == Application.State.RECEIVED
    assert mails_about_failure() == []
    assert CandidateMail.objects.count() == 0


def test_withdrawing_an_unsent_application_mails_no_failure(sandbox):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(outage=True)
    application = apply(listing)

    erasure.application_erase(application_id=application.pk, reason="candidate request")

    assert CandidateMail.objects.count() == 0


def test_a_failure_mail_is_sent_once_however_often_its_task_runs(sandbox):
    listing = sandbox_listing(sandbox)
    apply(listing, answers=[])
    failure = CandidateMail.objects.get()

    assert tasks.send_candidate_mail.delay(failure.pk).get() == "skipped"
    assert mails.candidate_mail_send(mail_id=failure.pk).result == "skipped"

    assert len(mails_about_failure()) == 1
    failure.refresh_from_db()
    assert failure.state == CandidateMail.State.SENT


def test_a_mail_server_error_is_retried_later(sandbox, monkeypatch):
    listing = sandbox_listing(sandbox)
    real_send = mails.send_mail

    def server_down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(mails, "send_mail", server_down)
    apply(listing, answers=[])
    failure = CandidateMail.objects.get()
    assert failure.state == CandidateMail.State.PENDING
    assert "SMTPServerDisconnected" in failure.last_error

    monkeypatch.setattr(mails, "send_mail", real_send)
    later = timezone.now() + timedelta(hours=2)
    assert mails.candidate_mail_send(mail_id=failure.pk, now=later).result == "sent"
    assert len(mails_about_failure()) == 1


def test_a_mail_whose_message_was_lost_is_sent_by_the_sweeper(sandbox, monkeypatch):
    listing = sandbox_listing(sandbox)
    monkeypatch.setattr(tasks.send_candidate_mail, "delay", lambda *a, **k: None)
    apply(listing, answers=[])
    assert mails_about_failure() == []
    monkeypatch.undo()

    assert tasks.sweep_submissions.delay().get() == 1

    assert len(mails_about_failure()) == 1


def test_a_mail_for_data_erased_meanwhile_is_dropped(sandbox, monkeypatch):
    listing = sandbox_listing(sandbox)
    monkeypatch.setattr(tasks.send_candidate_mail, "delay", lambda *a, **k: None)
    application = apply(listing, answers=[])
    erasure.application_erase(application_id=application.pk, reason="candidate request")

    assert mails.candidate_mail_send(mail_id=CandidateMail.objects.get().pk).result == "dropped"

    assert mails_about_failure() == []
    assert CandidateMail.objects.get().state == CandidateMail.State.DROPPED


def test_operators_see_candidate_mails_in_the_admin_without_candidate_data(sandbox, admin_client):
    listing = sandbox_listing(sandbox)
    apply(listing, answers=[])
    failure = CandidateMail.objects.get()

    listed = admin_client.get("/admin/applications/candidatemail/?state__exact=sent")
    shown = admin_client.get(f"/admin/applications/candidatemail/{failure.pk}/change/")

    assert listed.status_code == 200
    assert (
        f"Delivery failed mail for application #{failure.application_id}" in listed.content.decode()
    )
    assert shown.status_code == 200
    assert "jane.doe@example.test" not in shown.content.decode()
    assert "Jane" not in shown.content.decode()
