"""The order page's actions: one table from the action in the URL to its form and service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from partner.assessments import orders, runner
from partner.assessments.forms import GradeForm, RejectForm, ReportForm, ReviewForm, ScoreForm
from partner.assessments.models import Answer, AssessmentResult, Order

ActionRun = Callable[[HttpRequest, Order, dict[str, Any]], None]


@dataclass(frozen=True)
class OrderAction:
    """What ``/admin/assessments/order/<pk>/act/<action>/`` does."""

    label: str
    run: ActionRun  # called with the form's cleaned data ({} for an action without a form)
    form: type[forms.Form] | None = None

    def bound_form(self, request: HttpRequest, name: str) -> forms.Form | None:
        if self.form is None:
            return None
        return self.form(request.POST, request.FILES, prefix=name)


def _complete(request: HttpRequest, order: Order, data: dict[str, Any]) -> None:
    orders.order_complete(order=order, user=request.user, **data)


def _reject(request: HttpRequest, order: Order, data: dict[str, Any]) -> None:
    orders.order_reject(order=order, reason=data["reason"], user=request.user)


def _resend(request: HttpRequest, order: Order, data: dict[str, Any]) -> None:
    orders.order_resend_invitation(order=order, user=request.user)


def _push(request: HttpRequest, order: Order, data: dict[str, Any]) -> None:
    orders.order_push_again(order=order, user=request.user)


def _report(request: HttpRequest, order: Order, data: dict[str, Any]) -> None:
    orders.order_attach_report(order=order, upload=data["report"], user=request.user)


def _review(request: HttpRequest, order: Order, data: dict[str, Any]) -> None:
    data = dict(data)
    result = get_object_or_404(AssessmentResult, pk=data.pop("result"), order=order)
    runner.assessment_review(result=result, user=request.user, **data)


def _grade(request: HttpRequest, order: Order, data: dict[str, Any]) -> None:
    answer = get_object_or_404(Answer, pk=data["answer"], result__order=order)
    runner.answer_grade(
        answer=answer, points=data["points"], comment=data["comment"], user=request.user
    )


ORDER_ACTIONS: dict[str, OrderAction] = {
    "complete": OrderAction("Complete with a score", _complete, ScoreForm),
    "reject": OrderAction("Reject", _reject, RejectForm),
    "resend": OrderAction("Resend the invitation", _resend),
    "push": OrderAction("Push results again", _push),
    "report": OrderAction("Upload a report", _report, ReportForm),
    "review": OrderAction("Record a manual review", _review, ReviewForm),
    "grade": OrderAction("Grade an answer", _grade, GradeForm),
}
