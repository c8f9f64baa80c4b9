"""Helpers for the workspace tests: orders placed through the services, as SR would."""

from __future__ import annotations

import uuid

from partner.assessments import orders
from partner.assessments.models import Integration, Order
from tests.assessments.factories import SR_API


def place_order(
    integration: Integration,
    *,
    package_id: str = "pkg-fullstack",
    email: str = "ana@example.org",
    first_name: str = "Ana",
    last_name: str = "Nowak",
    invite: bool = True,
    api: str | None = None,
) -> Order:
    from django.conf import settings

    base = api or str(getattr(settings, "SMARTRECRUITERS_API_URL", SR_API))
    order, _ = orders.order_place(
        integration=integration,
        data=orders.OrderInput(
            result_callback_url=f"{base}/assessment-api/v202010/orders/{uuid.uuid4()}/results",
            company_id=integration.company_id,
            package_id=package_id,
            candidate=orders.CandidateInput(
                email=email, first_name=first_name, last_name=last_name, language="en"
            ),
            job_id="aaf65646-ed93-4c16-950b-cea69773efba",
        ),
    )
    if invite:
        orders.order_invite(order_id=order.pk)
    return Order.objects.get(pk=order.pk)


def essay_package(*, external_id: str = "pkg-backend", shuffle: bool = True):
    """A test with auto and manual items (choice, essay, code, file) and a staff-only
    review: the whole review flow in one package."""
    from partner.assessments.models import (
        Assessment,
        AssessmentType,
        CandidateTask,
        Choice,
        Package,
        Question,
    )

    package = Package.objects.create(
        external_id=external_id,
        name="Backend engineer",
        description="Python and a portfolio",
        type=AssessmentType.SKILL_TEST,
        candidate_task=CandidateTask.TEST,
    )
    test = Assessment.objects.create(
        package=package,
        external_id="python",
        name="Python",
        description="20 minutes",
        type=AssessmentType.SKILL_TEST,
        time_limit_minutes=20,
        shuffle_questions=shuffle,
        position=1,
    )
    choice = Question.objects.create(
        assessment=test, text="Which type is immutable?", points=2, position=1
    )
    Choice.objects.create(question=choice, text="list", position=1)
    Choice.objects.create(question=choice, text="tuple", is_correct=True, position=2)
    Question.objects.create(
        assessment=test,
        kind=Question.Kind.ESSAY,
        text="Explain the GIL in two sentences.",
        points=4,
        grading_notes="Mentions one thread running bytecode at a time.",
        position=2,
    )
    Question.objects.create(
        assessment=test,
        kind=Question.Kind.CODE,
        text="Write a function that reverses a string.",
        points=4,
        code_language="python",
        position=3,
    )
    Question.objects.create(
        assessment=test,
        kind=Question.Kind.FILE,
        text="Upload a sample of your work (PDF).",
        points=2,
        position=4,
    )
    Assessment.objects.create(
        package=package,
        external_id="portfolio",
        name="Portfolio review",
        description="Our reviewers read your portfolio",
        type=AssessmentType.SKILL_TEST,
        kind=Assessment.Kind.MANUAL,
        position=2,
    )
    return package


def review_only_package(*, external_id: str = "pkg-portfolio"):
    from partner.assessments.models import Assessment, AssessmentType, CandidateTask, Package

    package = Package.objects.create(
        external_id=external_id,
        name="Portfolio review",
        description="Our reviewers assess the candidate's work samples",
        type=AssessmentType.BEHAVIORAL_ASSESSMENT,
        candidate_task=CandidateTask.NONE,
    )
    Assessment.objects.create(
        package=package,
        external_id="review",
        name="Portfolio review",
        description="Scored by a reviewer",
        type=AssessmentType.BEHAVIORAL_ASSESSMENT,
        kind=Assessment.Kind.MANUAL,
        position=1,
    )
    return package


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def take_backend_test(order: Order, *, right: bool = True, files: bool = True) -> None:
    """The candidate answers the Python test through the services and submits it."""
    from partner.applications.files import CheckedFile
    from partner.assessments import runner
    from partner.assessments.models import Question

    test = order.package.assessments.get(external_id="python")
    runner.assessment_start(order=order, assessment=test)
    answers: dict[str, list[str]] = {}
    uploads: dict[str, list[CheckedFile]] = {}
    for question in test.questions.all():
        key = str(question.pk)
        if question.kind == Question.Kind.CHOICE:
            choice = question.choices.get(is_correct=right)
            answers[key] = [str(choice.pk)]
        elif question.kind == Question.Kind.ESSAY:
            answers[key] = ["Only one thread runs Python bytecode at a time."]
        elif question.kind == Question.Kind.CODE:
            answers[key] = ["def reverse(text):\n    return text[::-1]\n"]
        elif files:
            uploads[key] = [CheckedFile("sample.pdf", "application/pdf", PDF_BYTES)]
    runner.assessment_submit(order=order, assessment=test, answers=answers, files=uploads)
