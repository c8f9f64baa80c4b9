"""The candidate's pages: the private link, starting a test, answering it, the score."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partner.assessments import orders, runner, tasks
from partner.assessments.models import (
    AssessmentResult,
    Choice,
    Order,
    Question,
    ResultPush,
    ResultStatus,
)
from tests.assessments.factories import fullstack_package, order_body


@pytest.fixture
def invited(company, client, bearer, queued) -> Order:
    fullstack_package()
    client.post(
        "/sr/assessments/packages/orders",
        order_body(),
        content_type="application/json",
        **bearer(),
    )
    tasks.send_invitation(Order.objects.get().pk)
    return Order.objects.get()


def _answers(order: Order, *, right: bool) -> dict[str, str]:
    js = order.package.assessments.get(external_id="js")
    q1, q2 = js.questions.all()
    choice = (
        q1.choices.get(is_correct=right) if right else q1.choices.filter(is_correct=False).first()
    )
    return {f"q{q1.pk}": str(choice.pk), f"q{q2.pk}": " Object " if right else "null"}


def _take(client, order: Order, answers: dict[str, str]):
    base = f"/sr/assessments/take/{order.access_key}/js/"
    client.post(base, {"start": "1"})
    return client.post(base, {**answers, "submit": "1"})


@pytest.mark.django_db
def test_a_wrong_or_missing_key_is_not_found(client, invited):
    assert client.get("/sr/assessments/take/not-a-key/").status_code == 404
    assert client.get(f"/sr/assessments/take/{invited.access_key}x/").status_code == 404


@pytest.mark.django_db
def test_an_order_not_yet_invited_has_no_page(client, company, bearer):
    fullstack_package()
    client.post(
        "/sr/assessments/packages/orders",
        order_body(),
        content_type="application/json",
        **bearer(),
    )
    order = Order.objects.get()
    assert client.get(f"/sr/assessments/take/{order.access_key}/").status_code == 404


@pytest.mark.django_db
def test_the_overview_lists_the_packages_tests(client, invited):
    page = client.get(f"/sr/assessments/take/{invited.access_key}/").content.decode()
    assert "Full-stack developer" in page
    assert "JavaScript" in page
    assert "30 min" in page


@pytest.mark.django_db
def test_starting_moves_the_order_to_in_progress_and_pushes_it(client, invited):
    base = f"/sr/assessments/take/{invited.access_key}/js/"
    intro = client.get(base)
    assert "Start the test" in intro.content.decode()
    assert client.post(base, {"start": "1"}).status_code == 302
    order = Order.objects.get()
    assert order.status == ResultStatus.IN_PROGRESS
    result = order.results.get()
    assert result.deadline == result.started_at + timedelta(minutes=30)
    assert ResultPush.objects.last().payload["status"] == "IN_PROGRESS"
    page = client.get(base).content.decode()
    assert "Which keyword declares a block-scoped constant?" in page
    assert 'role="timer"' in page


@pytest.mark.django_db
def test_right_answers_score_full_marks_and_complete_the_order(client, invited):
    response = _take(client, invited, _answers(invited, right=True))
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.status == ResultStatus.COMPLETED
    assert (order.score_raw, order.score_min, order.score_max) == (5, 0, 5)
    assert order.score_label == "Excellent"
    push = ResultPush.objects.last().payload
    assert push["status"] == "COMPLETED"
    assert push["score"] == {"raw": 5, "min": 0, "max": 5}
    assert push["submissionDate"]
    assert push["assessmentResults"][0]["summary"] == "5 of 5 points"
    page = client.get(f"/sr/assessments/take/{order.access_key}/").content.decode()
    assert "your assessment is complete" in page


@pytest.mark.django_db
def test_wrong_answers_score_nothing(client, invited):
    _take(client, invited, _answers(invited, right=False))
    order = Order.objects.get()
    assert order.score_raw == 0
    assert order.score_label == "Below average"


@pytest.mark.django_db
def test_several_correct_choices_need_all_of_them(invited):
    js = invited.package.assessments.get(external_id="js")
    question = Question.objects.create(assessment=js, text="Which are falsy?", points=2)
    a = Choice.objects.create(question=question, text="0", is_correct=True)
    b = Choice.objects.create(question=question, text="''", is_correct=True)
    Choice.objects.create(question=question, text="[]")
    questions = list(js.questions.prefetch_related("choices"))
    raw, maximum, _ = runner.score_answers(
        questions=questions, answers={str(question.pk): [str(a.pk)]}
    )
    assert (raw, maximum) == (0, 7)
    raw, _, _ = runner.score_answers(
        questions=questions, answers={str(question.pk): [str(a.pk), str(b.pk)]}
    )
    assert raw == 2


@pytest.mark.django_db
def test_answers_after_the_time_limit_are_not_counted(client, invited):
    base = f"/sr/assessments/take/{invited.access_key}/js/"
    client.post(base, {"start": "1"})
    AssessmentResult.objects.update(deadline=timezone.now() - timedelta(minutes=5))
    client.post(base, {**_answers(invited, right=True), "submit": "1"})
    result = AssessmentResult.objects.get()
    assert result.score_raw == 0
    assert "Time limit exceeded" in result.summary


@pytest.mark.django_db
def test_a_closed_order_cannot_be_started(client, invited):
    orders.order_reject(order=invited, reason="Role filled")
    base = f"/sr/assessments/take/{invited.access_key}/js/"
    assert client.post(base, {"start": "1"}).status_code == 302
    assert AssessmentResult.objects.get().started_at is None
    page = client.get(f"/sr/assessments/take/{invited.access_key}/").content.decode()
    assert "withdrawn" in page


@pytest.mark.django_db
def test_an_inline_candidate_is_sent_back_to_smartrecruiters_when_done(client, company, bearer):
    fullstack_package()
    body = order_body()
    body["completedAssessmentCallbackUrl"] = "https://jobs.smartrecruiters.com/acme/apply/done"
    url = client.post(
        "/sr/assessments/packages/inline/orders",
        body,
        content_type="application/json",
        **bearer(),
    ).json()["url"]
    order = Order.objects.get()
    assert client.get(url.replace("https://board.example", "")).status_code == 200
    response = _take(client, order, _answers(order, right=True))
    assert response.status_code == 302
    assert response["Location"] == "https://jobs.smartrecruiters.com/acme/apply/done"


@pytest.mark.django_db
def test_a_lapsed_invitation_cannot_be_started_before_the_sweep(client, invited):
    Order.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    base = f"/sr/assessments/take/{invited.access_key}/js/"
    response = client.post(base, {"start": "1"}, follow=True)
    assert "This invitation has expired" in response.content.decode()
    assert AssessmentResult.objects.get().started_at is None
