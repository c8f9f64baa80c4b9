"""Alerts from any search, and the page where one address sees and stops its alerts."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from jobboard.board import alerts
from jobboard.board.models import JobAlert
from jobboard.board.search import JobSearch
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db


def manage_path(message) -> str:
    found = re.search(r"https://jobs\.example\.org(/alerts/manage/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def alert(email: str, **params) -> JobAlert:
    return alerts.request_job_alert(
        email=email, search=JobSearch.from_params(params), client_ip="10.0.0.1"
    )


def test_every_results_page_offers_email_me_jobs_like_these_with_its_filters(client) -> None:
    make_listing(title="Python Developer", country_code="DE")
    html = client.get("/", {"q": "python", "country": "de", "sort": "newest"}).content.decode()
    assert 'href="/alerts/?q=python&amp;country=de">Email me jobs like these</a>' in html
    assert '<h2 id="alert-heading">Email me jobs like these</h2>' in html
    assert 'name="query" value="q=python&amp;country=de"' in html
    # An empty result offers it too.
    html = client.get("/", {"q": "astronaut"}).content.decode()
    assert 'href="/alerts/?q=astronaut">Email me jobs like these</a>' in html


def test_the_confirmation_and_digest_emails_link_to_the_manage_page(client) -> None:
    created = alert("Ada@Example.com", q="python")
    (confirm,) = mail.outbox
    path = manage_path(confirm)
    alerts.confirm_job_alert(token=alerts.alert_confirm_url(created).rsplit("/", 2)[-2])
    make_listing(title="Python Developer")
    mail.outbox.clear()
    from datetime import timedelta

    from django.utils import timezone

    assert alerts.send_job_alerts(now=timezone.now() + timedelta(seconds=1)) == 1
    (digest,) = mail.outbox
    # Both links name the same address (signed with a timestamp: two mails sent in
    # different seconds carry different tokens for the same page).
    token = path.rstrip("/").rsplit("/", 1)[-1]
    digest_token = manage_path(digest).rstrip("/").rsplit("/", 1)[-1]
    assert alerts.manage_token_email(digest_token) == alerts.manage_token_email(token)
    assert alerts.manage_token_email(token) == "ada@example.com"
    assert client.get(path).status_code == 200
    assert client.get(manage_path(digest)).status_code == 200


def test_the_manage_page_lists_every_alert_of_the_address_whatever_its_case(client) -> None:
    alert("Ada@Example.com", q="python", country="de")
    alert("ada@example.com", where="Berlin")
    alert("bob@example.com", q="cobol")
    path = manage_path(mail.outbox[0])
    html = client.get(path).content.decode()
    assert "Alerts for <strong>ada@example.com</strong>" in html
    assert "“python”, DE" in html
    assert "within 25 km of Berlin" in html
    assert "cobol" not in html
    assert html.count('class="alert-item"') == 2
    assert 'href="/?q=python&amp;country=de"' in html
    assert "Waiting for you to confirm it" in html


def test_an_alert_is_stopped_from_the_manage_page_and_only_its_own(client) -> None:
    keep = alert("ada@example.com", q="python")
    stop = alert("ada@example.com", q="java")
    other = alert("bob@example.com", q="cobol")
    path = manage_path(mail.outbox[0])
    client.handler.enforce_csrf_checks = True
    page = client.get(path)
    token = page.cookies["csrftoken"].value
    # Another address's alert cannot be stopped from this page.
    client.post(path, {"alert": other.pk, "csrfmiddlewaretoken": token})
    response = client.post(path, {"alert": stop.pk, "csrfmiddlewaretoken": token}, follow=True)
    assert response.redirect_chain == [(path, 302)]
    assert "The job alert is stopped." in response.content.decode()
    assert set(JobAlert.objects.values_list("pk", flat=True)) == {keep.pk, other.pk}


def test_stop_all_stops_every_alert_of_the_address(client) -> None:
    alert("ada@example.com", q="python")
    alert("ada@example.com", q="java")
    alert("bob@example.com", q="cobol")
    path = manage_path(mail.outbox[0])
    html = client.get(path).content.decode()
    assert "Stop all 2 alerts" in html
    response = client.post(path, {"action": "stop-all"}, follow=True)
    assert "Stopped 2 job alerts." in response.content.decode()
    assert list(JobAlert.objects.values_list("email", flat=True)) == ["bob@example.com"]
    assert "You have no job alerts any more." in response.content.decode()


def test_a_forged_manage_link_shows_nothing(client) -> None:
    alert("ada@example.com", q="python")
    response = client.get("/alerts/manage/forged:token/")
    assert response.status_code == 400
    assert "ada@example.com" not in response.content.decode()
    # An unsubscribe token is not a manage token.
    unsubscribe = alerts.alert_unsubscribe_url(JobAlert.objects.get()).rsplit("/", 2)[-2]
    assert client.get(f"/alerts/manage/{unsubscribe}/").status_code == 400


def test_the_manage_link_can_be_asked_for_by_email_without_telling_who_has_alerts(client) -> None:
    alert("ada@example.com", q="python")
    mail.outbox.clear()
    response = client.post("/alerts/manage/", {"email": "ADA@example.com"}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302
    assert response["Location"] == "/alerts/manage/sent/"
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "“python”" in message.body
    assert client.get(manage_path(message)).status_code == 200
    # An address without alerts gets the same answer, and no email.
    response = client.post("/alerts/manage/", {"email": "eve@example.com"}, REMOTE_ADDR="10.0.0.2")
    assert response["Location"] == "/alerts/manage/sent/"
    assert len(mail.outbox) == 1
    assert client.post("/alerts/manage/", {"email": "nope"}).status_code == 400


def test_asking_for_manage_links_is_rate_limited(client, settings) -> None:
    settings.BOARD_ALERT_SIGNUPS_PER_EMAIL = 2
    for _ in range(2):
        client.post("/alerts/manage/", {"email": "eve@example.com"}, REMOTE_ADDR="10.0.0.3")
    response = client.post("/alerts/manage/", {"email": "eve@example.com"}, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 429


def test_the_manage_page_costs_the_same_queries_for_one_alert_or_many(
    client, settings, django_assert_max_num_queries
) -> None:
    settings.BOARD_ALERT_SIGNUPS_PER_EMAIL = 20
    alert("ada@example.com", q="python")
    path = manage_path(mail.outbox[0])
    with django_assert_max_num_queries(3) as few:
        client.get(path)
    for i in range(8):
        alert("ada@example.com", q=f"word{i}")
    with django_assert_max_num_queries(3) as many:
        client.get(path)
    assert len(few.captured_queries) == len(many.captured_queries)
