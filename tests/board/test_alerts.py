"""Job alerts: subscribe, confirm (double opt-in), digest, unsubscribe, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jobboard.board import alerts
from jobboard.board.models import JobAlert
from jobboard.celery import app as celery_app
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db


def link(message, kind: str) -> str:
    found = re.search(rf"https://jobs\.example\.org(/alerts/{kind}/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def subscribe(client, email: str = "ada@example.com", query: str = "q=python&country=de"):
    return client.post("/alerts/", {"email": email, "query": query}, REMOTE_ADDR="10.0.0.1")


def test_the_whole_alert_flow(client) -> None:
    response = subscribe(client)
    assert response.status_code == 302
    assert response["Location"] == "/alerts/sent/"
    alert = JobAlert.objects.get()
    assert alert.query == "q=python&country=de"
    assert not alert.is_confirmed

    (confirm_email,) = mail.outbox
    assert confirm_email.to == ["ada@example.com"]
    assert "Confirm your job alert" in confirm_email.subject
    assert confirm_email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Unconfirmed: the digest run sends nothing.
    make_listing(title="Python Developer", country_code="DE")
    assert alerts.send_job_alerts() == 0

    response = client.get(link(confirm_email, "confirm"))
    assert response.status_code == 200
    assert "Your job alert is on" in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_confirmed

    # Jobs that arrive after confirmation, and match, make one digest.
    later = timezone.now() + timedelta(seconds=1)
    make_listing(title="Python Engineer", country_code="DE", city="Berlin", country="Germany")
    make_listing(title="Python Engineer", country_code="FR", city="Paris", country="France")
    make_listing(title="Chef", country_code="DE")
    mail.outbox.clear()
    assert alerts.send_job_alerts(now=later) == 1
    (digest,) = mail.outbox
    assert "Python Engineer" in digest.body
    assert "Paris" not in digest.body
    assert "Chef" not in digest.body
    assert "1 new job" in digest.subject
    unsubscribe = link(digest, "unsubscribe")
    assert digest.extra_headers["List-Unsubscribe"] == f"<https://jobs.example.org{unsubscribe}>"
    assert unsubscribe in digest.body

    # Nothing new: nothing sent, and running twice never repeats a digest.
    mail.outbox.clear()
    assert alerts.send_job_alerts(now=later + timedelta(seconds=1)) == 0
    assert mail.outbox == []

    # GET only asks; the RFC 8058 one-click POST (no CSRF token, no cookie) unsubscribes.
    assert "Stop this job alert?" in client.get(unsubscribe).content.decode()
    assert JobAlert.objects.exists()
    client.handler.enforce_csrf_checks = True
    response = client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not JobAlert.objects.exists()


def test_the_celery_task_is_registered_under_its_beat_name() -> None:
    import jobboard.board.tasks  # noqa: F401  - registers the task

    assert "jobboard.board.tasks.send_job_alerts" in celery_app.tasks


def test_the_task_sends_digests(client) -> None:
    from jobboard.board.tasks import send_job_alerts

    subscribe(client, query="")
    client.get(link(mail.outbox[0], "confirm"))
    JobAlert.objects.update(last_sent_at=timezone.now() - timedelta(days=1))
    make_listing(title="Anything")
    assert send_job_alerts.apply().get() == 1


def test_a_bad_email_gets_an_error_summary(client) -> None:
    response = subscribe(client, email="not-an-email")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert "Enter an email address like name@example.com" in html
    assert 'aria-invalid="true"' in html
    assert not JobAlert.objects.exists()


def test_sign_ups_are_rate_limited_per_email_and_per_ip(client, settings) -> None:
    settings.BOARD_ALERT_SIGNUPS_PER_EMAIL = 2
    settings.BOARD_ALERT_SIGNUPS_PER_IP = 3
    assert subscribe(client, query="q=a").status_code == 302
    assert subscribe(client, query="q=b").status_code == 302
    assert subscribe(client, query="q=c").status_code == 429
    assert subscribe(client, email="bob@example.com").status_code == 429  # 4th from this IP
    assert JobAlert.objects.count() == 2


def test_subscribing_twice_resends_the_link_until_confirmed(client) -> None:
    subscribe(client)
    subscribe(client)
    assert JobAlert.objects.count() == 1
    assert len(mail.outbox) == 2
    client.get(link(mail.outbox[0], "confirm"))
    subscribe(client)
    assert len(mail.outbox) == 2


def test_forged_or_stale_links_do_nothing(client, settings) -> None:
    subscribe(client)
    confirm = link(mail.outbox[0], "confirm")
    assert client.get(confirm[:-5] + "xxxx/").status_code == 400
    assert client.post("/alerts/unsubscribe/forged:token/").status_code == 400
    alert = JobAlert.objects.get()
    # A confirm token cannot unsubscribe, nor the other way round (different salts).
    assert client.post(confirm.replace("confirm", "unsubscribe")).status_code == 400
    assert JobAlert.objects.filter(pk=alert.pk).exists()
    # A link older than its validity confirms nothing.
    settings.BOARD_ALERT_CONFIRM_DAYS = 0
    assert client.get(confirm).status_code == 400
    alert.refresh_from_db()
    assert not alert.is_confirmed
