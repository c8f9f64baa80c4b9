"""Every console page is for staff only, renders for them, and actions need POST + CSRF."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from partner.sandbox import services
from partner.sandbox.models import JournalEntry, SandboxPosting


@pytest.fixture
def world(posting, candidate, staff_client):
    # One journal row through the real API, so the journal detail page has something to show.
    Client().get("/sandbox/feed/publications?status=Pending", HTTP_X_SMARTTOKEN="wrong-token")
    return {
        "posting": posting,
        "candidate": candidate,
        "attachment": candidate.attachments.get(),
        "entry": JournalEntry.objects.latest("id"),
    }


def _pages(world: dict) -> list[str]:
    return [
        reverse("sandbox:console"),
        reverse("sandbox:console-postings"),
        reverse("sandbox:console-posting-new"),
        reverse("sandbox:console-posting", args=[world["posting"].id]),
        reverse("sandbox:console-posting-repost", args=[world["posting"].id]),
        reverse("sandbox:console-companies"),
        reverse("sandbox:console-company", args=[world["posting"].company_id]),
        reverse("sandbox:console-candidates"),
        reverse("sandbox:console-candidate", args=[world["candidate"].pk]),
        reverse("sandbox:console-journal"),
        reverse("sandbox:console-journal-entry", args=[world["entry"].pk]),
        reverse("sandbox:console-faults"),
    ]


def test_the_console_home_is_the_sandbox_root():
    assert reverse("sandbox:console") == "/sandbox/"


def test_every_page_renders_for_staff(world, staff_client):
    for url in _pages(world):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert b'href="/sandbox/assessments/"' in response.content, url


def test_anonymous_visitors_are_sent_to_the_admin_login(world):
    anonymous = Client()
    for url in [*_pages(world), reverse("sandbox:console-attachment-download", args=[1])]:
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_a_logged_in_user_who_is_not_staff_is_sent_to_the_login_too(world):
    user = get_user_model().objects.create_user(username="candidate", password="x" * 20)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("sandbox:console"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_posts_change_nothing(posting):
    response = Client().post(reverse("sandbox:console-posting-remove", args=[posting.id]))
    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.status == "Pending"


def test_actions_refuse_get(posting, staff_client):
    for url in [
        reverse("sandbox:console-posting-remove", args=[posting.id]),
        reverse("sandbox:console-clock-advance"),
        reverse("sandbox:console-faults-reset"),
        reverse("sandbox:console-faults-stop"),
        reverse("sandbox:console-reset"),
        reverse("sandbox:console-seed"),
    ]:
        assert staff_client.get(url).status_code == 405, url
    posting.refresh_from_db()
    assert posting.status == "Pending"


def test_actions_need_the_csrf_token(posting, staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post(reverse("sandbox:console-posting-remove", args=[posting.id]))
    assert response.status_code == 403
    posting.refresh_from_db()
    assert posting.status == "Pending"


def test_every_form_on_the_pages_carries_a_csrf_token(world, staff_client):
    for url in _pages(world):
        html = staff_client.get(url).content.decode()
        assert html.count('method="post"') == html.count("csrfmiddlewaretoken"), url


def test_unknown_ids_are_404(staff_client, db):
    for url in [
        reverse("sandbox:console-posting", args=[999]),
        reverse("sandbox:console-posting-repost", args=[999]),
        reverse("sandbox:console-company", args=[999]),
        reverse("sandbox:console-candidate", args=[999]),
        reverse("sandbox:console-journal-entry", args=[999]),
        reverse("sandbox:console-attachment-download", args=[999]),
    ]:
        assert staff_client.get(url).status_code == 404, url


def test_the_reset_button_needs_the_confirmation_box(posting, staff_client):
    staff_client.post(reverse("sandbox:console-reset"))
    assert SandboxPosting.objects.count() == 1
    response = staff_client.post(reverse("sandbox:console-reset"), {"confirm": "on"}, follow=True)
    assert SandboxPosting.objects.count() == 0
    assert "Sandbox reset" in response.content.decode()


def test_seeding_from_the_dashboard_adds_pending_postings(staff_client, db):
    services.ensure_partner()
    response = staff_client.post(
        reverse("sandbox:console-seed"), {"postings": "6", "companies": "2"}, follow=True
    )
    assert "Seeded 6 Pending posting(s) over 2 company(ies)." in response.content.decode()
    assert SandboxPosting.objects.filter(status="Pending").count() == 6


def test_absurd_ids_and_filters_are_harmless(staff_client, posting):
    huge = "9" * 30
    assert staff_client.get(f"/sandbox/console/postings/{huge}/").status_code == 404
    assert staff_client.get(f"/sandbox/console/candidates/{huge}/").status_code == 404
    listed = staff_client.get(reverse("sandbox:console-postings"), {"q": huge})
    assert listed.status_code == 200
    assert list(listed.context["page"]) == []
    candidates = staff_client.get(reverse("sandbox:console-candidates"), {"posting": huge})
    assert candidates.status_code == 200
    journal = staff_client.get(reverse("sandbox:console-journal"), {"status": "99999999"})
    assert journal.status_code == 200
    assert "Use a status code" in journal.content.decode()


def test_the_list_pages_render_for_an_empty_sandbox(staff_client, db):
    for name in [
        "console",
        "console-postings",
        "console-companies",
        "console-candidates",
        "console-journal",
        "console-faults",
        "console-posting-new",
    ]:
        response = staff_client.get(reverse(f"sandbox:{name}"))
        assert response.status_code == 200, name
    assert "No partner key yet" in staff_client.get(reverse("sandbox:console")).content.decode()


def test_post_a_job_for_a_company_preselects_it(staff_client, posting):
    url = reverse("sandbox:console-posting-new") + f"?company={posting.company_id}"
    html = staff_client.get(url).content.decode()
    assert f'<option value="{posting.company_id}" selected>Acme Corp</option>' in html
