"""The private status page, status polling, configuration caching and erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from jobboard.crypto import hash_token
from partner.applications.files import CheckedFile
from partner.applications.models import Application, ConfigurationCache
from partner.applications.services import erasure, intake, status, submission
from partner.smartrecruiters import apply_configuration
from tests.applications.conftest import PDF_BYTES, example_configuration_json
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing

pytestmark = pytest.mark.django_db(transaction=True)


def sent_application(sandbox, *, files=None) -> tuple[Application, str]:
    listing = sandbox_listing(sandbox)
    application, token = intake.application_create(
        listing=listing,
        language="en",
        candidate=candidate(),
        answers=answers_ok(),
        files=files or {},
    )
    application.refresh_from_db()
    assert application.state == Application.State.SENT  # the eager task sent it
    return application, token


def test_the_token_is_stored_only_as_a_hash(sandbox):
    application, token = sent_application(sandbox)

    assert application.status_token_hash == hash_token(token)
    assert token not in application.status_token_hash


def test_the_status_page_shows_our_state_and_smartrecruiters_status_in_words(sandbox):
    application, token = sent_application(sandbox)
    [stored] = sandbox.candidates()
    sandbox.set_candidate_status(stored, "IN_REVIEW")
    sandbox.set_switches(status_hyphen=True)

    html = Client().get(reverse("applications:status", kwargs={"token": token})).content.decode()

    assert "Sent" in html
    assert "IN_REVIEW" in html
    assert "Your application is being reviewed." in html
    assert application.candidate_portal_url in html


def test_the_status_is_cached_for_ten_minutes(sandbox):
    application, token = sent_application(sandbox)
    url = reverse("applications:status", kwargs={"token": token})
    client = Client()
    client.get(url)
    client.get(url)

    assert len(sandbox.journal(endpoint="apply.status")) == 1

    cache.delete(f"application-status:{application.pk}")
    client.get(url)
    assert len(sandbox.journal(endpoint="apply.status")) == 2


def test_the_status_page_falls_back_to_the_last_known_status_during_an_outage(sandbox):
    _, token = sent_application(sandbox)
    sandbox.set_switches(outage=True)

    html = Client().get(reverse("applications:status", kwargs={"token": token})).content.decode()

    assert "NEW" in html


def test_an_unknown_token_is_a_404(db):
    assert Client().get(reverse("applications:status", kwargs={"token": "nope"})).status_code == 404


def test_polling_refreshes_the_status_of_recent_sent_applications(sandbox):
    application, _ = sent_application(sandbox)
    [stored] = sandbox.candidates()
    sandbox.set_candidate_status(stored, "INTERVIEW")

    assert status.statuses_poll()["checked"] == 1

    application.refresh_from_db()
    assert application.sr_status == "INTERVIEW"
    # Checked just now: the next poll leaves it alone.
    assert status.statuses_poll()["checked"] == 0


def test_the_candidate_can_erase_their_data_from_the_status_page(sandbox, settings):
    resume = CheckedFile(name="cv.pdf", mime_type="application/pdf", content=PDF_BYTES)
    application, token = sent_application(sandbox, files={"resume": [resume]})
    path = settings.PRIVATE_MEDIA_ROOT / application.files.get().path
    assert path.exists()
    client = Client(enforce_csrf_checks=False)
    erase_url = reverse("applications:erase", kwargs={"token": token})

    unconfirmed = client.post(erase_url, {})
    assert unconfirmed.status_code == 400
    assert path.exists()

    response = client.post(erase_url, {"confirm": "yes"})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.is_erased
    assert not path.exists()
    assert application.payload["firstName"] == "[erased]"
    assert application.payload["email"] == "[erased]"
    assert "Jane" not in application.payload_json
    html = client.get(reverse("applications:status", kwargs={"token": token})).content.decode()
    assert "have been erased" in html


def test_the_status_pages_keep_their_address_to_this_site_without_breaking_csrf(sandbox):
    _, token = sent_application(sandbox)
    client = Client()

    page = client.get(reverse("applications:status", kwargs={"token": token}))
    erased = client.post(reverse("applications:erase", kwargs={"token": token}), {})

    # "no-referrer" made browsers send "Origin: null", which Django's CSRF check refuses.
    assert 'name="referrer"' not in page.content.decode()
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert erased.headers["Referrer-Policy"] == "same-origin"


def test_the_erase_form_needs_a_csrf_token(sandbox):
    _, token = sent_application(sandbox)

    response = Client(enforce_csrf_checks=True).post(
        reverse("applications:erase", kwargs={"token": token}), {"confirm": "yes"}
    )

    assert response.status_code == 403


def test_erasing_an_unsent_application_withdraws_it(sandbox):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(outage=True)
    application, _ = intake.application_create(
        listing=listing, language="en", candidate=candidate(), answers=answers_ok(), files={}
    )

    assert erasure.application_erase(application_id=application.pk, reason="test") is True

    application.refresh_from_db()
    assert application.state == Application.State.FAILED
    sandbox.set_switches(outage=False)
    assert submission.submissions_drain()["sent"] == 0
    assert sandbox.candidates() == []


def test_sent_applications_are_erased_after_the_retention_period(sandbox, settings, admin_client):
    settings.APPLICATION_RETENTION_DAYS = 30
    application, _ = sent_application(sandbox)

    assert erasure.erase_expired(now=timezone.now() + timedelta(days=29)) == 0
    assert erasure.erase_expired(now=timezone.now() + timedelta(days=31)) == 1

    application.refresh_from_db()
    assert application.is_erased
    assert application.candidate_id  # SmartRecruiters' ids stay for the record
    page = admin_client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()
    assert "[erased]" in page
    assert "jane.doe@example.test" not in page


def test_the_admin_shows_the_payload_with_file_contents_elided(sandbox, admin_client):
    resume = CheckedFile(name="cv.pdf", mime_type="application/pdf", content=PDF_BYTES)
    application, _ = sent_application(sandbox, files={"resume": [resume]})

    page = admin_client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()

    assert f"&lt;base64 of {len(PDF_BYTES)} bytes elided&gt;" in page
    assert "jane.doe@example.test" in page
    assert admin_client.get(reverse("admin:applications_application_changelist")).status_code == 200


def test_the_configuration_is_cached_per_posting_and_language(sandbox, client):
    listing = sandbox_listing(sandbox)
    url = reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})

    client.get(url)
    client.get(url)
    with translation.override("de"):
        client.get(reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug}))

    requests = sandbox.journal(endpoint="apply.configuration")
    assert len(requests) == 2
    assert ConfigurationCache.objects.filter(posting_uuid=listing.posting_uuid).count() == 2


def test_a_stale_configuration_is_served_while_smartrecruiters_is_down(sandbox, client, settings):
    listing = sandbox_listing(sandbox)
    url = reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})
    client.get(url)
    ConfigurationCache.objects.update(fetched_at=timezone.now() - timedelta(hours=2))
    sandbox.set_switches(outage=True)

    response = client.get(url)

    assert response.status_code == 200
    assert "Are you authorised to work in Germany?" in response.content.decode()
    assert "as we last loaded them" in response.content.decode()


def test_a_never_fetched_configuration_during_an_outage_offers_the_sr_apply_url(sandbox, client):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(outage=True)

    response = client.get(
        reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})
    )

    assert response.status_code == 503
    assert f'href="{listing.apply_url}"' in response.content.decode()


def test_an_expiring_configuration_is_refreshed_in_the_background(sandbox, client, settings):
    settings.APPLICATION_CONFIG_TTL = 3600
    listing = sandbox_listing(sandbox)
    url = reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})
    client.get(url)
    old = timezone.now() - timedelta(minutes=50)
    ConfigurationCache.objects.update(fetched_at=old)

    client.get(url)  # served from the cache; the (eager) task refreshes it

    assert ConfigurationCache.objects.get().fetched_at > old + timedelta(minutes=45)
    assert len(sandbox.journal(endpoint="apply.configuration")) == 2


def test_a_closed_posting_shows_the_closed_page(sandbox, client):
    from partner.sandbox.models import SandboxPosting

    listing = sandbox_listing(sandbox)
    sandbox.remove_posting(SandboxPosting.objects.get(job__uuid=listing.posting_uuid))

    response = client.get(
        reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})
    )

    assert response.status_code == 410


def test_the_status_page_names_the_questions_a_400_rejected(sandbox):
    application, token = sent_application(sandbox)
    Application.objects.filter(pk=application.pk).update(
        state=Application.State.FAILED,
        last_error="Values for the following screening questions' answers are incorrect: x.",
        rejected_question_ids=["q-permit"],
    )
    ConfigurationCache.objects.create(
        posting_uuid=application.posting_uuid,
        language="en",
        data=apply_configuration.parse_configuration(example_configuration_json()).to_json(),
        fetched_at=timezone.now(),
    )

    html = Client().get(reverse("applications:status", kwargs={"token": token})).content.decode()

    assert "Are you authorised to work in Germany?" in html
    assert "Apply again" in html


def test_the_periodic_tasks_are_in_the_beat_schedule(db):
    from jobboard.celery import beat_schedule

    tasks = {entry["task"] for entry in beat_schedule().values()}

    assert {
        "partner.applications.tasks.sweep_submissions",
        "partner.applications.tasks.poll_statuses",
        "partner.applications.tasks.erase_expired",
    } <= tasks


def test_the_sweep_task_re_drives_a_submission_a_lost_message_left_behind(sandbox):
    from partner.applications import tasks

    listing = sandbox_listing(sandbox)
    original = tasks.submit_application.delay
    tasks.submit_application.delay = lambda *a, **k: None  # the message is lost
    try:
        application, _ = intake.application_create(
            listing=listing, language="en", candidate=candidate(), answers=answers_ok(), files={}
        )
    finally:
        tasks.submit_application.delay = original
    assert Application.objects.get().state == Application.State.RECEIVED

    assert tasks.sweep_submissions.delay().get() == 1

    application.refresh_from_db()
    assert application.state == Application.State.SENT
    assert tasks.erase_expired.delay().get() == 0
    assert tasks.poll_statuses.delay().get() == {"checked": 1, "errors": 0}


def test_the_admin_erase_action_redacts_the_application(sandbox, admin_client):
    application, _ = sent_application(sandbox)

    response = admin_client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "erase_selected", "_selected_action": [application.pk]},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.erasure_reason == "admin"
    assert application.payload["lastName"] == "[erased]"
    changelist = admin_client.get(
        reverse("admin:applications_application_changelist") + "?state__exact=sent"
    )
    assert f"Application #{application.pk}" in changelist.content.decode()
