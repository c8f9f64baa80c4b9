"""Admin for the vendor's staff: the group, the order list and page, the actions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from partner.assessments import tasks
from partner.assessments.models import Order, ResultPush, ResultStatus
from tests.assessments.factories import fullstack_package, order_body


@pytest.fixture
def staff_client(db) -> Client:
    user = User.objects.create(username="vera", email="vera@vendor.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Assessment staff"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def order(company, client, bearer, queued) -> Order:
    fullstack_package(with_manual=True)
    client.post(
        "/sr/assessments/packages/orders",
        order_body(),
        content_type="application/json",
        **bearer(),
    )
    tasks.send_invitation(Order.objects.get().pk)
    return Order.objects.get()


def _act(client: Client, order: Order, action: str, data: dict | None = None):
    return client.post(f"/admin/assessments/order/{order.pk}/act/{action}/", data or {})


@pytest.mark.django_db
def test_the_staff_group_has_only_assessment_permissions():
    group = Group.objects.get(name="Assessment staff")
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert labels == {"assessments"}
    assert (
        group.permissions.count()
        == Permission.objects.filter(content_type__app_label="assessments").count()
    )


@pytest.mark.django_db
def test_staff_see_orders_with_filters_but_not_users(staff_client, order):
    listing = staff_client.get("/admin/assessments/order/?status__exact=PENDING")
    assert listing.status_code == 200
    assert "ana@example.org" in listing.content.decode()
    for query in (
        "kind__exact=standard",
        f"package__id__exact={order.package_id}",
        f"integration__client__id__exact={order.integration.client_id}",
        f"created_at__year={timezone.now().year}",
    ):
        assert staff_client.get(f"/admin/assessments/order/?{query}").status_code == 200
    assert staff_client.get("/admin/auth/user/").status_code == 403


@pytest.mark.django_db
def test_the_order_page_shows_candidate_job_timeline_and_actions(staff_client, order):
    page = staff_client.get(f"/admin/assessments/order/{order.pk}/change/").content.decode()
    assert "Ana" in page
    assert order.job_id in page
    assert 'id="order-timeline"' in page
    assert "invited" in page
    assert "push #" in page
    assert "Complete with a score" in page
    assert "Review: Portfolio review" in page


@pytest.mark.django_db
def test_completing_with_a_score_pushes_completed(staff_client, order):
    response = _act(
        staff_client,
        order,
        "complete",
        {
            "complete-score_raw": "28",
            "complete-score_min": "20",
            "complete-score_max": "80",
            "complete-score_label": "Above average",
            "complete-summary": "Strong JS",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == ResultStatus.COMPLETED
    payload = ResultPush.objects.last().payload
    assert payload["score"] == {"raw": 28, "min": 20, "max": 80}
    assert payload["scoreLabel"] == "Above average"


@pytest.mark.django_db
def test_an_out_of_range_score_is_refused(staff_client, order):
    response = _act(
        staff_client,
        order,
        "complete",
        {
            "complete-score_raw": "90",
            "complete-score_min": "0",
            "complete-score_max": "80",
        },
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == ResultStatus.PENDING


@pytest.mark.django_db
def test_rejecting_needs_a_reason_and_pushes_rejected(staff_client, order):
    assert _act(staff_client, order, "reject", {"reject-reason": ""}).status_code == 400
    assert _act(staff_client, order, "reject", {"reject-reason": "Duplicate"}).status_code == 302
    order.refresh_from_db()
    assert order.status == ResultStatus.REJECTED
    assert ResultPush.objects.last().payload == {"status": "REJECTED", "summary": "Duplicate"}


@pytest.mark.django_db
def test_a_manual_review_and_the_candidates_test_complete_the_order(staff_client, order):
    manual = order.results.get(assessment__external_id="portfolio")
    response = _act(
        staff_client,
        order,
        "review",
        {
            "review-result": str(manual.pk),
            "review-score_raw": "8",
            "review-score_min": "0",
            "review-score_max": "10",
            "review-score_label": "Strong",
            "review-summary": "Good",
        },
    )
    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.status == ResultStatus.COMPLETED
    order.refresh_from_db()
    assert order.status == ResultStatus.IN_PROGRESS
    assert ResultPush.objects.last().payload["status"] == "IN_PROGRESS"


@pytest.mark.django_db
def test_uploading_a_report_accepts_only_pdfs(staff_client, order):
    text = SimpleUploadedFile("notes.txt", b"hello", "text/plain")
    assert _act(staff_client, order, "report", {"report-report": text}).status_code == 400
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", "application/pdf")
    assert _act(staff_client, order, "report", {"report-report": pdf}).status_code == 302
    order.refresh_from_db()
    assert order.report.name.endswith(".pdf")
    download = staff_client.get(f"/sr/assessments/staff/orders/{order.pk}/report")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 report"


@pytest.mark.django_db
def test_the_report_is_not_served_to_anonymous_users(client, staff_client, order):
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", "application/pdf")
    _act(staff_client, order, "report", {"report-report": pdf})
    assert client.get(f"/sr/assessments/staff/orders/{order.pk}/report").status_code == 302


@pytest.mark.django_db
def test_resending_the_invitation_emails_the_same_link(staff_client, order):
    assert _act(staff_client, order, "resend").status_code == 302
    assert len(mail.outbox) == 2
    assert order.access_key in mail.outbox[1].body


@pytest.mark.django_db
def test_pushing_again_queues_a_full_snapshot(staff_client, order):
    before = ResultPush.objects.count()
    assert _act(staff_client, order, "push").status_code == 302
    assert ResultPush.objects.count() == before + 1
    assert ResultPush.objects.last().payload["status"] == "PENDING"


@pytest.mark.django_db
def test_the_list_actions_push_and_resend(staff_client, order):
    response = staff_client.post(
        "/admin/assessments/order/",
        {"action": "push_again", "_selected_action": [order.pk]},
    )
    assert response.status_code == 302
    assert ResultPush.objects.filter(state="pending").count() == 2


@pytest.mark.django_db
def test_packages_questions_and_clients_pages_open(staff_client, order):
    for url in (
        "/admin/assessments/package/",
        f"/admin/assessments/package/{order.package_id}/change/",
        "/admin/assessments/assessment/",
        "/admin/assessments/question/",
        "/admin/assessments/clientaccount/",
        "/admin/assessments/integration/",
        "/admin/assessments/resultpush/",
        "/admin/assessments/package/add/",
    ):
        assert staff_client.get(url).status_code == 200, url
    page = staff_client.get(
        f"/admin/assessments/integration/{order.integration_id}/change/"
    ).content.decode()
    assert order.integration.sr_client_secret not in page


@pytest.mark.django_db
def test_the_demo_packages_seed_once(company, client, bearer):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_assessment_packages", stdout=StringIO())
    call_command("seed_assessment_packages", stdout=StringIO())
    listed = client.get("/sr/assessments/packages", **bearer()).json()
    assert [p["id"] for p in listed] == ["pkg-fullstack", "pkg-portfolio"]
    assert [a["id"] for a in listed[0]["assessments"]] == ["js", "sql"]
