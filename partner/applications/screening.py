"""The screening questions of a posting's configuration, as a form.

Screening questions come from SmartRecruiters' configuration, so they are not Django
form fields. Inputs are named by position (``q<question>-<record>-<field>``) rather than
by SmartRecruiters' ids, which may hold any character; ``q<question>-count`` carries the
number of records of a repeatable question, so "add another" works without JavaScript.

The server decides visibility from the submitted parent answer: a hidden child is
neither required nor sent, whatever the browser posted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext

from partner.applications.validation import (
    MAX_TEXT_BYTES,
    check_answers,
    hidden_question_ids,
)
from partner.smartrecruiters.apply_configuration import ApplyConfiguration, Field, Question

MAX_RECORDS = 20


@dataclass
class FieldState:
    field: Field
    name: str
    values: list[str]
    error: str = ""

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""

    @property
    def input_id(self) -> str:
        return f"id_{self.name}"


@dataclass
class RecordState:
    index: int
    fields: list[FieldState]


@dataclass
class ConditionalInfo:
    """What the page needs to show a child question live (apply.js)."""

    parent_name: str
    value_ids: tuple[str, ...]
    note: str


@dataclass
class QuestionState:
    question: Question
    index: int
    records: list[RecordState]
    visible: bool = True
    conditions: list[ConditionalInfo] = field(default_factory=list)
    error: str = ""

    @property
    def prefix(self) -> str:
        return f"q{self.index}"

    @property
    def count_name(self) -> str:
        return f"{self.prefix}-count"

    @property
    def required(self) -> bool:
        return any(f.required for f in self.question.fields if f.type != "INFORMATION")

    @property
    def is_conditional(self) -> bool:
        return bool(self.conditions)

    @property
    def conditions_json(self) -> str:
        """For apply.js: shown while any parent input holds any of the value ids."""
        return json.dumps(
            [{"parent": c.parent_name, "values": list(c.value_ids)} for c in self.conditions]
        )

    @property
    def legend(self) -> str:
        return self.question.label or next((f.label for f in self.question.fields if f.label), "")

    @property
    def is_group(self) -> bool:
        """Rendered as a fieldset: several fields, several records, or choice lists."""
        return (
            self.question.repeatable
            or len(self.question.fields) > 1
            or any(is_option_list(f) for f in self.question.fields)
        )

    @property
    def anchor(self) -> str:
        """The element the error summary links to."""
        for record in self.records:
            for state in record.fields:
                if state.field.type != "INFORMATION":
                    if is_option_list(state.field):
                        return f"{state.input_id}_0"
                    return state.input_id
        return f"question-{self.prefix}"

    @property
    def summary_error(self) -> str:
        """The message for the error summary: the question's, else its first field's."""
        field_errors = (fs.error for r in self.records for fs in r.fields if fs.error)
        return self.error or next(field_errors, gettext("Please check your answer."))

    @property
    def errors_anywhere(self) -> bool:
        return bool(self.error) or any(fs.error for r in self.records for fs in r.fields)


def is_option_list(f: Field) -> bool:
    """Shown as radio buttons or checkboxes, one input per option (sharing one name).

    MULTI_SELECT is one: a <select multiple> needs Ctrl-click, which few people know and
    phones render poorly. A CHECKBOX without options is a single yes/no box.
    """
    return f.type in {"RADIO", "MULTI_SELECT"} or (f.type == "CHECKBOX" and bool(f.values))


def _field_name(qi: int, ri: int, fi: int) -> str:
    return f"q{qi}-{ri}-{fi}"


def _read_values(data: QueryDict | None, name: str, f: Field) -> list[str]:
    if data is None:
        return []
    if f.type == "INFORMATION":
        return []
    if f.type == "MULTI_SELECT" or (f.type == "CHECKBOX" and f.values):
        return [v for v in data.getlist(name) if v != ""]
    value = data.get(name, "")
    if f.type in {"INPUT_TEXT", "TEXTAREA"}:
        # Browsers send CRLF; SmartRecruiters counts bytes of what we send.
        value = value.replace("\r\n", "\n").strip()
    return [value] if value != "" else []


def _record_count(
    data: QueryDict | None, state_index: int, question: Question, action: tuple[str, int, int]
) -> tuple[int, int | None]:
    """How many records to show, and which posted record was removed (if any)."""
    if not question.repeatable:
        return 1, None
    count = 1
    if data is not None:
        try:
            count = int(data.get(f"q{state_index}-count", "1"))
        except ValueError:
            count = 1
    count = max(1, min(count, MAX_RECORDS))
    kind, qi, ri = action
    removed = None
    if qi == state_index and kind == "add" and count < MAX_RECORDS:
        count += 1
    elif qi == state_index and kind == "remove" and count > 1 and 0 <= ri < count:
        removed = ri
        count -= 1
    return count, removed


def parse_action(data: QueryDict | None) -> tuple[str, int, int]:
    """An "add another" / "remove" button press, from the no-JavaScript form."""
    if data is None:
        return ("", -1, -1)
    add = data.get("add_record", "")
    if re.fullmatch(r"q\d+", add):
        return ("add", int(add[1:]), -1)
    remove = data.get("remove_record", "")
    match = re.fullmatch(r"q(\d+)-(\d+)", remove)
    if match:
        return ("remove", int(match.group(1)), int(match.group(2)))
    return ("", -1, -1)


class ScreeningForm:
    """The configuration's questions, bound to POST data or blank."""

    def __init__(self, config: ApplyConfiguration, data: QueryDict | None = None) -> None:
        self.config = config
        self.data = data
        self.action = parse_action(data)
        self.states: list[QuestionState] = []
        for qi, question in enumerate(config.questions):
            count, removed = _record_count(data, qi, question, self.action)
            posted_indexes = list(range(count + (1 if removed is not None else 0)))
            if removed is not None:
                posted_indexes.remove(removed)
            records = []
            for new_ri, old_ri in enumerate(posted_indexes):
                fields = []
                for fi, f in enumerate(question.fields):
                    values = _read_values(data, _field_name(qi, old_ri, fi), f)
                    fields.append(
                        FieldState(field=f, name=_field_name(qi, new_ri, fi), values=values)
                    )
                records.append(RecordState(index=new_ri, fields=fields))
            self.states.append(QuestionState(question=question, index=qi, records=records))
        self._link_conditionals()
        self._answers: list[dict[str, Any]] | None = None

    @property
    def is_action(self) -> bool:
        return self.action[0] != ""

    def _state(self, question_id: str) -> QuestionState | None:
        return next((s for s in self.states if s.question.id == question_id), None)

    def _link_conditionals(self) -> None:
        parent_values: dict[tuple[str, str], set[str]] = {}
        for conditional in self.config.conditionals:
            parent = self._state(conditional.parent_question_id)
            if parent is None:
                continue
            fi = next(
                (i for i, f in enumerate(parent.question.fields) if f.id == conditional.field_id),
                None,
            )
            if fi is None:
                continue
            chosen = {v for r in parent.records for v in r.fields[fi].values}
            parent_values[(conditional.parent_question_id, conditional.field_id)] = chosen
            labels = [
                o.label or o.id
                for o in parent.question.fields[fi].values
                if o.id in conditional.value_ids
            ]
            note = gettext("Asked when you answer “%(answers)s” to “%(question)s”.") % {
                "answers": gettext(" or ").join(labels),
                "question": parent.question.label,
            }
            for child_id in conditional.conditional_questions:
                child = self._state(child_id)
                if child is not None:
                    child.conditions.append(
                        ConditionalInfo(
                            parent_name=_field_name(parent.index, 0, fi),
                            value_ids=conditional.value_ids,
                            note=note,
                        )
                    )
        hidden = hidden_question_ids(self.config, parent_values)
        for state in self.states:
            state.visible = state.question.id not in hidden

    @property
    def ordered(self) -> list[QuestionState]:
        """Configuration order, with every DIVERSITY question moved to the end."""
        return [s for s in self.states if not s.question.is_diversity]

    @property
    def diversity(self) -> list[QuestionState]:
        return [s for s in self.states if s.question.is_diversity]

    def answers(self) -> list[dict[str, Any]]:
        """The ``answers`` of the ApplyRequest: visible, non-empty, never INFORMATION."""
        if self._answers is not None:
            return self._answers
        answers: list[dict[str, Any]] = []
        for state in self.states:
            if not state.visible:
                continue
            records = []
            for record in state.records:
                fields = {
                    fs.field.id: list(fs.values)
                    for fs in record.fields
                    if fs.field.type != "INFORMATION" and fs.values
                }
                if fields:
                    records.append({"fields": fields})
            if not records:
                # Optional questions left empty are left out (contract §7); a required
                # one left empty is reported by check_answers below.
                continue
            answers.append({"id": state.question.id, "records": records})
        self._answers = answers
        return answers

    def is_valid(self) -> bool:
        """Field messages for the candidate, then the contract's own check as the verdict."""
        ok = True
        for state in self.states:
            if not state.visible:
                continue
            kept = [r for r in state.records if any(fs.values for fs in r.fields)]
            for record in state.records:
                for fs in record.fields:
                    message = self._field_message(
                        fs, empty_record=record not in kept and bool(kept)
                    )
                    if message:
                        fs.error = message
                        ok = False
            if state.required and not kept:
                # Each empty required field already carries its own message.
                ok = False
        verdict = check_answers(self.config, self.answers())
        for question_id in verdict.required + verdict.incorrect:
            named = self._state(question_id)
            if named is not None and not named.errors_anywhere:
                named.error = (
                    gettext("This question needs an answer.")
                    if question_id in verdict.required
                    else gettext("Please check the answer to this question.")
                )
        return ok and verdict.ok

    @staticmethod
    def _field_message(fs: FieldState, *, empty_record: bool) -> str:
        f = fs.field
        if f.type == "INFORMATION":
            return ""
        if not fs.values:
            # In an otherwise empty extra record nothing is required: it is dropped.
            return gettext("This field is required.") if f.required and not empty_record else ""
        if f.type in {"INPUT_TEXT", "TEXTAREA"}:
            if len(fs.values[0].encode("utf-8")) > MAX_TEXT_BYTES:
                return gettext("Please shorten this answer to at most %(max)d bytes.") % {
                    "max": MAX_TEXT_BYTES
                }
            return ""
        if f.type == "CHECKBOX" and not f.values:
            return (
                "" if fs.values == ["true"] else gettext("Please tick the box or leave it empty.")
            )
        if any(v not in f.option_ids for v in fs.values):
            return gettext("Please choose one of the options.")
        if f.type in {"SINGLE_SELECT", "RADIO"} and len(fs.values) > 1:
            return gettext("Please choose only one option.")
        return ""
