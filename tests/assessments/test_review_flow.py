"""The review flow: grading, each assessment's review, the queue and its mail, the summary,
the preview, and "Complete and send" sending exactly the preview."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from partner.assessments import pushes, review, runner
from partner.assessments.errors import ServiceError
from partner.assessments.models import Answer, Order, Question, ResultPush, ResultStatus
from tests.assessments.factories import SR_API, assessment_staff_group, fullstack_package
from tests.assessments.workspace import essay_package, place_order, take_backend_test

TOKEN_URL = f"{SR_API}/identity/oauth/token"


@pytest.fixture
def vera(db) -> User:
    user = User.objects.create(username="vera", email="vera@vendor.example", is_staff=True)
    user.groups.add(assessment_staff_group())
    return user


@pytest.fixture
def staff_client(vera) -> Client:
    client = Client()
    client.force_login(vera)
    return client


@pytest.fixture
def submitted(company, queued) -> Order:
    essay_package()
    order = place_order(company.integration, package_id="pkg-backend")
    take_backend_test(order)
    return Order.objects.get(pk=order.pk)


def _grade_all(order: Order, user: User, points: int = 3) -> None:
    for answer in Answer.objects.filter(
        result__order=order, question__kind__in=["essay", "code", "file"]
    ):
        runner.answer_grade(
            answer=answer, points=min(points, answer.question.points), comment="Fine", user=user
        )


def _review_everything(order: Order, user: User) -> None:
    _grade_all(order, user)
    python = order.results.get(assessment__external_id="python")
    runner.assessment_review(result=python, summary="Solid basics", user=user)
    portfolio = order.results.get(assessment__external_id="portfolio")
    runner.assessment_review(
        result=portfolio, score_raw=8, score_min=0, score_max=10, score_label="Strong", user=user
    )


@pytest.mark.django_db
def test_a_submitted_test_with_manual_items_enters_the_queue_and_the_staff_are_mailed(
    submitted, vera, queued
):
    assert submitted.status == ResultStatus.IN_PROGRESS
    assert submitted.review_requested_at is not None
    mail.outbox.clear()
    queued.run("notify_reviewers")
    [message] = mail.outbox
    assert message.to == ["vera@vendor.example"]
    assert "Backend engineer" in message.subject
    assert f"/admin/assessments/order/{submitted.pk}/review/" in message.body
    # Once only, however often the task or the sweep runs.
    assert review.order_notify_reviewers(order_id=submitted.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_mails_the_staff_when_the_message_was_lost(submitted, vera, queued, sr_mock):
    from partner.assessments import tasks

    queued.calls.clear()
    mail.outbox.clear()
    Order.objects.update(review_requested_at=timezone.now() - timedelta(minutes=5))
    sr_mock.post(TOKEN_URL).mock(
        return_value=httpx.Response(200, json={"access_token": "t", "expires_in": 1800})
    )
    sr_mock.patch(submitted.result_callback_url).mock(return_value=httpx.Response(200, json={}))
    tasks.push_results()
    assert [m.to for m in mail.outbox] == [["vera@vendor.example"]]


@pytest.mark.django_db
def test_the_queue_lists_orders_awaiting_review_oldest_first(
    company, queued, staff_client, django_assert_max_num_queries
):
    essay_package()
    orders = []
    for number in range(4):
        order = place_order(
            company.integration, package_id="pkg-backend", email=f"c{number}@example.org"
        )
        take_backend_test(order)
        orders.append(order)
    now = timezone.now()
    for age, order in zip((1, 30, 3, 2), orders, strict=True):
        Order.objects.filter(pk=order.pk).update(review_requested_at=now - timedelta(hours=age))
    with django_assert_max_num_queries(12):
        page = staff_client.get("/admin/assessments/order/queue/").content.decode()
    positions = [page.index(f"c{n}@example.org") for n in (1, 2, 3, 0)]
    assert positions == sorted(positions)
    assert "4</strong> orders await review, 1 for more than a day" in page
    assert "0 of 2 reviewed" in page
    index = staff_client.get("/admin/").content.decode()
    assert 'id="assessment-review-queue"' in index
    assert "<strong>4</strong> orders to review" in index


@pytest.mark.django_db
def test_grading_is_bounded_by_the_questions_points(submitted, vera):
    essay = Answer.objects.get(result__order=submitted, question__kind="essay")
    with pytest.raises(ServiceError):
        runner.answer_grade(answer=essay, points=5, user=vera)
    graded = runner.answer_grade(answer=essay, points=4, comment="Precise", user=vera)
    assert graded.points_awarded == 4
    assert graded.is_correct is True
    assert graded.graded_by == vera


@pytest.mark.django_db
def test_a_test_is_reviewed_only_once_every_manual_item_is_graded(submitted, vera):
    python = submitted.results.get(assessment__external_id="python")
    with pytest.raises(ServiceError, match="Grade every manual answer"):
        runner.assessment_review(result=python, user=vera)
    _grade_all(submitted, vera, points=3)
    reviewed = runner.assessment_review(result=python, summary="Solid", user=vera)
    # choice 2 (right) + essay 3 + code 3 + file 2 of 2+4+4+2
    assert (reviewed.score_raw, reviewed.score_min, reviewed.score_max) == (10, 0, 12)
    assert reviewed.score_label == "Excellent"  # 83 %: the rule's label
    assert reviewed.label_chosen is False


@pytest.mark.django_db
def test_the_summary_waits_for_every_review_then_previews_the_sum(submitted, vera):
    summary = review.summary_for(submitted)
    assert not summary.ready
    assert summary.blockers == ["Python: not reviewed yet", "Portfolio review: not reviewed yet"]
    with pytest.raises(ServiceError):
        review.completion_preview(order=submitted)
    _review_everything(submitted, vera)
    summary = review.summary_for(Order.objects.get())
    assert summary.ready
    assert (summary.total.raw, summary.total.minimum, summary.total.maximum) == (18, 0, 22)
    preview = review.completion_preview(order=Order.objects.get())
    assert preview.patch["score"] == {"raw": 18, "min": 0, "max": 22}
    assert preview.patch["scoreLabel"] == "Excellent"
    assert preview.label_source == "rule"
    assert preview.patch["summary"] == "Python: Excellent; Portfolio review: Strong"
    assert preview.patch["attachments"][0]["type"] == "PDF_URL"
    assert preview.report_generated is True


@pytest.mark.django_db
def test_complete_and_send_patches_exactly_the_preview(submitted, vera, sr_mock):
    _review_everything(submitted, vera)
    order = Order.objects.get()
    preview = review.completion_preview(order=order, label="Hire", summary="Strong backend")
    review.order_complete_and_send(
        order=order,
        label="Hire",
        summary="Strong backend",
        fingerprint=preview.fingerprint,
        user=vera,
    )
    order.refresh_from_db()
    assert order.status == ResultStatus.COMPLETED
    assert order.report.name.endswith(preview.patch["attachments"][0]["fileName"])
    sr_mock.post(TOKEN_URL).mock(
        return_value=httpx.Response(200, json={"access_token": "t", "expires_in": 1800})
    )
    patch = sr_mock.patch(order.result_callback_url).mock(return_value=httpx.Response(200, json={}))
    upload = sr_mock.post(order.result_callback_url + "/attachment").mock(
        return_value=httpx.Response(201, json={"url": f"{SR_API}/files/r1"})
    )
    pushes.pushes_drain()
    sent = json.loads(patch.calls.last.request.content)
    expected = json.loads(json.dumps(preview.patch))
    expected["attachments"][0]["url"] = f"{SR_API}/files/r1"
    assert sent == expected
    assert upload.call_count == 1
    assert upload.calls.last.request.content.count(b"%PDF-") == 1


@pytest.mark.django_db
def test_a_send_after_the_state_changed_is_refused_and_sends_nothing(submitted, vera):
    _review_everything(submitted, vera)
    order = Order.objects.get()
    preview = review.completion_preview(order=order)
    portfolio = order.results.get(assessment__external_id="portfolio")
    runner.assessment_review(result=portfolio, score_raw=3, score_min=0, score_max=10, user=vera)
    with pytest.raises(ServiceError, match="changed since your preview"):
        review.order_complete_and_send(order=order, fingerprint=preview.fingerprint, user=vera)
    assert Order.objects.get().status == ResultStatus.IN_PROGRESS
    assert not ResultPush.objects.filter(payload__status="COMPLETED").exists()


@pytest.mark.django_db
def test_progress_pushes_withhold_staff_reviews_until_completion(submitted, vera):
    _review_everything(submitted, vera)
    for push in ResultPush.objects.all():
        for item in push.payload.get("assessmentResults", []):
            if item["assessmentId"] == "portfolio":
                assert "score" not in item
                assert "scoreLabel" not in item


@pytest.mark.django_db
def test_the_review_pages_show_answers_grading_and_the_preview(submitted, vera, staff_client):
    python = submitted.results.get(assessment__external_id="python")
    page = staff_client.get(
        f"/admin/assessments/order/{submitted.pk}/review/{python.pk}/"
    ).content.decode()
    assert "Which type is immutable?" in page
    assert "Correct: 2 of 2" in page
    assert "Not graded" in page
    assert page.count('class="asm-grade"') == 3  # essay, code, file
    assert 'class="asm-code"' in page
    assert "def reverse(text):" in page
    assert "sample.pdf" in page
    assert 'id="time-taken"' in page
    assert "Mentions one thread" in page  # grading notes
    essay = Answer.objects.get(result=python, question__kind="essay")
    response = staff_client.post(
        f"/admin/assessments/order/{submitted.pk}/act/grade/",
        {
            "grade-answer": essay.pk,
            "grade-points": "3",
            "grade-comment": "Good",
            "next": f"/admin/assessments/order/{submitted.pk}/review/{python.pk}/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/assessments/order/{submitted.pk}/review/{python.pk}/"
    assert Answer.objects.get(pk=essay.pk).points_awarded == 3
    _review_everything(submitted, vera)
    summary = staff_client.get(f"/admin/assessments/order/{submitted.pk}/review/").content.decode()
    assert "Complete and send to SmartRecruiters" in summary
    assert 'id="preview-json"' in summary
    assert "by the rule" in summary


@pytest.mark.django_db
def test_a_staff_file_download_needs_the_permission(submitted, staff_client, client):
    from partner.assessments.models import AnswerFile

    stored = AnswerFile.objects.get()
    response = staff_client.get(f"/sr/assessments/staff/answers/{stored.pk}")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert client.get(f"/sr/assessments/staff/answers/{stored.pk}").status_code == 302


@pytest.mark.django_db
def test_a_fully_auto_package_still_completes_by_itself(company, queued):
    fullstack_package()
    order = place_order(company.integration)
    js = order.package.assessments.get()
    runner.assessment_start(order=order, assessment=js)
    runner.assessment_submit(order=order, assessment=js, answers={})
    order.refresh_from_db()
    assert order.status == ResultStatus.COMPLETED
    assert order.review_requested_at is None
    assert order.report.name.endswith(".pdf")
    assert Question.objects.count() == 2
