"""Mails go out in the language the person used on the board, whoever sends them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from jobboard.board import alerts as board_alerts
from jobboard.board.models import JobAlert
from partner.applications.models import CandidateMail
from partner.applications.services import intake, mails
from tests.applications.conftest import make_listing as make_apply_listing
from tests.applications.sandbox_helpers import answers_ok, candidate
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db


def test_an_alert_is_mailed_in_the_language_it_was_asked_for_in(client) -> None:
    response = client.post(
        "/pl/alerts/", {"email": "ola@example.org", "query": "q=python"}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302
    alert = JobAlert.objects.get()
    assert alert.language == "pl"
    (confirm,) = mail.outbox
    assert confirm.subject == "Potwierdź swój alert o ofertach w Open Job Board"
    [confirm_path] = re.findall(
        r"https://jobs\.example\.org(/pl/alerts/confirm/\S+/)", confirm.body
    )
    # The worker's own language is English; the digest still speaks Polish, with prices
    # and links as Polish pages write them.
    assert client.get(confirm_path).status_code == 200
    later = timezone.now() + timedelta(seconds=1)
    job = make_listing(
        title="Python Developer",
        salary_min=12000,
        salary_max=15000,
        salary_currency="EUR",
        salary_period="MONTH",
    )
    mail.outbox.clear()
    with translation.override("en"):
        assert board_alerts.send_job_alerts(now=later) == 1
    (digest,) = mail.outbox
    assert digest.subject.startswith("1 nowa oferta: ")
    assert "Python Developer, " in digest.body
    assert "EUR 12 000 \u2013 15 000 miesięcznie" in digest.body.replace("\xa0", " ")
    assert f"https://jobs.example.org/pl/jobs/{job.pk}-{job.slug}/" in digest.body
    assert "Wypisz się jednym kliknięciem: https://jobs.example.org/pl/alerts/unsubscribe/" in (
        digest.body
    )


def test_asking_again_from_another_language_switches_the_alerts_mails() -> None:
    search = board_alerts.JobSearch.from_params({})
    with translation.override("de"):
        board_alerts.request_job_alert(email="a@example.org", search=search, client_ip="1.2.3.4")
    with translation.override("fr"):
        alert = board_alerts.request_job_alert(
            email="a@example.org", search=search, client_ip="1.2.3.4"
        )
    alert.refresh_from_db()
    assert (alert.language, alert.description) == ("fr", "Toutes les offres")
    assert mail.outbox[-1].subject == "Confirmez votre alerte emploi sur Open Job Board"


def test_a_candidate_gets_every_mail_in_the_language_they_applied_in() -> None:
    listing = make_apply_listing(title="Backend Engineer")
    application, token = intake.application_create(
        listing=listing,
        language="de",
        candidate=candidate(),
        answers=answers_ok(),
        files={},
        notify_status_changes=True,
    )
    # As a worker sends them: with English active.
    with translation.override("en"):
        assert intake.confirmation_send(application_id=application.pk, token=token)
        mails.mail_queue(
            application_id=application.pk,
            kind=CandidateMail.Kind.STATUS_CHANGED,
            sr_status="INTERVIEW",
        )
        for owed in CandidateMail.objects.all():
            mails.candidate_mail_send(mail_id=owed.pk)
    confirmation, news = mail.outbox
    assert confirmation.subject == "Ihre Bewerbung als Backend Engineer ist eingegangen"
    assert confirmation.body.startswith("Hallo Jane,")
    assert "https://jobs.example.org/de/applications/" in confirmation.body
    assert news.subject == "Neuigkeiten zu Ihrer Bewerbung als Backend Engineer"
    assert "Sie sind in der Interviewphase." in news.body
    assert "https://jobs.example.org/de/applications/" in news.body
