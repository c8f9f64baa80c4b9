"""PackageResult merge patches (assessment-api.md §3, §7): only the changed fields,
arrays whole, ``score`` always with raw/min/max, ``COMPLETED`` always with
``submissionDate``. Pure functions of the order's state; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from partner.assessments.errors import ServiceError
from partner.assessments.models import Assessment, AssessmentResult, Order, ResultStatus


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


INVALID_SCORE = "The score needs min ≤ raw ≤ max and min < max"
# The label rule, as staff read it on the review pages (kept beside ``Score.label``).
LABEL_BANDS = ((80, "Excellent"), (60, "Above average"), (40, "Average"), (0, "Below average"))
LABEL_RULE = (
    "Excellent from 80 %, Above average from 60 %, Average from 40 %, "
    "Below average under 40 % (of the score as SmartRecruiters shows it)"
)


@dataclass(frozen=True)
class Score:
    """SR's ``score`` (§3): shown as (raw - min) / (max - min), so min ≤ raw ≤ max, min < max."""

    raw: int
    minimum: int
    maximum: int

    @property
    def valid(self) -> bool:
        return self.minimum < self.maximum and self.minimum <= self.raw <= self.maximum

    @classmethod
    def checked(cls, raw: int, minimum: int, maximum: int) -> Score:
        score = cls(raw, minimum, maximum)
        if not score.valid:
            raise ServiceError(INVALID_SCORE, code="INVALID_SCORE")
        return score

    @property
    def percent(self) -> float:
        """What SR shows: (raw - min) / (max - min), in percent."""
        if self.maximum <= self.minimum:
            return 0.0
        return 100 * (self.raw - self.minimum) / (self.maximum - self.minimum)

    def label(self) -> str:
        """The one label rule (``LABEL_RULE``), applied to the percentage SR will show.

        Used wherever staff leave a label empty; the review pages and the preview say
        when a label comes from here.
        """
        if self.maximum <= self.minimum:
            return ""
        return next(name for floor, name in LABEL_BANDS if self.percent >= floor)

    def json(self) -> dict[str, int]:
        return {"raw": self.raw, "min": self.minimum, "max": self.maximum}


def _score(raw: int | None, minimum: int | None, maximum: int | None) -> dict[str, int] | None:
    if raw is None or minimum is None or maximum is None:
        return None
    return Score(int(raw), int(minimum), int(maximum)).json()


def _staff_reviewed(result: AssessmentResult) -> bool:
    return result.assessment.kind == Assessment.Kind.MANUAL or result.reviewed_at is not None


def assessment_result_json(result: AssessmentResult, *, final: bool = True) -> dict[str, Any]:
    """One ``assessmentResults`` item. Before the order completes (``final=False``), a
    staff review's score, label and summary stay here: SR receives them with the
    completion, exactly as the summary's preview shows them."""
    body: dict[str, Any] = {
        "assessmentId": result.assessment.external_id,
        "assessmentName": result.assessment.name,
    }
    withheld = not final and _staff_reviewed(result)
    optional: dict[str, Any] = {
        # NEW is ours: SR learns of an assessment once it has started.
        "status": result.status if result.status != ResultStatus.NEW else None,
        "assessmentDate": iso(result.started_at),
        "submissionDate": iso(result.submitted_at),
        "score": None if withheld else _score(result.score_raw, result.score_min, result.score_max),
        "scoreLabel": None if withheld else result.score_label or None,
        "summary": None if withheld else result.summary or None,
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    return body


def assessment_results_json(order: Order, *, final: bool = True) -> list[dict[str, Any]]:
    results = order.results.select_related("assessment").order_by(
        "assessment__position", "assessment_id"
    )
    return [
        assessment_result_json(result, final=final)
        for result in results
        if result.status != ResultStatus.NEW
    ]


def invitation_patch(order: Order) -> dict[str, Any]:
    return {
        "status": ResultStatus.PENDING.value,
        "name": order.package.name,
        "assessmentPackageDate": iso(order.invited_at),
    }


def progress_patch(order: Order) -> dict[str, Any]:
    patch: dict[str, Any] = {"status": ResultStatus.IN_PROGRESS.value}
    results = assessment_results_json(order, final=False)
    if results:
        patch["assessmentResults"] = results
    return patch


def completion_patch(order: Order) -> dict[str, Any]:
    patch: dict[str, Any] = {
        "status": ResultStatus.COMPLETED.value,
        # §7: COMPLETED always comes with submissionDate.
        "submissionDate": iso(order.submitted_at or order.finished_at),
    }
    score = _score(order.score_raw, order.score_min, order.score_max)
    if score is not None:
        patch["score"] = score
    if order.score_label:
        patch["scoreLabel"] = order.score_label
    if order.summary:
        patch["summary"] = order.summary
    results = assessment_results_json(order)
    if results:
        patch["assessmentResults"] = results
    return patch


def expiry_patch(order: Order) -> dict[str, Any]:
    return {"status": ResultStatus.EXPIRED.value}


def rejection_patch(order: Order) -> dict[str, Any]:
    patch: dict[str, Any] = {"status": ResultStatus.REJECTED.value}
    if order.reject_reason:
        patch["summary"] = order.reject_reason
    return patch


def snapshot_patch(order: Order) -> dict[str, Any]:
    """Everything we know, for "push results again" (a repeated PATCH is harmless)."""
    patch: dict[str, Any] = {"name": order.package.name}
    if order.invited_at:
        patch["assessmentPackageDate"] = iso(order.invited_at)
    builders = {
        ResultStatus.PENDING: lambda o: {"status": ResultStatus.PENDING.value},
        ResultStatus.IN_PROGRESS: progress_patch,
        ResultStatus.COMPLETED: completion_patch,
        ResultStatus.EXPIRED: expiry_patch,
        ResultStatus.REJECTED: rejection_patch,
    }
    if order.status in builders:
        patch.update(builders[ResultStatus(order.status)](order))
    return patch
