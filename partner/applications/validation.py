"""The screening-answer rules of SmartRecruiters' POST candidates, checked locally.

``check_answers`` mirrors the sandbox's checks 8-10 (application-api.md §6) on an
``answers`` list in the contract's shape, so that an application our form accepts never
gets a 400 for its answers. The property test in tests/applications feeds the same
generated answers to this function and to the sandbox and expects the same verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partner.smartrecruiters.applications import ApplyConfiguration, Question

MAX_TEXT_BYTES = 4000
TEXT_TYPES = frozenset({"INPUT_TEXT", "TEXTAREA"})
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


def _record_incorrect(question: Question, record: Any) -> bool:
    if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
        return True
    for field_id, values in record["fields"].items():
        field = question.field(field_id)
        if field is None or field.type == "INFORMATION":
            return True
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return True
        if field.type in TEXT_TYPES:
            if any(len(v.encode("utf-8")) > MAX_TEXT_BYTES for v in values):
                return True
            continue
        if field.type == "CHECKBOX" and not field.values:
            # A lone checkbox answers ["true"] (a case SR does not document).
            if any(v != "true" for v in values):
                return True
            continue
        if any(v not in field.option_ids for v in values):
            return True
        if field.type in SINGLE_VALUE_TYPES and len(values) > 1:
            return True
    return False


def check_answers(config: ApplyConfiguration, answers: Any) -> AnswerCheck:
    """Which question ids SmartRecruiters would reject as required or incorrect."""
    if not isinstance(answers, list):
        answers = []
    by_id: dict[str, list[dict[str, Any]]] = {}
    for answer in answers:
        if isinstance(answer, dict) and isinstance(answer.get("id"), str):
            by_id.setdefault(answer["id"], []).append(answer)
    hidden = hidden_questions_for_answers(config, answers)
    known = {q.id for q in config.questions}

    required: list[str] = []
    incorrect: list[str] = []
    for question in config.questions:
        entries = by_id.get(question.id, [])
        if question.id in hidden:
            if entries:
                incorrect.append(question.id)
            continue
        records = [r for entry in entries for r in (entry.get("records") or [])]
        # Check 8: every required field non-empty in every record.
        for field in question.fields:
            if not field.required or field.type == "INFORMATION":
                continue
            if not records or any(
                is_empty((r.get("fields") or {}).get(field.id) if isinstance(r, dict) else None)
                for r in records
            ):
                required.append(question.id)
                break
        if not entries:
            continue
        # Check 9: record count, field ids, option ids, value counts, text size.
        bad = len(entries) > 1 or not isinstance(entries[0].get("records"), list)
        if not bad:
            count = len(records)
            bad = count == 0 or (not question.repeatable and count != 1)
        if not bad:
            bad = any(_record_incorrect(question, r) for r in records)
        if not bad:
            bad = any(
                f.type == "MULTI_SELECT"
                and any(isinstance(r, dict) and f.id in (r.get("fields") or {}) for r in records)
                and any(
                    isinstance(r, dict)
                    and f.id in (r.get("fields") or {})
                    and not (r.get("fields") or {})[f.id]
                    for r in records
                )
                for f in question.fields
            )
        if bad:
            incorrect.append(question.id)
    # Check 10: answers to questions the form does not have.
    incorrect.extend(qid for qid in by_id if qid not in known)
    return AnswerCheck(
        required=tuple(dict.fromkeys(required)), incorrect=tuple(dict.fromkeys(incorrect))
    )
