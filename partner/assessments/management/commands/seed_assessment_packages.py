"""``manage.py seed_assessment_packages``: demo packages for a fresh instance (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from partner.assessments.models import Assessment, AssessmentType, Choice, Package, Question

# (question, points, choices with the correct ones marked, or accepted short answers)
JS_QUESTIONS: list[tuple[str, int, list[tuple[str, bool]] | str]] = [
    (
        "Which keyword declares a block-scoped constant?",
        2,
        [("var", False), ("const", True), ("function", False)],
    ),
    ("What does typeof null return?", 3, "object"),
    ("Which values are falsy?", 3, [("0", True), ("''", True), ("[]", False), ("{}", False)]),
]
SQL_QUESTIONS: list[tuple[str, int, list[tuple[str, bool]] | str]] = [
    (
        "Which clause filters groups after aggregation?",
        2,
        [("WHERE", False), ("HAVING", True), ("ORDER BY", False)],
    ),
    ("Which keyword removes duplicate rows from a result?", 2, "distinct"),
]


def _questions(assessment: Assessment, questions: list[tuple[str, int, Any]]) -> None:
    for position, (text, points, answer) in enumerate(questions, start=1):
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
        if not Package.objects.filter(external_id="pkg-fullstack").exists():
            package = Package.objects.create(
                external_id="pkg-fullstack",
                name="Full-stack developer",
                description="JavaScript and SQL, 40 minutes",
                type=AssessmentType.SKILL_TEST,
            )
            for position, (slug, name, minutes, questions) in enumerate(
                [("js", "JavaScript", 25, JS_QUESTIONS), ("sql", "SQL", 15, SQL_QUESTIONS)],
                start=1,
            ):
                assessment = Assessment.objects.create(
                    package=package,
                    external_id=slug,
                    name=name,
                    description=f"{minutes} minutes of {name} questions",
                    type=AssessmentType.SKILL_TEST,
                    time_limit_minutes=minutes,
                    position=position,
                )
                _questions(assessment, questions)
            self.stdout.write("Created pkg-fullstack")
        if not Package.objects.filter(external_id="pkg-portfolio").exists():
            package = Package.objects.create(
                external_id="pkg-portfolio",
                name="Portfolio review",
                description="Our reviewers assess the candidate's work samples",
                type=AssessmentType.BEHAVIORAL_ASSESSMENT,
            )
            Assessment.objects.create(
                package=package,
                external_id="review",
                name="Portfolio review",
                description="Scored by a reviewer, with a PDF report",
                type=AssessmentType.BEHAVIORAL_ASSESSMENT,
                kind=Assessment.Kind.MANUAL,
            )
            self.stdout.write("Created pkg-portfolio")
        self.stdout.write(self.style.SUCCESS("Demo assessment packages ready."))
