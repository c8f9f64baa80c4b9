"""Forms of the consent page, the candidate's test page and the staff order actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from partner.applications.files import DOCUMENT_TYPES, CheckedFile, FileRejected, check_upload
from partner.assessments.models import Answer, ClientAccount, Question
from partner.assessments.orders import REPORT_MAX_BYTES
from partner.assessments.results import INVALID_SCORE, LABEL_BANDS, LABEL_RULE, Score
from partner.assessments.runner import MAX_FILES_PER_QUESTION


def _label_field(label: str) -> forms.CharField:
    """A result's label: free text, with the standard ones offered, or the rule's."""
    return forms.CharField(
        label=label,
        max_length=200,
        required=False,
        help_text=f"Leave empty to use the rule: {LABEL_RULE}.",
        widget=forms.TextInput(attrs={"list": "standard-labels"}),
    )


class ConsentForm(forms.Form):
    """Link an SR company to an existing client account, or create one."""

    client = forms.ModelChoiceField(
        queryset=ClientAccount.objects.all(),
        required=False,
        empty_label="— Create a new client account —",
        label="Client account",
    )
    new_client_name = forms.CharField(
        max_length=200, required=False, label="New client account name"
    )

    def clean(self) -> dict[str, Any]:
        # Form.clean() may return None in a subclass; the cleaned data is always here.
        super().clean()
        data = self.cleaned_data
        name = (data.get("new_client_name") or "").strip()
        if not data.get("client"):
            if not name:
                raise forms.ValidationError("Choose a client account or name a new one.")
            if ClientAccount.objects.filter(name__iexact=name).exists():
                raise forms.ValidationError(f"A client account named “{name}” exists: choose it.")
        data["new_client_name"] = name
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files at once, each checked by its content like the apply form's files
    (``partner.applications.files.check_upload``)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[CheckedFile]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > MAX_FILES_PER_QUESTION:
            raise forms.ValidationError(f"Upload at most {MAX_FILES_PER_QUESTION} files.")
        checked = []
        for upload in uploads:
            try:
                checked.append(check_upload(upload))
            except FileRejected as exc:
                raise forms.ValidationError(f"{upload.name}: {exc}") from None
        return checked


class TestForm(forms.Form):
    """The candidate's answers: one field per question, named ``q<pk>``, in the order this
    candidate sees them, filled with what they saved."""

    def __init__(
        self,
        *args: Any,
        questions: list[Question],
        saved: dict[int, Answer] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        saved = saved or {}
        for number, question in enumerate(self.questions, start=1):
            label = f"{number}. {question.text}"
            name = f"q{question.pk}"
            answer = saved.get(question.pk)
            self.fields[name] = self._field(question, label)
            if answer is not None:
                self.initial[name] = self._initial(question, answer)
                sent = [f.name for f in answer.files.all()] if question.kind == "file" else []
                if sent:
                    self.fields[name].help_text += f" Sent so far: {', '.join(sent)}."

    def _field(self, question: Question, label: str) -> forms.Field:
        kind = question.kind
        if kind == Question.Kind.CHOICE:
            choices = [(str(c.pk), c.text) for c in question.choices.all()]
            several = sum(1 for c in question.choices.all() if c.is_correct) > 1
            if several:
                return forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    help_text="Choose every correct answer.",
                )
            return forms.ChoiceField(
                label=label, choices=choices, required=False, widget=forms.RadioSelect
            )
        if kind == Question.Kind.ESSAY:
            return forms.CharField(
                label=label,
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 10}),
                help_text="Write your answer; our staff read and grade it.",
            )
        if kind == Question.Kind.CODE:
            language = f" in {question.code_language}" if question.code_language else ""
            return forms.CharField(
                label=label,
                required=False,
                max_length=50_000,
                strip=False,
                widget=forms.Textarea(
                    attrs={
                        "rows": 14,
                        "class": "code-input",
                        "spellcheck": "false",
                        "autocapitalize": "off",
                        "autocomplete": "off",
                        "data-language": question.code_language,
                    }
                ),
                help_text=f"Write your code{language}; our staff read and grade it.",
            )
        if kind == Question.Kind.FILE:
            names = ", ".join(ext.upper() for ext, _ in DOCUMENT_TYPES)
            return FilesField(
                label=label,
                required=False,
                help_text=f"Up to {MAX_FILES_PER_QUESTION} files of at most 2 MB each "
                f"({names}). A new upload replaces the files you sent before.",
            )
        return forms.CharField(label=label, required=False, max_length=500)

    @staticmethod
    def _initial(question: Question, answer: Answer) -> Any:
        if question.kind == Question.Kind.CHOICE:
            values = [str(v) for v in answer.values]
            several = sum(1 for c in question.choices.all() if c.is_correct) > 1
            return values if several else (values[0] if values else None)
        if question.kind == Question.Kind.FILE:
            return None
        return answer.text

    def answers(self) -> dict[str, list[str]]:
        """Given answers by question id (a question the form did not send is absent)."""
        out: dict[str, list[str]] = {}
        for question in self.questions:
            if question.kind == Question.Kind.FILE:
                continue
            name = f"q{question.pk}"
            if name not in self.data and question.kind != Question.Kind.CHOICE:
                continue
            value = self.cleaned_data.get(name)
            if isinstance(value, list):
                out[str(question.pk)] = [str(v) for v in value]
            elif value:
                out[str(question.pk)] = [str(value)]
            else:
                out[str(question.pk)] = []
        return out

    def files_given(self) -> dict[str, list[CheckedFile]]:
        return {
            str(q.pk): list(self.cleaned_data.get(f"q{q.pk}") or [])
            for q in self.questions
            if q.kind == Question.Kind.FILE and self.cleaned_data.get(f"q{q.pk}")
        }


class ScoreForm(forms.Form):
    score_raw = forms.IntegerField(label="Score (raw)")
    score_min = forms.IntegerField(label="Minimum", initial=0)
    score_max = forms.IntegerField(label="Maximum", initial=100)
    score_label = forms.CharField(label="Label", max_length=200, required=False)
    summary = forms.CharField(widget=forms.Textarea, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        raw, low, high = data.get("score_raw"), data.get("score_min"), data.get("score_max")
        # A missing number already has its own field error.
        if (
            raw is not None
            and low is not None
            and high is not None
            and not Score(raw, low, high).valid
        ):
            raise forms.ValidationError(f"{INVALID_SCORE}.")
        return data


STANDARD_LABELS = [name for _, name in LABEL_BANDS]


class ReviewForm(ScoreForm):
    """One assessment's review. A review-only assessment needs the score; a test's score
    comes from its graded answers, so the numbers may stay empty there."""

    result = forms.IntegerField(widget=forms.HiddenInput)
    score_raw = forms.IntegerField(label="Score (raw)", required=False)
    score_min = forms.IntegerField(label="Minimum", initial=0, required=False)
    score_max = forms.IntegerField(label="Maximum", initial=100, required=False)
    score_label = _label_field("Label")
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Shown to recruiters in SmartRecruiters with this assessment's result.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = [data.get(k) is not None for k in ("score_raw", "score_min", "score_max")]
        if any(given) and not all(given):
            raise forms.ValidationError("Give the raw score, the minimum and the maximum.")
        return data


class GradeForm(forms.Form):
    """Staff grade one manual item of a test."""

    answer = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.IntegerField(min_value=0, label="Points")
    comment = forms.CharField(
        label="Comment for the report", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class SendForm(forms.Form):
    """The summary's choices, and the fingerprint of the preview they were shown with."""

    label = _label_field("Overall label")
    summary = forms.CharField(
        label="Summary for SmartRecruiters",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, max_length=2000)


class ReportForm(forms.Form):
    report = forms.FileField(help_text="PDF, at most 10 MB")

    def clean_report(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["report"]
        if upload.size is not None and upload.size > REPORT_MAX_BYTES:
            raise forms.ValidationError("A report may be at most 10 MB.")
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError("The report must be a PDF file.")
        return upload
