"""The apply form: standard fields (a Django form) and the screening questions.

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

from django import forms
from django.core.validators import URLValidator
from django.http import QueryDict

from partner.applications import files as file_checks
from partner.applications.validation import (
    MAX_TEXT_BYTES,
    check_answers,
    hidden_question_ids,
)
from partner.smartrecruiters.applications import (
    ApplyConfiguration,
    ConsentScope,
    Field,
    Question,
)

MAX_RECORDS = 20
# A hint for the file picker only; the server checks content (files.py).
ACCEPT_DOCUMENTS = ".pdf,.doc,.docx,.rtf,.jpg,.jpeg,.png"
HONEYPOT_FIELD = "fax_number"
SR_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- screening questions -----------------------------------------------------------------


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
            or any(f.type in {"RADIO", "CHECKBOX"} and f.values for f in self.question.fields)
        )

    @property
    def anchor(self) -> str:
        """The element the error summary links to."""
        for record in self.records:
            for state in record.fields:
                if state.field.type != "INFORMATION":
                    if state.field.type in {"RADIO"} or (
                        state.field.type == "CHECKBOX" and state.field.values
                    ):
                        return f"{state.input_id}_0"
                    return state.input_id
        return f"question-{self.prefix}"

    @property
    def summary_error(self) -> str:
        """The message for the error summary: the question's, else its first field's."""
        field_errors = (fs.error for r in self.records for fs in r.fields if fs.error)
        return self.error or next(field_errors, "Please check your answer.")

    @property
    def errors_anywhere(self) -> bool:
        return bool(self.error) or any(fs.error for r in self.records for fs in r.fields)


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
            note = f"Asked when you answer “{' or '.join(labels)}” to “{parent.question.label}”."
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
            state = self._state(question_id)
            if state is not None and not state.errors_anywhere:
                state.error = (
                    "This question needs an answer."
                    if question_id in verdict.required
                    else "Please check the answer to this question."
                )
        return ok and verdict.ok

    @staticmethod
    def _field_message(fs: FieldState, *, empty_record: bool) -> str:
        f = fs.field
        if f.type == "INFORMATION":
            return ""
        if not fs.values:
            # In an otherwise empty extra record nothing is required: it is dropped.
            return "This field is required." if f.required and not empty_record else ""
        if f.type in {"INPUT_TEXT", "TEXTAREA"}:
            if len(fs.values[0].encode("utf-8")) > MAX_TEXT_BYTES:
                return f"Please shorten this answer to at most {MAX_TEXT_BYTES} bytes."
            return ""
        if f.type == "CHECKBOX" and not f.values:
            return "" if fs.values == ["true"] else "Please tick the box or leave it empty."
        if any(v not in f.option_ids for v in fs.values):
            return "Please choose one of the options."
        if f.type in {"SINGLE_SELECT", "RADIO"} and len(fs.values) > 1:
            return "Please choose only one option."
        return ""

    @property
    def error_states(self) -> list[QuestionState]:
        return [s for s in self.ordered + self.diversity if s.visible and s.errors_anywhere]


# --- standard fields ---------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_DOCUMENTS}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _text(autocomplete: str, *, max_length: int) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, "maxlength": max_length})


def _http_url_validator(value: str) -> None:
    URLValidator(schemes=["http", "https"])(value)


class CandidateForm(forms.Form):
    """Identity, contact, links, message and files; consents added per configuration."""

    # autocomplete tokens let browsers fill in known data (WCAG 1.3.5).
    first_name = forms.CharField(
        label="First name", max_length=100, widget=_text("given-name", max_length=100)
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, widget=_text("family-name", max_length=100)
    )
    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone_number = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    city = forms.CharField(
        label="City", max_length=120, required=False, widget=_text("address-level2", max_length=120)
    )
    country = forms.CharField(
        label="Country",
        max_length=120,
        required=False,
        widget=_text("country-name", max_length=120),
    )
    linkedin = forms.URLField(
        label="LinkedIn profile",
        required=False,
        max_length=500,
        validators=[_http_url_validator],
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    website = forms.URLField(
        label="Website or portfolio",
        required=False,
        max_length=500,
        validators=[_http_url_validator],
        assume_scheme="https",
    )
    message = forms.CharField(
        label="Message to the hiring manager",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    resume = forms.FileField(
        label="Resume or CV",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_DOCUMENTS}),
        required=False,
        help_text="PDF, DOC, DOCX, RTF, JPG or PNG, at most 2 MB.",
    )
    attachments = MultipleFileField(
        label="Other attachments",
        required=False,
        help_text="Optional. The same types, at most 2 MB each; you can choose several.",
    )
    # Not for people: hidden with CSS and from assistive technology; bots fill it in.
    fax_number = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args: Any, config: ApplyConfiguration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = config
        self.checked_files: dict[str, list[file_checks.CheckedFile]] = {}
        if config.avatar_upload_available:
            self.fields["avatar"] = forms.FileField(
                label="Photo",
                required=False,
                help_text="Optional. JPG or PNG, at most 2 MB.",
                widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png"}),
            )
        for scope in self.consent_scopes:
            self.fields[self.consent_field_name(scope)] = forms.BooleanField(
                label=scope.label, required=scope.required
            )
            self.fields[self.consent_field_name(scope)].error_messages["required"] = (
                "You need to agree to this to apply."
            )
        self.order_fields(
            [name for name in self.fields if name not in {HONEYPOT_FIELD}] + [HONEYPOT_FIELD]
        )

    @property
    def consent_scopes(self) -> tuple[ConsentScope, ...]:
        if self.config.consent_scopes is None:
            # No consentDetails: one checkbox, sent as {"SINGLE": true} (contract §7).
            return (
                ConsentScope(
                    scope="SINGLE",
                    required=True,
                    label="I agree to the processing of my personal data for this application.",
                ),
            )
        return self.config.consent_scopes

    @staticmethod
    def consent_field_name(scope: ConsentScope) -> str:
        return f"consent_{re.sub(r'[^A-Za-z0-9_]', '_', scope.scope)}"

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[self.consent_field_name(s)] for s in self.consent_scopes]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        # Django accepts a few addresses SmartRecruiters refuses (e.g. user@localhost);
        # SR's check 4 wants a dot in the domain and no spaces.
        if not SR_EMAIL.match(email):
            raise forms.ValidationError("Enter an email address like name@example.com.")
        return email

    def clean_message(self) -> str:
        message = self.cleaned_data.get("message", "").replace("\r\n", "\n").strip()
        if len(message.encode("utf-8")) > MAX_TEXT_BYTES:
            raise forms.ValidationError(f"Please shorten your message to {MAX_TEXT_BYTES} bytes.")
        return message

    def _check(self, name: str, allowed: tuple[tuple[str, str], ...]) -> None:
        value = self.cleaned_data.get(name)
        uploads = value if isinstance(value, list) else ([value] if value else [])
        checked = []
        for upload in uploads:
            try:
                checked.append(file_checks.check_upload(upload, allowed=allowed))
            except file_checks.FileRejected as exc:
                self.add_error(name, f"{upload.name}: {exc}")
        self.checked_files[name] = checked

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._check("resume", file_checks.DOCUMENT_TYPES)
        self._check("attachments", file_checks.DOCUMENT_TYPES)
        if "avatar" in self.fields:
            self._check("avatar", file_checks.IMAGE_TYPES)
        if len(self.checked_files.get("attachments", [])) > 10:
            self.add_error("attachments", "Please attach at most 10 files.")
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def payload_fields(self) -> dict[str, Any]:
        """The candidate part of the ApplyRequest (answers and files added by the service)."""
        data = self.cleaned_data
        payload: dict[str, Any] = {
            "firstName": data["first_name"].strip(),
            "lastName": data["last_name"].strip(),
            "email": data["email"].strip(),
        }
        if data.get("phone_number", "").strip():
            payload["phoneNumber"] = data["phone_number"].strip()
        location = {
            key: data[name].strip()
            for key, name in (("city", "city"), ("country", "country"))
            if data.get(name, "").strip()
        }
        if location:
            payload["location"] = location
        web = {
            key: data[name]
            for key, name in (("linkedIn", "linkedin"), ("website", "website"))
            if data.get(name)
        }
        if web:
            payload["web"] = web
        if data.get("message"):
            payload["messageToHiringManager"] = data["message"]
        payload["consentDecisions"] = {
            scope.scope: bool(data.get(self.consent_field_name(scope)))
            for scope in self.consent_scopes
        }
        return payload
