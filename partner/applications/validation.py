"""The screening-answer rules of SmartRecruiters' POST candidates, checked locally.

``check_answers`` mirrors the sandbox's checks 8-10 (application-api.md §6) on an
``answers`` list in the contract's shape, so that an application our form accepts never
gets a 400 for its answers. The property test in tests/applications feeds the same
generated answers to this function and to the sandbox and expects the same verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partner.smartrecruiters.apply_configuration import ApplyConfiguration, Field, Question

MAX_TEXT_BYTES = 4000
SINGLE_VALUE_TYPES = frozenset({"SINGLE_SELECT", "RADIO"})


@dataclass(frozen=True)
class AnswerCheck:
    """Question ids SmartRecruiters would name, in configuration order."""

    required: tuple[str, ...] = ()
    incorrect: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.required and not self.incorrect


def _answer_values(answers: list[dict[str, Any]], question_id: str, field_id: str) -> set[str]:
    values: set[str] = set()
    for answer in answers:
        if not isinstance(answer, dict) or answer.get("id") != question_id:
            continue
        for record in answer.get("records") or []:
            fields = record.get("fields") if isinstance(record, dict) else None
            if isinstance(fields, dict) and isinstance(fields.get(field_id), list):
                values.update(v for v in fields[field_id] if isinstance(v, str))
    return values


def hidden_question_ids(
    config: ApplyConfiguration, parent_values: dict[tuple[str, str], set[str]]
) -> set[str]:
    """Children whose parent's answer contains none of the conditional's valueIds.

    A child listed under several conditionals is visible when any of them holds.
    """
    shown: set[str] = set()
    children: set[str] = set()
    for conditional in config.conditionals:
        children.update(conditional.conditional_questions)
        chosen = parent_values.get((conditional.parent_question_id, conditional.field_id), set())
        if chosen & set(conditional.value_ids):
            shown.update(conditional.conditional_questions)
    return children - shown


def hidden_questions_for_answers(
    config: ApplyConfiguration, answers: list[dict[str, Any]]
) -> set[str]:
    parent_values = {
        (c.parent_question_id, c.field_id): _answer_values(
            answers, c.parent_question_id, c.field_id
        )
        for c in config.conditionals
    }
    return hidden_question_ids(config, parent_values)


def is_empty(values: Any) -> bool:
    """A field counts as empty when it has no value that is a non-blank string."""
    if not isinstance(values, list):
        return True
    return not any(isinstance(v, str) and v.strip() for v in values)


def _values_incorrect(field: Field, values: list[str]) -> bool:
    if field.is_choice or field.type == "CHECKBOX":
        if field.type == "CHECKBOX" and not field.values:
            # A lone checkbox answers ["true"] (contract §3; SR does not document it).
            # SR accepts "false" too, and counts it as an answer, so our form sends
            # only "true" or nothing.
            return values not in (["true"], ["false"])
        if field.type in SINGLE_VALUE_TYPES and len(values) != 1:
            return True
        return not set(values) <= field.option_ids
    # Text (an unknown type is text too): one value of at most 4000 UTF-8 bytes.
    return len(values) != 1 or len(values[0].encode("utf-8")) > MAX_TEXT_BYTES


def _records_incorrect(question: Question, answer: dict[str, Any]) -> bool:
    records = answer.get("records")
    if not isinstance(records, list) or not records:
        return True
    if not question.repeatable and len(records) != 1:
        return True
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            return True
        for field_id, values in record["fields"].items():
            field = question.field(field_id)
            if field is None or field.type == "INFORMATION":
                return True
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                return True
            if values and _values_incorrect(field, values):
                # An empty list is an unanswered field: the required check judges it.
                return True
    return False


def check_answers(config: ApplyConfiguration, answers: Any) -> AnswerCheck:
    """Which question ids SmartRecruiters would reject as required or incorrect.

    Checks 8-10 of application-api.md §6, in strict mode (the sandbox default and the
    only safe assumption about SR): answers to hidden or unknown questions are errors.
    """
    if not isinstance(answers, list):
        answers = []
    by_id: dict[str, dict[str, Any]] = {}
    incorrect: list[str] = []
    for answer in answers:
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
            incorrect.append("")
            continue
        if answer["id"] in by_id:
            incorrect.append(answer["id"])  # the same question answered twice
        by_id[answer["id"]] = answer
    hidden = hidden_questions_for_answers(config, list(by_id.values()))
    questions = {q.id: q for q in config.questions}

    for question_id, answer in by_id.items():
        question = questions.get(question_id)
        # Check 10: an unknown question or a hidden child.
        if question is None or question_id in hidden:
            incorrect.append(question_id)
            continue
        # Check 9: shape, record count, field and option ids, value counts, text size.
        if _records_incorrect(question, answer):
            incorrect.append(question_id)

    # Check 8: every required field of every visible question, in every record.
    required: list[str] = []
    for question in config.questions:
        if question.id in hidden:
            continue
        required_ids = [f.id for f in question.fields if f.required and f.type != "INFORMATION"]
        if not required_ids:
            continue
        records = (by_id.get(question.id) or {}).get("records")
        if not isinstance(records, list) or not records:
            required.append(question.id)
            continue
        for record in records:
            fields = record.get("fields") if isinstance(record, dict) else None
            if not isinstance(fields, dict) or any(is_empty(fields.get(f)) for f in required_ids):
                required.append(question.id)
                break
    return AnswerCheck(
        required=tuple(dict.fromkeys(required)), incorrect=tuple(dict.fromkeys(incorrect))
    )
