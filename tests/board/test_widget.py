"""The embeddable widget: its script, its iframe fallback and the admin's snippet page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from jobboard.board.api.widget import SCRIPT
from jobboard.board.services import withdraw_listing
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db


def test_the_script_is_small_self_contained_and_loadable_from_any_site(client) -> None:
    response = client.get("/widget.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert len(response.content) < 10 * 1024
    assert response.content == SCRIPT.read_bytes()
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    # No dependency: it loads nothing but the API (no import, no other script).
    text = response.content.decode()
    assert "import " not in text
    assert 'createElement("script")' not in text
    assert "innerHTML" not in text
    assert "/api/v1/jobs/" in text
    assert client.get("/widget.js", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_iframe_shows_the_company_jobs_and_may_be_framed_by_any_site(client) -> None:
    acme = make_listing(title="Baker", company_name="Acme", city="Berlin", function="Sales")
    make_listing(title="Brewer", company_name="Acme", city="Paris", function="Engineering")
    make_listing(title="Butcher", company_name="Other")

    response = client.get(
        "/widget/jobs/", {"company": "acme", "location": "Berlin", "department": "Sales"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="https://jobs.example.org/jobs/{acme.pk}-baker/"' in html
    assert "Brewer" not in html
    assert "Butcher" not in html
    assert 'href="https://jobs.example.org/companies/acme/"' in html
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    assert "<script" not in html
    assert "style=" not in html


def test_every_other_page_still_refuses_to_be_framed(client) -> None:
    response = client.get("/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_iframe_drops_a_withdrawn_job_and_honours_the_limit(client) -> None:
    for n in range(4):
        make_listing(title=f"Job {n}", company_name="Acme", external_id=f"acme-{n}")
    withdraw_listing(source="test", external_id="acme-3")

    html = client.get("/widget/jobs/", {"company": "acme", "limit": "2"}).content.decode()

    assert html.count('class="job"') == 2
    assert "Job 3" not in html


@pytest.fixture
def staff_client(client):
    user = User.objects.create_user("ops", password="pw", is_staff=True)
    client.force_login(user)
    return client


def test_the_admin_makes_the_script_and_iframe_snippets(staff_client) -> None:
    make_listing(title="Baker", company_name="Acme")
    make_listing(title="Brewer", company_name="Gone Ltd", external_id="gone")
    withdraw_listing(source="test", external_id="gone")

    index = staff_client.get("/admin/").content.decode()
    assert 'href="/admin/board/widget/"' in index
    page = staff_client.get("/admin/board/widget/")
    assert page.status_code == 200
    # Only companies with a live job to show.
    assert 'value="acme"' in page.content.decode()
    assert 'value="gone-ltd"' not in page.content.decode()

    made = staff_client.get(
        "/admin/board/widget/",
        {"company": "acme", "q": "baker", "location": "Berlin", "department": "", "limit": "3"},
    )

    snippets = made.context["snippets"]
    assert snippets["script"] == (
        '<script src="https://jobs.example.org/widget.js" data-company="acme" '
        'data-filters="q=baker&amp;location=Berlin" data-limit="3" async></script>'
    )
    assert snippets["iframe"].startswith(
        '<iframe src="https://jobs.example.org/widget/jobs/?company=acme&amp;q=baker'
        '&amp;location=Berlin&amp;limit=3"'
    )
    # Shown escaped, ready to copy.
    assert "&lt;script src=&quot;https://jobs.example.org/widget.js&quot;" in made.content.decode()


def test_the_snippet_page_is_for_staff_only(client) -> None:
    response = client.get("/admin/board/widget/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_iframe_is_revalidated_and_changes_with_the_board(client) -> None:
    make_listing(company_name="Acme", external_id="acme-1")
    first = client.get("/widget/jobs/", {"company": "acme"})
    assert first["Cache-Control"] == "public, no-cache"

    again = client.get("/widget/jobs/", {"company": "acme"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "frame-ancestors *" in again["Content-Security-Policy"]

    withdraw_listing(source="test", external_id="acme-1")
    after = client.get("/widget/jobs/", {"company": "acme"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert 'class="job"' not in after.content.decode()
