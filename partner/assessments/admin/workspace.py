"""The staff's working pages around an order, mounted on the order admin:

- ``queue/``: orders awaiting review, oldest first;
- ``<pk>/review/``: the review flow (each assessment → the summary → a preview of exactly
  what SmartRecruiters will receive → "Complete and send to SmartRecruiters");
- ``<pk>/review/<result>/``: the candidate's answers, with correctness, time taken and the
  grading form for manual items, and the assessment's review;
- ``analytics/``: orders, completion, time and scores per package and client company.

Thin: each view reads through a selector, writes through one service (the order page's
action table, or ``review.order_complete_and_send``), and renders.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from partner.assessments import analytics, review, runner
from partner.assessments.errors import ServiceError
from partner.assessments.forms import STANDARD_LABELS, GradeForm, ReviewForm, SendForm
from partner.assessments.models import (
    Answer,
    Assessment,
    AssessmentResult,
    ClientAccount,
    Order,
    Package,
    ResultStatus,
)
from partner.assessments.report import answer_text, duration_text, verdict
from partner.assessments.results import LABEL_RULE

STATUS_TEXT = {
    ResultStatus.NEW: "New",
    ResultStatus.PENDING: "Pending",
    ResultStatus.IN_PROGRESS: "In progress",
    ResultStatus.COMPLETED: "Completed",
    ResultStatus.EXPIRED: "Expired",
    ResultStatus.REJECTED: "Rejected",
}


def status_html(order: Order) -> SafeString:
    """The status as a badge that never wraps (it is the column staff need most)."""
    return format_html(
        '<span class="asm-status asm-status-{}">{}</span>',
        order.status.lower().replace("_", ""),
        STATUS_TEXT.get(ResultStatus(order.status), order.status),
    )


class AnalyticsFilter(forms.Form):
    package = forms.ModelChoiceField(
        queryset=Package.objects.order_by("name"), required=False, empty_label="All packages"
    )
    client = forms.ModelChoiceField(
        queryset=ClientAccount.objects.order_by("name"),
        required=False,
        empty_label="All client companies",
        label="Client company",
    )
    since = forms.DateField(
        required=False, label="Ordered from", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="Ordered until", widget=forms.DateInput(attrs={"type": "date"})
    )


class ReviewWorkspace(ModelAdmin):
    """Mixed into ``OrderAdmin`` (before ``ModelAdmin``): the workspace's URLs and views."""

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("queue/", wrap(self.queue_view), name="assessments_order_queue"),
            path("analytics/", wrap(self.analytics_view), name="assessments_order_analytics"),
            path("<int:pk>/review/", wrap(self.review_view), name="assessments_order_review"),
            path(
                "<int:pk>/review/<int:result_pk>/",
                wrap(self.result_view),
                name="assessments_order_review_result",
            ),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "standard_labels": STANDARD_LABELS,
            "label_rule": LABEL_RULE,
            **extra,
        }

    def _order(self, request: HttpRequest, pk: int) -> Order:
        order = get_object_or_404(
            Order.objects.select_related("package", "integration__client"), pk=pk
        )
        if not self.has_view_permission(request, order):
            raise PermissionDenied
        return order

    # -- the queue ----------------------------------------------------------
    def queue_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = Paginator(review.queue_orders_with_progress(), 50).get_page(request.GET.get("p"))
        context = self._context(
            request,
            "Review queue",
            page=page,
            counts=review.queue_counts(),
        )
        return TemplateResponse(request, "assessments/admin/queue.html", context)

    # -- the review flow: each assessment, the summary, the preview, send -------
    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self._order(request, pk)
        summary = review.summary_for(order)
        form = SendForm(request.POST or None, initial={"summary": summary.default_summary})
        status = 200
        if request.method == "POST":
            if not self.has_change_permission(request, order):
                raise PermissionDenied
            if form.is_valid() and "send" in request.POST:
                sent = self._send(request, order, form.cleaned_data)
                if sent is not None:
                    return sent
                status = 409
            summary = review.summary_for(Order.objects.get(pk=order.pk))
        label, text = self._choices(form, summary)
        preview = None
        if summary.ready:
            preview = review.completion_preview(order=order, label=label, summary=text)
            # The form that sends carries the preview's fingerprint, and the values shown.
            form = SendForm(
                initial={"label": label, "summary": text, "fingerprint": preview.fingerprint}
            )
        context = self._context(
            request,
            f"Review: {order.package.name} for {order.candidate_name}",
            order=order,
            summary=summary,
            form=form,
            preview=preview,
            label=label or (summary.derived_label if summary.total else ""),
            label_source="chosen" if label else "rule",
            can_change=self.has_change_permission(request, order),
            pushes=list(order.pushes.order_by("-created_at", "-id")[:5]),
        )
        return TemplateResponse(request, "assessments/admin/review.html", context, status=status)

    @staticmethod
    def _choices(form: SendForm, summary: review.OrderSummary) -> tuple[str, str]:
        if form.is_bound and form.is_valid():
            return form.cleaned_data["label"], form.cleaned_data["summary"]
        return "", summary.default_summary

    def _send(
        self, request: HttpRequest, order: Order, data: dict[str, Any]
    ) -> HttpResponse | None:
        try:
            review.order_complete_and_send(
                order=order,
                label=data["label"],
                summary=data["summary"],
                fingerprint=data["fingerprint"],
                user=request.user,
            )
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None
        self.log_change(request, order, "Completed and sent to SmartRecruiters")
        self.message_user(
            request,
            "Completed. The report and the results are on their way to SmartRecruiters.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:assessments_order_review", args=[order.pk]))

    # -- the candidate's answers, grading, the assessment's review -------------
    def result_view(self, request: HttpRequest, pk: int, result_pk: int) -> HttpResponse:
        order = self._order(request, pk)
        result = get_object_or_404(
            AssessmentResult.objects.select_related("assessment", "reviewed_by"),
            pk=result_pk,
            order=order,
        )
        rows = list(
            Answer.objects.filter(result=result)
            .select_related("question", "graded_by")
            .prefetch_related("question__choices", "files")
            .order_by("position", "id")
        )
        here = request.get_full_path()
        items = [
            {
                "answer": answer,
                "text": answer_text(answer),
                "verdict": verdict(answer),
                "chosen": {str(v) for v in answer.values},
                "form": GradeForm(
                    prefix="grade",
                    auto_id=f"id_a{answer.pk}_%s",
                    initial={
                        "answer": answer.pk,
                        "points": answer.points_awarded,
                        "comment": answer.grader_comment,
                    },
                )
                if answer.question.is_manual
                else None,
            }
            for answer in rows
        ]
        manual_kind = result.assessment.kind == Assessment.Kind.MANUAL
        graded = None if manual_kind else runner.graded_score(result)
        review_form = ReviewForm(
            prefix="review",
            initial={
                "result": result.pk,
                "score_raw": result.score_raw if manual_kind else None,
                "score_min": result.score_min if result.score_min is not None else 0,
                "score_max": result.score_max if result.score_max is not None else 100,
                "score_label": result.score_label if result.label_chosen else "",
                "summary": result.summary,
            },
        )
        siblings = list(order.results.select_related("assessment"))
        position = next(i for i, r in enumerate(siblings) if r.pk == result.pk)
        context = self._context(
            request,
            f"{result.assessment.name}: {order.candidate_name}",
            order=order,
            result=result,
            items=items,
            manual_kind=manual_kind,
            needs_review=runner.needs_review(result),
            graded=graded,
            ungraded=sum(1 for a in rows if a.question.is_manual and a.points_awarded is None),
            timed_out=bool(
                result.deadline and result.submitted_at and result.submitted_at > result.deadline
            ),
            review_form=review_form,
            time_taken=duration_text(result.time_taken),
            here=here,
            previous=siblings[position - 1] if position > 0 else None,
            following=siblings[position + 1] if position + 1 < len(siblings) else None,
            can_change=self.has_change_permission(request, order) and not order.is_terminal,
        )
        return TemplateResponse(request, "assessments/admin/review_result.html", context)

    # -- analytics -----------------------------------------------------------
    def analytics_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = AnalyticsFilter(request.GET or None)
        filters: dict[str, Any] = {}
        if form.is_valid():
            filters = {k: v for k, v in form.cleaned_data.items() if v}
        report = analytics.analytics_report(**filters)
        tables = [
            ("By package", report.packages, "by-package"),
            ("By client company", report.clients, "by-client"),
        ]
        context = self._context(
            request, "Assessment analytics", form=form, report=report, tables=tables
        )
        return TemplateResponse(request, "assessments/admin/analytics.html", context)
