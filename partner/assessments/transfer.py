"""A package's questions as JSON: exported to keep or move them, imported to replace them.

The format (``FORMAT``, version 1)::

    {"format": "jobboard.assessment-questions", "version": 1, "package": "pkg-fullstack",
     "assessments": [{"id": "js", "name": "JavaScript", "questions": [
        {"kind": "choice", "text": "…", "points": 2,
         "choices": [{"text": "var", "correct": false}, {"text": "const", "correct": true}]},
        {"kind": "short", "text": "…", "points": 3, "accepted_answers": ["object"]},
        {"kind": "essay" | "file", "text": "…", "points": 5, "grading_notes": "…"},
        {"kind": "code", "text": "…", "points": 5, "language": "python", "grading_notes": "…"}]}]}

An import is all or nothing: every problem is listed with where it is, and nothing changes
until the whole file is valid. An assessment's questions are replaced; the ones candidates
already answered are kept for those answers (retired), the others are deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from partner.assessments.models import Assessment, Choice, Package, Question

FORMAT = "jobboard.assessment-questions"
VERSION = 1
MAX_BYTES = 1_000_000
MAX_QUESTIONS = 200
MAX_TEXT = 5000
MAX_POINTS = 1000
KINDS = {kind.value for kind in Question.Kind}


class ImportRejected(ValueError):
    """The file is not valid; ``problems`` says where and why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def questions_export(*, package: Package) -> dict[str, Any]:
    assessments = []
    for assessment in package.assessments.filter(kind=Assessment.Kind.AUTO).prefetch_related(
        "questions__choices"
    ):
        questions = [
            _question_json(q)
            for q in sorted(assessment.questions.all(), key=lambda q: (q.position, q.pk))
            if not q.retired
        ]
        assessments.append(
            {"id": assessment.external_id, "name": assessment.name, "questions": questions}
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "package": package.external_id,
        "assessments": assessments,
    }


def _question_json(question: Question) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": question.kind, "text": question.text, "points": question.points}
    if question.kind == Question.Kind.CHOICE:
        body["choices"] = [
            {"text": c.text, "correct": c.is_correct}
            for c in sorted(question.choices.all(), key=lambda c: (c.position, c.pk))
        ]
    elif question.kind == Question.Kind.SHORT:
        body["accepted_answers"] = [
            line.strip() for line in question.accepted_answers.splitlines() if line.strip()
        ]
    if question.kind == Question.Kind.CODE and question.code_language:
        body["language"] = question.code_language
    if question.grading_notes:
        body["grading_notes"] = question.grading_notes
    return body


@dataclass
class _Checked:
    assessment: Assessment
    questions: list[dict[str, Any]] = field(default_factory=list)


def _text(value: Any, where: str, problems: list[str], *, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: must be a non-empty text")
        return ""
    if len(value) > limit:
        problems.append(f"{where}: at most {limit} characters")
    return value.strip()


def _optional_text(value: Any, where: str, problems: list[str], *, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: must be a text")
        return ""
    if len(value) > limit:
        problems.append(f"{where}: at most {limit} characters")
    return value.strip()


def _check_question(item: Any, where: str, problems: list[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return {}
    kind = item.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}.kind: one of {', '.join(sorted(KINDS))}")
        return {}
    points = item.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= MAX_POINTS:
        problems.append(f"{where}.points: a whole number from 1 to {MAX_POINTS}")
    checked: dict[str, Any] = {
        "kind": kind,
        "text": _text(item.get("text"), f"{where}.text", problems),
        "points": points,
        "grading_notes": _optional_text(
            item.get("grading_notes"), f"{where}.grading_notes", problems, limit=MAX_TEXT
        ),
        "language": _optional_text(item.get("language"), f"{where}.language", problems, limit=40),
        "choices": [],
        "accepted": [],
    }
    if kind == Question.Kind.CHOICE:
        choices = item.get("choices")
        if not isinstance(choices, list) or not 2 <= len(choices) <= 20:
            problems.append(f"{where}.choices: a list of 2 to 20 choices")
            return checked
        for index, choice in enumerate(choices):
            spot = f"{where}.choices[{index}]"
            if not isinstance(choice, dict):
                problems.append(f"{spot}: must be an object")
                continue
            correct = choice.get("correct", False)
            if not isinstance(correct, bool):
                problems.append(f"{spot}.correct: true or false")
            checked["choices"].append(
                (_text(choice.get("text"), f"{spot}.text", problems, limit=500), correct is True)
            )
        if not any(correct for _, correct in checked["choices"]):
            problems.append(f"{where}.choices: mark at least one choice correct")
    elif kind == Question.Kind.SHORT:
        accepted = item.get("accepted_answers")
        if (
            not isinstance(accepted, list)
            or not accepted
            or not all(isinstance(a, str) and a.strip() for a in accepted)
        ):
            problems.append(f"{where}.accepted_answers: a list of one or more answers")
        else:
            checked["accepted"] = [a.strip() for a in accepted]
    return checked


def _check(package: Package, data: Any) -> list[_Checked]:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ImportRejected(["The file must hold one JSON object"])
    if data.get("format") != FORMAT:
        problems.append(f'format: must be "{FORMAT}"')
    if data.get("version") != VERSION:
        problems.append(f"version: must be {VERSION}")
    if data.get("package") not in (None, package.external_id):
        problems.append(
            f'package: the file is for "{data.get("package")}", this is "{package.external_id}"'
        )
    items = data.get("assessments")
    if not isinstance(items, list) or not items:
        raise ImportRejected([*problems, "assessments: a list of one or more assessments"])
    known = {a.external_id: a for a in package.assessments.all()}
    checked: list[_Checked] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"assessments[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object")
            continue
        external_id = item.get("id")
        assessment = known.get(external_id) if isinstance(external_id, str) else None
        if assessment is None:
            names = ", ".join(sorted(known)) or "none"
            problems.append(f"{where}.id: no assessment {external_id!r} here (it has: {names})")
            continue
        if external_id in seen:
            problems.append(f"{where}.id: {external_id!r} appears twice")
            continue
        seen.add(str(external_id))
        if assessment.kind != Assessment.Kind.AUTO:
            problems.append(
                f"{where}.id: {external_id!r} is reviewed by staff and has no questions"
            )
            continue
        questions = item.get("questions")
        if not isinstance(questions, list) or not 1 <= len(questions) <= MAX_QUESTIONS:
            problems.append(f"{where}.questions: a list of 1 to {MAX_QUESTIONS} questions")
            continue
        entry = _Checked(assessment)
        for number, question in enumerate(questions):
            entry.questions.append(
                _check_question(question, f"{where}.questions[{number}]", problems)
            )
        checked.append(entry)
    if problems:
        raise ImportRejected(problems)
    return checked


def questions_import(*, package: Package, raw: bytes) -> dict[str, int]:
    """Replace the questions of the assessments the file names; returns the new count per
    assessment id. Raises ``ImportRejected`` and changes nothing when the file is invalid."""
    if len(raw) > MAX_BYTES:
        raise ImportRejected([f"The file is larger than {MAX_BYTES // 1000} KB"])
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportRejected(["The file is not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [f"Not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None
    checked = _check(package, data)
    with transaction.atomic():
        return {entry.assessment.external_id: _replace(entry) for entry in checked}


def _replace(entry: _Checked) -> int:
    current = entry.assessment.questions.filter(retired=False)
    # Answers point to their question: an answered one stays (retired) for the report.
    current.filter(answers__isnull=False).update(retired=True)
    current.filter(answers__isnull=True).delete()
    for position, spec in enumerate(entry.questions, start=1):
        question = Question.objects.create(
            assessment=entry.assessment,
            kind=spec["kind"],
            text=spec["text"],
            points=spec["points"],
            accepted_answers="\n".join(spec["accepted"]),
            code_language=spec["language"] if spec["kind"] == Question.Kind.CODE else "",
            grading_notes=spec["grading_notes"],
            position=position,
        )
        Choice.objects.bulk_create(
            Choice(question=question, text=text, is_correct=correct, position=number)
            for number, (text, correct) in enumerate(spec["choices"], start=1)
        )
    return len(entry.questions)
