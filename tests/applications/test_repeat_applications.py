"""The same person applying twice to the same job: nothing new is stored or sent; they
are told they already applied and get a working status link by mail again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from partner.applications.models import Application, CandidateMail, StatusLink
from partner.applications.services import erasure, intake, submission
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing

pytestmark = pytest.mark.django_db(transaction=True)


def apply_url(listing) -> str:
    return reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})


def form_post(email: str = "jane.doe@example.test", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": email,
        "q0-0-0": "yes",
        "q1-0-0": "ct-perm",
        "q3-count": "1",
        "q3-0-0": "en",
        "q3-0-1": "fluent",
        "q7-0-0": "true",
        "consent_SMART_RECRUIT": "on",
        "submit": "1",
    }
    data.update(overrides)
    return data


def link_in(message) -> str:
    [url] = re.findall(r"https?://\S+/applications/\S+/", message.body)
    return url


def test_applying_twice_with_the_same_email_in_other_case_creates_nothing_new(sandbox):
    listing = sandbox_listing(sandbox)
    client = Client()
    first = client.post(apply_url(listing), form_post())
    assert first.status_code == 302
    mail.outbox.clear()

    again = client.post(apply_url(listing), form_post(email="  Jane.DOE@Example.TEST "))

    assert again.status_code == 200
    assert "You have already applied for this job" in again.content.decode()
    assert "have emailed the link" in again.content.decode()
    assert Application.objects.count() == 1
    assert len(sandbox.candidates()) == 1  # nothing more reached SmartRecruiters
    [message] = mail.outbox
    assert message.to == ["jane.doe@example.test"]  # the first application's address
    assert "You had already applied" in message.body
    page = client.get(link_in(message).removeprefix("https://jobs.example.org"))
    assert page.status_code == 200
    assert "Your application" in page.content.decode()


def test_the_first_status_link_keeps_working_after_a_new_one_was_mailed(sandbox):
    listing = sandbox_listing(sandbox)
    application, token = intake.application_create(
        listing=listing, language="en", candidate=candidate(), answers=answers_ok(), files={}
    )

    with pytest.raises(intake.AlreadyApplied) as repeat:
        intake.application_create(
            listing=listing, language="en", candidate=candidate(), answers=answers_ok(), files={}
        )
    assert repeat.value.application_id == application.pk
    assert intake.status_link_resend(application_id=application.pk) is True

    client = Client()
    assert client.get(reverse("applications:status", kwargs={"token": token})).status_code == 200
    new_link = link_in(mail.outbox[-1]).removeprefix(sandbox.url.removesuffix("/sandbox"))
    assert client.get(new_link).status_code == 200
    assert StatusLink.objects.get().application == application
    assert token not in new_link


def test_the_same_email_may_apply_to_another_job(sandbox):
    intake.application_create(
        listing=sandbox_listing(sandbox),
        language="en",
        candidate=candidate(),
        answers=answers_ok(),
        files={},
    )

    intake.application_create(
        listing=sandbox_listing(sandbox),
        language="en",
        candidate=candidate(),
        answers=answers_ok(),
        files={},
    )

    assert Application.objects.count() == 2


def test_after_a_failed_application_one_may_apply_again(sandbox):
    listing = sandbox_listing(sandbox)
    # SmartRecruiters refuses it (a required answer missing): failed for good.
    failed, _ = intake.application_create(
        listing=listing, language="en", candidate=candidate(), answers=[], files={}
    )
    failed.refresh_from_db()
    assert failed.state == Application.State.FAILED

    again, _ = intake.application_create(
        listing=listing, language="en", candidate=candidate(), answers=answers_ok(), files={}
    )

    again.refresh_from_db()
    assert again.state == Application.State.SENT
    # An operator's retry of the failed one would now send a second application.
    assert submission.application_retry(application_id=failed.pk) is False
    failed.refresh_from_db()
    assert failed.state == Application.State.FAILED


def test_after_erasing_an_application_one_may_apply_again(sandbox):
    listing = sandbox_listing(sandbox)
    first, _ = intake.application_create(
        listing=listing, language="en", candidate=candidate(), answers=answers_ok(), files={}
    )
    assert erasure.application_erase(application_id=first.pk, reason="candidate request")
    first.refresh_from_db()
    assert first.repeat_key == ""

    intake.application_create(
        listing=listing, language="en", candidate=candidate(), answers=answers_ok(), files={}
    )

    assert Application.objects.count() == 2


def test_two_submits_at_once_meet_at_the_database(sandbox, monkeypatch):
    listing = sandbox_listing(sandbox)
    first, _ = intake.application_create(
        listing=listing, language="en", candidate=candidate(), answers=answers_ok(), files={}
    )
    # The second request looked before the first one committed, and found nothing.
    real_lookup = intake.selectors.live_application_id
    looks: list[str] = []

    def first_look_finds_nothing(*, repeat_key: str) -> int | None:
        looks.append(repeat_key)
        return None if len(looks) == 1 else real_lookup(repeat_key=repeat_key)

    monkeypatch.setattr(intake.selectors, "live_application_id", first_look_finds_nothing)

    with pytest.raises(intake.AlreadyApplied) as repeat:
        intake.application_create(
            listing=listing, language="en", candidate=candidate(), answers=answers_ok(), files={}
        )

    assert repeat.value.application_id == first.pk
    assert Application.objects.count() == 1


def test_the_status_link_is_mailed_again_at_most_three_times_an_hour(sandbox):
    listing = sandbox_listing(sandbox)
    client = Client()
    client.post(apply_url(listing), form_post())
    mail.outbox.clear()

    pages = [client.post(apply_url(listing), form_post()).content.decode() for _ in range(4)]

    assert len(mail.outbox) == 3
    assert CandidateMail.objects.filter(kind=CandidateMail.Kind.STATUS_LINK).count() == 3
    assert "a short while ago" in pages[-1]
    assert Application.objects.count() == 1


def test_a_repeat_spends_none_of_the_clients_budget_of_applications(sandbox, settings):
    settings.APPLICATION_RATE_LIMIT = 2
    listing = sandbox_listing(sandbox)
    client = Client()

    assert client.post(apply_url(listing), form_post()).status_code == 302
    assert client.post(apply_url(listing), form_post()).status_code == 200  # already applied
    other = client.post(apply_url(listing), form_post(email="joe@example.test"))

    assert other.status_code == 302
    assert Application.objects.count() == 2
