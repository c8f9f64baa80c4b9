"""The assessments themselves: the candidate starts a test, saves and submits answers (the
runner scores what it can), the server closes attempts whose time ran out, staff grade the
manual items and review each assessment.

An order completes by itself only when nothing in it needs staff; otherwise it goes to the
review queue (``review``), and staff complete it from the summary with a preview.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from partner.applications.files import CheckedFile
from partner.assessments import results
from partner.assessments.errors import ServiceError
from partner.assessments.events import Actor, event_record
from partner.assessments.models import (
    Answer,
    AnswerFile,
    Assessment,
    AssessmentResult,
    Choice,
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
# A file-upload question keeps at most this many files (each checked like the apply form's).
MAX_FILES_PER_QUESTION = 5


# ---------------------------------------------------------------------------
# Reading an attempt
# ---------------------------------------------------------------------------
def attempt_questions(result: AssessmentResult) -> list[Question]:
    """The questions in the order this candidate sees them (drawn once, at the start)."""
    questions = {
        q.pk: q
        for q in Question.objects.filter(assessment_id=result.assessment_id).prefetch_related(
            "choices"
        )
    }
    if result.question_order:
        return [questions[pk] for pk in result.question_order if pk in questions]
    return [q for q in questions.values() if not q.retired]


def needs_review(result: AssessmentResult) -> bool:
    """Staff must act on it: a review-only assessment, or a test with manual questions."""
    if result.assessment.kind == Assessment.Kind.MANUAL:
        return True
    return any(q.is_manual for q in attempt_questions(result))


def _draw_order(order: Order, assessment: Assessment) -> list[int]:
    ids = list(
        assessment.questions.filter(retired=False)
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    if assessment.shuffle_questions:
        # Not a secret, only a fair spread: seeded per candidate and test, so the order
        # is the same on every visit (and could be drawn again from the same seed).
        seed = f"{order.access_key_hash}:{assessment.pk}"
        random.Random(seed).shuffle(ids)  # noqa: S311 - a display order, not a secret
    return ids


# ---------------------------------------------------------------------------
# The candidate
# ---------------------------------------------------------------------------
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
        result.question_order = _draw_order(order, assessment)
        result.save(update_fields=["started_at", "deadline", "status", "question_order"])
        Answer.objects.bulk_create(
            Answer(result=result, question_id=question_id, position=position)
            for position, question_id in enumerate(result.question_order, start=1)
        )
        event_record(
            order=order, kind=Event.STARTED, message=f"Candidate started {assessment.name}"
        )
        if _mark_in_progress(order, now=now):
            push_queue(order=order, patch=results.progress_patch(order))
    return result


def _in_time(result: AssessmentResult, now: datetime) -> bool:
    return result.deadline is None or now <= result.deadline + SUBMIT_GRACE


def _store(
    result: AssessmentResult,
    *,
    answers: Mapping[str, Sequence[str]],
    files: Mapping[str, Sequence[CheckedFile]],
    now: datetime,
) -> None:
    """Write the given answers over the stored ones (a question not given is left alone)."""
    rows = Answer.objects.filter(result=result).select_related("question")
    for answer in rows:
        key = str(answer.question_id)
        question = answer.question
        if question.kind == Question.Kind.FILE:
            uploads = list(files.get(key, ()))[:MAX_FILES_PER_QUESTION]
            if uploads:
                _replace_files(answer, uploads)
                answer.saved_at = now
                answer.save(update_fields=["saved_at"])
            continue
        if key not in answers:
            continue
        given = [str(value) for value in answers[key] if str(value).strip()]
        if question.kind == Question.Kind.CHOICE:
            answer.values, answer.text = given, ""
        else:
            answer.values, answer.text = [], given[0] if given else ""
        answer.saved_at = now
        answer.save(update_fields=["values", "text", "saved_at"])


def _replace_files(answer: Answer, uploads: Iterable[CheckedFile]) -> None:
    from django.core.files.base import ContentFile

    for old in answer.files.all():
        old.file.delete(save=False)
        old.delete()
    for upload in uploads:
        stored = AnswerFile(
            answer=answer, name=upload.name, mime_type=upload.mime_type, size=len(upload.content)
        )
        stored.file.save(upload.name, ContentFile(upload.content), save=False)
        stored.save()


@transaction.atomic
def assessment_save(
    *,
    order: Order,
    assessment: Assessment,
    answers: Mapping[str, Sequence[str]],
    files: Mapping[str, Sequence[CheckedFile]] | None = None,
) -> AssessmentResult:
    """Keep the candidate's answers so far (the page saves as they go). After the time
    limit nothing is written: the attempt is closed with what was saved in time."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    result = AssessmentResult.objects.select_for_update().get(order=order, assessment=assessment)
    if result.started_at is None:
        raise ServiceError("The test was not started", code="NOT_STARTED")
    now = timezone.now()
    if result.is_terminal or order.is_terminal or not _in_time(result, now):
        return result
    _store(result, answers=answers, files=files or {}, now=now)
    return result


@transaction.atomic
def assessment_submit(
    *,
    order: Order,
    assessment: Assessment,
    answers: Mapping[str, Sequence[str]],
    files: Mapping[str, Sequence[CheckedFile]] | None = None,
) -> AssessmentResult:
    """Save and score. Answers sent after the time limit (plus grace) are not counted;
    those saved before it are."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    result = AssessmentResult.objects.select_for_update().get(order=order, assessment=assessment)
    if result.is_terminal or order.is_terminal:
        return result
    if result.started_at is None:
        raise ServiceError("The test was not started", code="NOT_STARTED")
    now = timezone.now()
    late = not _in_time(result, now)
    if not late:
        _store(result, answers=answers, files=files or {}, now=now)
    _close_attempt(order, result, now=now, timed_out=late)
    return result


def attempts_close_overdue(*, order: Order | None = None, now: datetime | None = None) -> int:
    """Submit every attempt whose time ran out, with the answers saved in time.

    Run by beat (``tasks.close_overdue_attempts``) and on the candidate's next request,
    so a closed browser does not keep a test open. Returns how many were closed.
    """
    now = now or timezone.now()
    overdue = AssessmentResult.objects.filter(
        status=ResultStatus.IN_PROGRESS, deadline__lt=now - SUBMIT_GRACE
    )
    if order is not None:
        overdue = overdue.filter(order=order)
    closed = 0
    for result_id, order_id in overdue.values_list("id", "order_id"):
        with transaction.atomic():
            locked_order = Order.objects.select_for_update().get(pk=order_id)
            result = AssessmentResult.objects.select_for_update().get(pk=result_id)
            if locked_order.is_terminal or result.status != ResultStatus.IN_PROGRESS:
                continue
            _close_attempt(locked_order, result, now=now, timed_out=True)
            closed += 1
    return closed


def _close_attempt(
    order: Order, result: AssessmentResult, *, now: datetime, timed_out: bool
) -> None:
    assessment = result.assessment
    rows = list(
        Answer.objects.filter(result=result)
        .select_related("question")
        .prefetch_related(Prefetch("question__choices", queryset=Choice.objects.all()), "files")
    )
    raw, maximum, detail, manual = _grade(rows)
    result.answers = detail
    result.status = ResultStatus.COMPLETED
    result.submitted_at = now
    if manual:
        # Staff grade the manual items and review the test; the score comes with that.
        result.summary = "Time limit reached: submitted by the server" if timed_out else ""
        result.save(update_fields=["answers", "status", "submitted_at", "summary"])
        summary = f"{raw} of {maximum} points so far; {manual} answer(s) to grade"
    else:
        score = Score(raw, 0, max(maximum, 1))
        summary = f"{raw} of {maximum} points"
        if timed_out:
            summary = f"Time limit exceeded: answers saved in time were counted ({summary})"
        _result_completed(result, score=score, label=score.label(), summary=summary, now=now)
    kind = Event.TIMED_OUT if timed_out else Event.SUBMITTED
    event_record(order=order, kind=kind, message=f"{assessment.name}: {summary}")
    _after_candidate(order)


def _grade(rows: list[Answer]) -> tuple[int, int, dict[str, Any], int]:
    """Grade the auto items in place; (raw, max, detail, manual items left)."""
    raw = maximum = manual = 0
    detail: dict[str, Any] = {}
    for answer in rows:
        question = answer.question
        maximum += question.points
        if question.is_manual:
            manual += 1
            detail[str(question.pk)] = {"answer": _given(answer), "correct": None}
            continue
        ok = _is_right(question, _given(answer))
        answer.is_correct = ok
        answer.points_awarded = question.points if ok else 0
        answer.save(update_fields=["is_correct", "points_awarded"])
        raw += answer.points_awarded
        detail[str(question.pk)] = {"answer": _given(answer), "correct": ok}
    return raw, maximum, detail, manual


def _given(answer: Answer) -> list[str]:
    if answer.question.kind == Question.Kind.CHOICE:
        return [str(v) for v in answer.values]
    if answer.question.kind == Question.Kind.FILE:
        return [f.name for f in answer.files.all()]
    return [answer.text] if answer.text else []


def _is_right(question: Question, given: list[str]) -> bool:
    if question.kind == Question.Kind.CHOICE:
        correct = {str(c.pk) for c in question.choices.all() if c.is_correct}
        return bool(correct) and set(given) == correct
    accepted = {_normalise(line) for line in question.accepted_answers.splitlines() if line.strip()}
    return bool(given) and _normalise(given[0]) in accepted


def score_answers(
    *, questions: list[Question], answers: dict[str, list[str]]
) -> tuple[int, int, dict[str, Any]]:
    """(raw, max, detail) of auto-scored questions: points only when exactly right.
    Manual kinds count towards the maximum and score nothing until staff grade them."""
    raw = 0
    maximum = 0
    detail: dict[str, Any] = {}
    for question in questions:
        maximum += question.points
        given = [a for a in answers.get(str(question.pk), []) if a]
        if question.is_manual:
            detail[str(question.pk)] = {"answer": given, "correct": None}
            continue
        ok = _is_right(question, given)
        raw += question.points if ok else 0
        detail[str(question.pk)] = {"answer": given, "correct": ok}
    return raw, maximum, detail


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _after_candidate(order: Order) -> None:
    """The candidate finished a test: complete the order when nothing needs staff, send it
    to the review queue when the candidate is done and something does, else report
    progress."""
    from partner.assessments import review  # review builds on the runner

    all_results = list(order.results.select_related("assessment"))
    candidate_results = [r for r in all_results if r.assessment.kind == Assessment.Kind.AUTO]
    if any(r.status != ResultStatus.COMPLETED for r in candidate_results):
        _mark_in_progress(order, now=timezone.now())
        push_queue(order=order, patch=results.progress_patch(order))
        return
    if not any(needs_review(r) for r in all_results):
        _complete_automatically(order, all_results)
        return
    _mark_in_progress(order, now=timezone.now())
    review.order_request_review(order=order, reason="The candidate submitted every test")
    push_queue(order=order, patch=results.progress_patch(order))


def _complete_automatically(order: Order, all_results: list[AssessmentResult]) -> None:
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


# ---------------------------------------------------------------------------
# Staff: grading and reviewing (the order completes from the summary, not here)
# ---------------------------------------------------------------------------
@transaction.atomic
def answer_grade(*, answer: Answer, points: int, comment: str = "", user: Actor = None) -> Answer:
    """Staff grade one manual item (0 to the question's points)."""
    answer = (
        Answer.objects.select_for_update().select_related("question", "result").get(pk=answer.pk)
    )
    order = Order.objects.select_for_update().get(pk=answer.result.order_id)
    if order.is_terminal:
        raise ServiceError("The order is closed", code="CLOSED")
    if answer.result.submitted_at is None:
        raise ServiceError("The candidate has not submitted this test yet", code="NOT_SUBMITTED")
    if not 0 <= points <= answer.question.points:
        raise ServiceError(
            f"Give between 0 and {answer.question.points} points", code="INVALID_POINTS"
        )
    answer.points_awarded = points
    answer.is_correct = points == answer.question.points
    answer.grader_comment = comment.strip()
    answer.graded_at = timezone.now()
    answer.graded_by = user if user is not None and user.is_authenticated else None  # type: ignore[assignment]
    answer.save()
    event_record(
        order=order,
        kind=Event.GRADED,
        message=f"{answer.result.assessment.name}, question {answer.position}: "
        f"{points} of {answer.question.points}",
        user=user,
    )
    return answer


def graded_score(result: AssessmentResult) -> Score | None:
    """The test's score from its graded answers, or None while an item is ungraded."""
    rows = list(Answer.objects.filter(result=result).select_related("question"))
    if not rows or any(a.points_awarded is None for a in rows):
        return None
    maximum = sum(a.question.points for a in rows)
    return Score(sum(int(a.points_awarded or 0) for a in rows), 0, max(maximum, 1))


@transaction.atomic
def assessment_review(
    *,
    result: AssessmentResult,
    score_raw: int | None = None,
    score_min: int | None = None,
    score_max: int | None = None,
    score_label: str = "",
    summary: str = "",
    user: Actor = None,
) -> AssessmentResult:
    """Staff record their review of one assessment. Nothing goes to SmartRecruiters until
    the order is completed from the summary (with a preview).

    A review-only assessment needs a score; a test's score comes from its graded answers
    (every manual item graded first). The label is the one typed, else the rule's
    (``Score.label``); either way it is what SmartRecruiters will receive.
    """
    order = Order.objects.select_for_update().get(pk=result.order_id)
    if order.is_terminal:
        raise ServiceError("The order is closed", code="CLOSED")
    result = (
        AssessmentResult.objects.select_for_update().select_related("assessment").get(pk=result.pk)
    )
    if score_raw is not None and score_min is not None and score_max is not None:
        score = Score.checked(score_raw, score_min, score_max)
    elif result.assessment.kind == Assessment.Kind.MANUAL:
        raise ServiceError("Give a score for this assessment", code="SCORE_REQUIRED")
    else:
        if result.submitted_at is None:
            raise ServiceError(
                "The candidate has not submitted this test yet", code="NOT_SUBMITTED"
            )
        graded = graded_score(result)
        if graded is None:
            raise ServiceError("Grade every manual answer first", code="UNGRADED")
        score = graded
    now = timezone.now()
    result.started_at = result.started_at or now
    label = score_label.strip() or score.label()
    result.label_chosen = bool(score_label.strip())
    result.reviewed_at = now
    result.reviewed_by = user if user is not None and user.is_authenticated else None  # type: ignore[assignment]
    _result_completed(
        result,
        score=score,
        label=label,
        summary=summary.strip(),
        now=result.submitted_at or now,
    )
    source = "chosen" if result.label_chosen else "by the rule"
    message = f"{result.assessment.name}: {score.raw} ({score.minimum}-{score.maximum}), "
    event_record(
        order=order, kind=Event.REVIEWED, message=f"{message}{label} ({source})", user=user
    )
    if _mark_in_progress(order, now=now):
        push_queue(order=order, patch=results.progress_patch(order))
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


def _mark_in_progress(order: Order, *, now: datetime) -> bool:
    """PENDING → IN_PROGRESS when the candidate starts (or staff review) the first one."""
    if order.status != ResultStatus.PENDING:
        return False
    order.status = ResultStatus.IN_PROGRESS
    order.started_at = order.started_at or now
    order.save(update_fields=["status", "started_at"])
    return True
