"""The assessments themselves: the candidate starts and submits auto-scored tests, staff
review the manual ones; the order completes when every assessment has a result.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from partner.assessments import results
from partner.assessments.errors import ServiceError
from partner.assessments.events import Actor, event_record
from partner.assessments.models import (
    Assessment,
    AssessmentResult,
    Order,
    OrderEvent,
    Question,
    ResultStatus,
)
from partner.assessments.orders import order_record_completion
from partner.assessments.pushes import push_queue
from partner.assessments.results import Score

Event = OrderEvent.Kind
# Answers arriving this long after the time limit still count (network, clock skew).
SUBMIT_GRACE = timedelta(seconds=60)


@transaction.atomic
def assessment_start(*, order: Order, assessment: Assessment) -> AssessmentResult:
    """Open the candidate's attempt (idempotent) and move the order to IN_PROGRESS."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.is_terminal or order.status == ResultStatus.NEW:
        raise ServiceError("This assessment is closed", code="CLOSED")
    if order.expires_at is not None and order.expires_at <= timezone.now():
        # Lapsed but not yet swept by expire_orders: closed all the same.
        raise ServiceError("This invitation has expired", code="EXPIRED")
    result = AssessmentResult.objects.select_for_update().get(order=order, assessment=assessment)
    if result.started_at is None:
        now = timezone.now()
        result.started_at = now
        result.deadline = now + timedelta(minutes=assessment.time_limit_minutes)
        result.status = ResultStatus.IN_PROGRESS
        result.save(update_fields=["started_at", "deadline", "status"])
        event_record(
            order=order, kind=Event.STARTED, message=f"Candidate started {assessment.name}"
        )
        if _mark_in_progress(order, now=now):
            push_queue(order=order, patch=results.progress_patch(order))
    return result


def score_answers(
    *, questions: list[Question], answers: dict[str, list[str]]
) -> tuple[int, int, dict[str, Any]]:
    """(raw, max, detail): a question earns its points only when answered exactly right."""
    raw = 0
    maximum = 0
    detail: dict[str, Any] = {}
    for question in questions:
        maximum += question.points
        given = [a for a in answers.get(str(question.pk), []) if a]
        if question.kind == Question.Kind.CHOICE:
            correct = {str(c.pk) for c in question.choices.all() if c.is_correct}
            ok = bool(correct) and set(given) == correct
        else:
            accepted = {
                _normalise(line) for line in question.accepted_answers.splitlines() if line.strip()
            }
            ok = bool(given) and _normalise(given[0]) in accepted
        raw += question.points if ok else 0
        detail[str(question.pk)] = {"answer": given, "correct": ok}
    return raw, maximum, detail


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


@transaction.atomic
def assessment_submit(
    *, order: Order, assessment: Assessment, answers: dict[str, list[str]]
) -> AssessmentResult:
    """Score an auto test. After the time limit (plus grace) the answers are not counted."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    result = AssessmentResult.objects.select_for_update().get(order=order, assessment=assessment)
    if result.is_terminal or order.is_terminal:
        return result
    if result.started_at is None:
        raise ServiceError("The test was not started", code="NOT_STARTED")
    now = timezone.now()
    questions = list(assessment.questions.prefetch_related("choices"))
    late = result.deadline is not None and now > result.deadline + SUBMIT_GRACE
    raw, maximum, detail = score_answers(questions=questions, answers={} if late else answers)
    result.answers = detail
    score = Score(raw, 0, max(maximum, 1))
    summary = "Time limit exceeded: answers not counted" if late else f"{raw} of {maximum} points"
    _result_completed(result, score=score, label=score.label(), summary=summary, now=now)
    event_record(order=order, kind=Event.SUBMITTED, message=f"{assessment.name}: {summary}")
    _after_result(order)
    return result


@transaction.atomic
def assessment_review(
    *,
    result: AssessmentResult,
    score_raw: int,
    score_min: int,
    score_max: int,
    score_label: str,
    summary: str,
    user: Actor = None,
) -> AssessmentResult:
    """Staff record a manual review of one assessment."""
    score = Score.checked(score_raw, score_min, score_max)
    order = Order.objects.select_for_update().get(pk=result.order_id)
    if order.is_terminal:
        raise ServiceError("The order is closed", code="CLOSED")
    result = AssessmentResult.objects.select_for_update().get(pk=result.pk)
    now = timezone.now()
    result.started_at = result.started_at or now
    label = score_label or score.label()
    _result_completed(result, score=score, label=label, summary=summary, now=now)
    message = f"{result.assessment.name}: {label}"
    event_record(order=order, kind=Event.REVIEWED, message=message, user=user)
    _after_result(order)
    return result


def _result_completed(
    result: AssessmentResult, *, score: Score, label: str, summary: str, now: datetime
) -> None:
    result.status = ResultStatus.COMPLETED
    result.submitted_at = now
    result.score_raw, result.score_min, result.score_max = score.raw, score.minimum, score.maximum
    result.score_label = label
    result.summary = summary
    result.save()


def _after_result(order: Order) -> None:
    """Complete the order when every assessment has a result; else report progress."""
    all_results = list(order.results.select_related("assessment"))
    if all_results and all(r.status == ResultStatus.COMPLETED for r in all_results):
        score = Score(
            sum(int(r.score_raw or 0) for r in all_results),
            sum(int(r.score_min or 0) for r in all_results),
            sum(int(r.score_max or 0) for r in all_results),
        )
        order_record_completion(
            order=order,
            score=score,
            label="",
            summary="; ".join(
                f"{r.assessment.name}: {r.score_label or r.summary}" for r in all_results
            ),
            submitted_at=max(r.submitted_at for r in all_results if r.submitted_at is not None),
        )
        return
    _mark_in_progress(order, now=timezone.now())
    push_queue(order=order, patch=results.progress_patch(order))


def _mark_in_progress(order: Order, *, now: datetime) -> bool:
    """PENDING → IN_PROGRESS when the candidate starts (or staff review) the first one."""
    if order.status != ResultStatus.PENDING:
        return False
    order.status = ResultStatus.IN_PROGRESS
    order.started_at = order.started_at or now
    order.save(update_fields=["status", "started_at"])
    return True
