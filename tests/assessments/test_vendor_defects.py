"""The defects found by a new member of the vendor's staff (issue 15), one test each.
(The orders list at 1280 px is a browser test: tests/e2e/test_assessment_workspace.py.)"""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from partner.assessments import review, runner
from partner.assessments.models import Order, ResultPush, ResultStatus
from tests.assessments.factories import assessment_staff_group, fullstack_package, order_body
from tests.assessments.workspace import place_order, review_only_package


@pytest.fixture
def staff_client(db) -> Client:
    user = User.objects.create(username="vera", email="vera@vendor.example", is_staff=True)
    user.groups.add(assessment_staff_group())
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def candidate_done(company, queued) -> Order:
    """The candidate has taken the JS test; the portfolio awaits its staff review."""
    fullstack_package(with_manual=True)
    order = place_order(company.integration)
    js = order.package.assessments.get(external_id="js")
    runner.assessment_start(order=order, assessment=js)
    q1, q2 = js.questions.all()
    runner.assessment_submit(
        order=order,
        assessment=js,
        answers={str(q1.pk): [str(q1.choices.get(is_correct=True).pk)], str(q2.pk): ["object"]},
    )
    return Order.objects.get(pk=order.pk)


def _review(client: Client, order: Order, label: str = "Good"):
    manual = order.results.get(assessment__external_id="portfolio")
    return client.post(
        f"/admin/assessments/order/{order.pk}/act/review/",
        {
            "review-result": str(manual.pk),
            "review-score_raw": "7",
            "review-score_min": "0",
            "review-score_max": "10",
            "review-score_label": label,
            "review-summary": "Clean, tested code",
        },
    )


# -- 2. one review flow; the label chosen is the label sent -------------------------
@pytest.mark.django_db
def test_saving_the_last_review_does_not_complete_the_order(staff_client, candidate_done):
    assert _review(staff_client, candidate_done).status_code == 302
    order = Order.objects.get()
    assert order.status == ResultStatus.IN_PROGRESS
    assert not ResultPush.objects.filter(payload__status="COMPLETED").exists()
    # Nothing of the staff review has gone out yet: it comes with the completion.
    sent = [
        item
        for push in ResultPush.objects.all()
        for item in push.payload.get("assessmentResults", [])
    ]
    assert all("scoreLabel" not in item for item in sent if item["assessmentId"] == "portfolio")


@pytest.mark.django_db
def test_smartrecruiters_receives_the_label_staff_chose(staff_client, candidate_done):
    _review(staff_client, candidate_done, label="Good")
    order = Order.objects.get()
    preview = review.completion_preview(order=order, label="Good")
    response = staff_client.post(
        f"/admin/assessments/order/{order.pk}/review/",
        {
            "label": "Good",
            "summary": preview.patch["summary"],
            "fingerprint": preview.fingerprint,
            "send": "1",
        },
    )
    assert response.status_code == 302
    completed = ResultPush.objects.get(payload__status="COMPLETED").payload
    assert completed["scoreLabel"] == "Good"
    portfolio = next(r for r in completed["assessmentResults"] if r["assessmentId"] == "portfolio")
    assert portfolio["scoreLabel"] == "Good"
    assert {k: v for k, v in preview.patch.items() if k != "attachments"} == completed


@pytest.mark.django_db
def test_the_order_page_offers_one_flow_not_two_scoring_forms(staff_client, candidate_done):
    page = staff_client.get(
        f"/admin/assessments/order/{candidate_done.pk}/change/"
    ).content.decode()
    assert 'name="complete-score_raw"' not in page
    assert 'name="review-score_raw"' not in page
    assert f"/admin/assessments/order/{candidate_done.pk}/review/" in page
    assert "One flow: review each assessment" in page


# -- 3. a review-only package asks nothing of the candidate -------------------------
@pytest.mark.django_db
def test_a_review_only_order_mails_no_candidate_and_goes_to_the_queue(
    company, client, bearer, queued, staff_client
):
    review_only_package()
    client.post(
        "/sr/assessments/packages/orders",
        order_body(package_id="pkg-portfolio"),
        content_type="application/json",
        **bearer(),
    )
    queued.run("send_invitation", "notify_reviewers")  # no candidate mail; the staff's
    order = Order.objects.get()
    assert order.status == ResultStatus.PENDING
    assert order.review_requested_at is not None
    assert order.expires_at is None
    assert [m.to for m in mail.outbox] == [["vera@vendor.example"]]
    assert "To review" in mail.outbox[0].subject
    assert list(review.queue_orders()) == [order]
    page = client.get(f"/sr/assessments/take/{order.access_key}/").content.decode()
    assert "nothing for you to do" in page
    assert "Open</a>" not in page
    assert client.get(f"/sr/assessments/take/{order.access_key}/review/").status_code == 404


# -- 4. the invitation names the employer and the job, from the vendor --------------
@pytest.mark.django_db
def test_the_invitation_names_the_employer_and_the_job_and_comes_from_the_vendor(
    company, queued, settings
):
    settings.ASSESSMENT_VENDOR_NAME = "Acme Assessments"
    settings.ASSESSMENT_FROM_EMAIL = "tests@acme-assessments.example"
    fullstack_package()
    place_order(company.integration)
    [invitation] = mail.outbox
    assert invitation.from_email == "Acme Assessments <tests@acme-assessments.example>"
    assert "Acme Corp" in invitation.subject
    assert "Acme Corp" in invitation.body
    assert "aaf65646-ed93-4c16-950b-cea69773efba" in invitation.body
    assert settings.SITE_NAME not in invitation.body


@pytest.mark.django_db
def test_the_candidates_pages_carry_the_vendor_not_the_job_boards_navigation(
    company, client, queued, settings
):
    settings.ASSESSMENT_VENDOR_NAME = "Acme Assessments"
    fullstack_package()
    order = place_order(company.integration)
    for path in ("", "js/"):
        page = client.get(f"/sr/assessments/take/{order.access_key}/{path}").content.decode()
        assert "Acme Assessments" in page
        assert "Find jobs" not in page
        assert "Job alerts" not in page
        assert 'aria-label="Main"' not in page


# -- 5. custom actions in Recent actions; "Result pushes" ----------------------------
@pytest.mark.django_db
def test_review_and_report_upload_appear_in_recent_actions(staff_client, candidate_done):
    _review(staff_client, candidate_done)
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", "application/pdf")
    staff_client.post(
        f"/admin/assessments/order/{candidate_done.pk}/act/report/", {"report-report": pdf}
    )
    logged = list(LogEntry.objects.order_by("id").values_list("object_id", "change_message"))
    assert [message for _, message in logged] == ["Record a manual review", "Upload a report"]
    assert {object_id for object_id, _ in logged} == {str(candidate_done.pk)}
    index = staff_client.get("/admin/").content.decode()
    assert "Record a manual review" in index


@pytest.mark.django_db
def test_the_admin_index_says_result_pushes(staff_client):
    index = staff_client.get("/admin/").content.decode()
    assert "Result pushes" in index
    assert "Result pushs" not in index
