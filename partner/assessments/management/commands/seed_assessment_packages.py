"""``manage.py seed_assessment_packages``: demo packages for a fresh instance (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from partner.assessments.models import (
    Assessment,
    AssessmentType,
    CandidateTask,
    Choice,
    Package,
    Question,
)


@dataclass(frozen=True)
class Code:
    """A code question, graded by staff with these notes."""

    language: str
    grading_notes: str


# (question, points, choices with the correct ones marked, accepted short answers, or code)
Questions = list[tuple[str, int, list[tuple[str, bool]] | str | Code]]

JS_QUESTIONS: Questions = [
    (
        "Which keyword declares a block-scoped constant?",
        2,
        [("var", False), ("const", True), ("function", False)],
    ),
    ("What does typeof null return?", 3, "object"),
    ("Which values are falsy?", 3, [("0", True), ("''", True), ("[]", False), ("{}", False)]),
]
SQL_QUESTIONS: Questions = [
    (
        "Which clause filters groups after aggregation?",
        2,
        [("WHERE", False), ("HAVING", True), ("ORDER BY", False)],
    ),
    ("Which keyword removes duplicate rows from a result?", 2, "distinct"),
    (
        "Write a query listing each customer's name with their number of orders, "
        "customers without orders included.",
        5,
        Code("sql", "LEFT JOIN orders, GROUP BY the customer, COUNT(orders.id) not COUNT(*)."),
    ),
]


@dataclass(frozen=True)
class DemoAssessment:
    external_id: str
    name: str
    description: str
    kind: Assessment.Kind = Assessment.Kind.AUTO
    minutes: int = 30
    questions: Questions = field(default_factory=list)


@dataclass(frozen=True)
class DemoPackage:
    external_id: str
    name: str
    description: str
    type: AssessmentType
    assessments: list[DemoAssessment]
    candidate_task: CandidateTask = CandidateTask.TEST


DEMO_PACKAGES = [
    DemoPackage(
        "pkg-fullstack",
        "Full-stack developer",
        "JavaScript and SQL, 40 minutes",
        AssessmentType.SKILL_TEST,
        [
            DemoAssessment(
                "js",
                "JavaScript",
                "25 minutes of JavaScript questions",
                minutes=25,
                questions=JS_QUESTIONS,
            ),
            DemoAssessment(
                "sql", "SQL", "15 minutes of SQL questions", minutes=15, questions=SQL_QUESTIONS
            ),
        ],
    ),
    DemoPackage(
        "pkg-portfolio",
        "Portfolio review",
        "Our reviewers assess the candidate's work samples",
        AssessmentType.BEHAVIORAL_ASSESSMENT,
        [
            DemoAssessment(
                "review",
                "Portfolio review",
                "Scored by a reviewer, with a PDF report",
                kind=Assessment.Kind.MANUAL,
            )
        ],
        candidate_task=CandidateTask.NONE,
    ),
]


def _create(demo: DemoPackage) -> None:
    package = Package.objects.create(
        external_id=demo.external_id,
        name=demo.name,
        description=demo.description,
        type=demo.type,
        candidate_task=demo.candidate_task,
    )
    for position, spec in enumerate(demo.assessments, start=1):
        assessment = Assessment.objects.create(
            package=package,
            external_id=spec.external_id,
            name=spec.name,
            description=spec.description,
            type=demo.type,
            kind=spec.kind,
            time_limit_minutes=spec.minutes,
            position=position,
        )
        _questions(assessment, spec.questions)


def _questions(assessment: Assessment, questions: Questions) -> None:
    for position, (text, points, answer) in enumerate(questions, start=1):
        if isinstance(answer, Code):
            Question.objects.create(
                assessment=assessment,
                kind=Question.Kind.CODE,
                text=text,
                points=points,
                code_language=answer.language,
                grading_notes=answer.grading_notes,
                position=position,
            )
            continue
        if isinstance(answer, str):
            Question.objects.create(
                assessment=assessment,
                kind=Question.Kind.SHORT,
                text=text,
                points=points,
                accepted_answers=answer,
                position=position,
            )
            continue
        question = Question.objects.create(
            assessment=assessment, text=text, points=points, position=position
        )
        for number, (choice, correct) in enumerate(answer, start=1):
            Choice.objects.create(
                question=question, text=choice, is_correct=correct, position=number
            )


class Command(BaseCommand):
    help = "Create two demo assessment packages (skipped when they exist)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        for demo in DEMO_PACKAGES:
            if not Package.objects.filter(external_id=demo.external_id).exists():
                _create(demo)
                self.stdout.write(f"Created {demo.external_id}")
        self.stdout.write(self.style.SUCCESS("Demo assessment packages ready."))
