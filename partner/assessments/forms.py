"""Forms of the consent page, the candidate's test page and the staff order actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from partner.assessments.models import Assessment, ClientAccount, Question
from partner.assessments.orders import REPORT_MAX_BYTES
from partner.assessments.results import INVALID_SCORE, Score


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


class TestForm(forms.Form):
    """The candidate's answers: one field per question, named ``q<pk>``."""

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(assessment.questions.prefetch_related("choices"))
        for number, question in enumerate(self.questions, start=1):
            label = f"{number}. {question.text}"
            name = f"q{question.pk}"
            if question.kind == Question.Kind.CHOICE:
                choices = [(str(c.pk), c.text) for c in question.choices.all()]
                several = sum(1 for c in question.choices.all() if c.is_correct) > 1
                if several:
                    self.fields[name] = forms.MultipleChoiceField(
                        label=label,
                        choices=choices,
                        required=False,
                        widget=forms.CheckboxSelectMultiple,
                        help_text="Choose every correct answer.",
                    )
                else:
                    self.fields[name] = forms.ChoiceField(
                        label=label, choices=choices, required=False, widget=forms.RadioSelect
                    )
            else:
                self.fields[name] = forms.CharField(label=label, required=False, max_length=500)

    def answers(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if isinstance(value, list):
                out[str(question.pk)] = [str(v) for v in value]
            elif value:
                out[str(question.pk)] = [str(value)]
        return out


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


class ReviewForm(ScoreForm):
    result = forms.IntegerField(widget=forms.HiddenInput)


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
