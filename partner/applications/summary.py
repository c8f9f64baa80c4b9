"""The apply page's error summary: every error, in the order the page shows its field.

The page shows the standard fields in sections (about you, links, documents), then the
employer's questions, the message, the diversity questions, and the consents last. The
summary follows that order, so that working down it is working down the page (a test
checks it against the rendered page).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from partner.applications.forms import CandidateForm
from partner.applications.screening import QuestionState, ScreeningForm

# A label that already ends a sentence ("…privacy policy.", "…in Germany?") is followed
# by the message directly; another gets a colon ("First name: This field is required.").
SENTENCE_ENDS = (".", "?", "!", ":", "…")

# Shown after the employer's questions, and after the diversity questions.
AFTER_QUESTIONS = frozenset({"message"})
LAST_FIELDS = frozenset({"notify_status_changes"})


@dataclass(frozen=True)
class SummaryEntry:
    label: str
    message: str
    anchor: str = ""  # the id of the input the entry links to

    @property
    def label_ends_sentence(self) -> bool:
        return self.label.rstrip().endswith(SENTENCE_ENDS)


def _field_entries(form: CandidateForm, names: list[str]) -> list[SummaryEntry]:
    entries = []
    for name in names:
        bound = form[name]
        if bound.errors:
            entries.append(
                SummaryEntry(
                    label=str(bound.label),
                    message=" ".join(str(error) for error in bound.errors),
                    anchor=bound.id_for_label,
                )
            )
    return entries


def _question_entries(states: list[QuestionState]) -> list[SummaryEntry]:
    return [
        SummaryEntry(
            label=s.legend or gettext("Question"), message=s.summary_error, anchor=s.anchor
        )
        for s in states
        if s.visible and s.errors_anywhere
    ]


def error_summary(*, form: CandidateForm, screening: ScreeningForm) -> list[SummaryEntry]:
    """The errors of a judged form, in page order; form-wide errors first."""
    last = {form.consent_field_name(scope) for scope in form.consent_scopes} | LAST_FIELDS
    early = [name for name in form.fields if name not in AFTER_QUESTIONS | last]
    entries = [SummaryEntry(label="", message=str(e)) for e in form.non_field_errors()]
    entries += _field_entries(form, early)
    entries += _question_entries(screening.ordered)
    entries += _field_entries(form, [name for name in form.fields if name in AFTER_QUESTIONS])
    entries += _question_entries(screening.diversity)
    entries += _field_entries(form, [name for name in form.fields if name in last])
    return entries
