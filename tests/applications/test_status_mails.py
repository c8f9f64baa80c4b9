"""Status changes at SmartRecruiters: mailed once per change to candidates who asked, and
shown on the status page as soon as we know of them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partner.applications.models import Application, CandidateMail
from partner.applications.services import intake, mails, status
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing

pytestmark = pytest.mark.django_db(transaction=True)


def sent_application(
    sandbox, *, notify: bool = True, email: str = "jane.doe@example.test"
) -> tuple[Application, str]:
    application, token = intake.application_create(
        listing=sandbox_listing(sandbox),
        language="en",
        candidate=candidate(email=email),
        answers=answers_ok(),
        files={},
        notify_status_changes=notify,
    )
    application.refresh_from_db()
    assert application.state == Application.State.SENT
    return application, token


def status_mails() -> list:
    return [m for m in mail.outbox if m.subject.startswith("News about your application")]


def later(hours: float) -> timezone.datetime:
    return timezone.now() + timedelta(hours=hours)


def test_an_opted_in_candidate_is_mailed_once_when_the_poll_finds_a_new_status(sandbox):
    application, _ = sent_application(sandbox)
    [stored] = sandbox.candidates()
    sandbox.set_candidate_status(stored, "INTERVIEW")

    assert status.statuses_poll()["checked"] == 1
    # The next poll reads the same status again: nothing new to tell.
    assert status.statuses_poll(now=later(7))["checked"] == 1

    [message] = status_mails()
    assert message.to == ["jane.doe@example.test"]
    assert message.subject == f"News about your application for {application.job_title}"
    assert "You are in the interview stage." in message.body
    assert "You can turn them off on that page." in message.body
    [url] = re.findall(r"https?://\S+/applications/\S+/", message.body)
    page = Client().get("/" + url.split("/", 3)[3])
    assert "INTERVIEW" in page.content.decode()


def test_two_reads_of_the_same_change_record_it_and_mail_it_once(sandbox):
    application, _ = sent_application(sandbox)
    now = timezone.now()

    assert status.status_record(application_id=application.pk, status="IN_REVIEW", now=now)
    assert not status.status_record(application_id=application.pk, status="IN_REVIEW", now=now)

    assert len(status_mails()) == 1
    assert CandidateMail.objects.filter(kind=CandidateMail.Kind.STATUS_CHANGED).count() == 1


def test_every_change_is_mailed(sandbox):
    sent_application(sandbox)
    [stored] = sandbox.candidates()

    for hours, value in ((0, "IN_REVIEW"), (7, "INTERVIEW"), (14, "INTERVIEW"), (21, "OFFER")):
        sandbox.set_candidate_status(stored, value)
        status.statuses_poll(now=later(hours))

    assert [m.body.count("An offer has been made.") for m in status_mails()] == [0, 0, 1]
    assert len(status_mails()) == 3


def test_a_candidate_who_did_not_opt_in_gets_no_status_mail(sandbox):
    sent_application(sandbox, notify=False)
    [stored] = sandbox.candidates()
    sandbox.set_candidate_status(stored, "REJECTED")

    status.statuses_poll()

    assert status_mails() == []
    assert CandidateMail.objects.count() == 0
    assert Application.objects.get().sr_status == "REJECTED"


def test_a_status_mail_is_dropped_when_the_candidate_turned_them_off_meanwhile(sandbox):
    application, token = sent_application(sandbox)
    from partner.applications import tasks

    original = tasks.send_candidate_mail.delay
    tasks.send_candidate_mail.delay = lambda *a, **k: None  # not sent yet
    try:
        status.status_record(application_id=application.pk, status="OFFER", now=timezone.now())
    finally:
        tasks.send_candidate_mail.delay = original

    client = Client()
    response = client.post(
        reverse("applications:status_mails", kwargs={"token": token}), {"notify": "off"}
    )

    assert response.status_code == 302
    assert not Application.objects.get().notify_status_changes
    assert "no longer email you" in client.get(response["Location"]).content.decode()
    mail_id = CandidateMail.objects.get().pk
    assert mails.candidate_mail_send(mail_id=mail_id).result == "dropped"
    assert status_mails() == []


def test_status_mails_can_be_turned_on_from_the_status_page(sandbox):
    application, token = sent_application(sandbox, notify=False)
    url = reverse("applications:status", kwargs={"token": token})
    client = Client()
    assert "Email me about status updates" in client.get(url).content.decode()

    client.post(reverse("applications:status_mails", kwargs={"token": token}), {"notify": "on"})

    application.refresh_from_db()
    assert application.notify_status_changes
    assert "Stop status emails" in client.get(url).content.decode()


def test_the_apply_form_stores_the_opt_in(sandbox):
    listing = sandbox_listing(sandbox)
    data = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane.doe@example.test",
        "q0-0-0": "yes",
        "q1-0-0": "ct-perm",
        "q3-count": "1",
        "q3-0-0": "en",
        "q3-0-1": "fluent",
        "q7-0-0": "true",
        "consent_SMART_RECRUIT": "on",
        "submit": "1",
    }
    url = reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})
    assert "Email me when the employer updates the status" in Client().get(url).content.decode()

    Client().post(url, {**data, "notify_status_changes": "on"})
    Client().post(url, {**data, "email": "joe@example.test"})

    opted = dict(Application.objects.values_list("notify_status_changes", "pk"))
    assert set(opted) == {True, False}
    # Ours only: SmartRecruiters never sees it.
    assert all("notify" not in str(c.payload) for c in sandbox.candidates())


def test_a_change_the_poll_recorded_shows_at_once_on_a_page_with_an_older_cache(sandbox):
    application, token = sent_application(sandbox, notify=False)
    url = reverse("applications:status", kwargs={"token": token})
    client = Client()
    assert "NEW" in client.get(url).content.decode()
    # What this web process cached; the poll runs in a worker with a cache of its own.
    web_cache = cache.get(status.status_cache_key(application.pk))
    [stored] = sandbox.candidates()
    sandbox.set_candidate_status(stored, "INTERVIEW")
    assert status.statuses_poll(now=later(7))["checked"] == 1
    cache.set(status.status_cache_key(application.pk), web_cache)
    reads = len(sandbox.journal(endpoint="apply.status"))

    html = client.get(url).content.decode()

    assert "INTERVIEW" in html
    assert "You are in the interview stage." in html
    assert len(sandbox.journal(endpoint="apply.status")) == reads  # from the database


def test_two_polls_at_once_ask_for_each_status_once(sandbox, monkeypatch):
    """A slow poll and the next one overlap: each application is checked by one of them."""
    sent_application(sandbox)
    sent_application(sandbox, email="second@example.test")
    asked: list[str] = []
    real_get_status = status.sr.get_status

    def get_status(posting_uuid: str, candidate_id: str, **kwargs):
        asked.append(candidate_id)
        if len(asked) == 1:
            # The next poll starts while this one waits for SmartRecruiters.
            status.statuses_poll()
        return real_get_status(posting_uuid, candidate_id, **kwargs)

    monkeypatch.setattr(status.sr, "get_status", get_status)
    status.statuses_poll()

    assert sorted(asked) == sorted(set(asked))
    assert len(asked) == 2


def test_a_check_cut_short_by_smartrecruiters_is_first_in_line_next_time(sandbox, monkeypatch):
    application, _ = sent_application(sandbox)

    def unavailable(*args, **kwargs):
        raise status.TransientError("503")

    monkeypatch.setattr(status.sr, "get_status", unavailable)
    assert status.statuses_poll() == {"checked": 0, "errors": 1}

    application.refresh_from_db()
    assert application.sr_status_checked_at is None
