"""Orders (read-only; changed through the actions), their results and result pushes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from jobboard.operations.outbox_admin import OutboxAdmin
from partner.assessments import review
from partner.assessments.admin.actions import ORDER_ACTIONS
from partner.assessments.admin.workspace import ReviewWorkspace, status_html
from partner.assessments.errors import ServiceError
from partner.assessments.models import Assessment, AssessmentResult, Order, ResultPush


class ResultInline(admin.TabularInline):
    model = AssessmentResult
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "assessment",
        "status",
        "started_at",
        "submitted_at",
        "score_raw",
        "score_min",
        "score_max",
        "score_label",
        "summary",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReviewWorkspace, admin.ModelAdmin):
    change_form_template = "assessments/admin/order_change_form.html"
    change_list_template = "assessments/admin/order_change_list.html"
    # Status second and the dates short: at 1280 px, beside the filters, every column fits.
    list_display = ["candidate", "status_badge", "package", "client", "created"]
    list_display_links = ["candidate"]
    list_filter = [
        "status",
        "kind",
        ("integration__client", admin.RelatedOnlyFieldListFilter),
        ("package", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    date_hierarchy = "created_at"
    search_fields = [
        "candidate_email",
        "candidate_first_name",
        "candidate_last_name",
        "sr_order_id",
        "job_id",
        "integration__company_id",
    ]
    list_select_related = ["package", "integration__client"]
    actions = ["push_again", "resend_invitation"]
    inlines = [ResultInline]
    fieldsets = [
        (
            "Candidate",
            {
                "fields": [
                    ("candidate_first_name", "candidate_last_name"),
                    "candidate_email",
                    "candidate_language",
                    "candidate_sr_id",
                ]
            },
        ),
        (
            "Order",
            {
                "fields": [
                    "package",
                    "kind",
                    "status",
                    "integration",
                    "job_id",
                    "sr_order_id",
                    "result_callback_url",
                    "requester",
                    "fields",
                    "completed_callback_url",
                ]
            },
        ),
        (
            "Dates",
            {
                "fields": [
                    ("created_at", "invited_at", "started_at"),
                    ("submitted_at", "finished_at", "expires_at"),
                ]
            },
        ),
        (
            "Result",
            {
                "fields": [
                    ("score_raw", "score_min", "score_max"),
                    "score_label",
                    "summary",
                    "reject_reason",
                    "report_link",
                    "report_url",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Every change goes through an action (and thus a service and a push).
        return [
            f.name for f in Order._meta.fields if f.name not in ("access_key", "access_key_hash")
        ] + ["report_link"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Orders are SR's records too: a deleted order would orphan its results at SR.
        return False

    @admin.display(description="Client")
    def client(self, obj: Order) -> str:
        return str(obj.integration.client)

    @admin.display(description="Candidate", ordering="candidate_last_name")
    def candidate(self, obj: Order) -> str:
        return format_html(
            '{}<br><span class="asm-muted">{}</span>', obj.candidate_name, obj.candidate_email
        )

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Order) -> str:
        if obj.review_requested_at is None or obj.is_terminal:
            return status_html(obj)
        url = reverse("admin:assessments_order_review", args=[obj.pk])
        since = date_format(timezone.localtime(obj.review_requested_at), "j M H:i")
        return format_html(
            '{}<br><a href="{}" class="asm-muted">To review since {}</a>',
            status_html(obj),
            url,
            since,
        )

    @admin.display(description="Created", ordering="created_at")
    def created(self, obj: Order) -> str:
        local = timezone.localtime(obj.created_at)
        same_year = local.year == timezone.localtime().year
        return date_format(local, "j M H:i" if same_year else "j M Y")

    @admin.display(description="Report")
    def report_link(self, obj: Order) -> str:
        if not obj.report:
            return "—"
        url = reverse("assessments:order_report", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, obj.report_file_name)

    # -- list actions ---------------------------------------------------------
    @admin.action(description="Push results again", permissions=["change"])
    def push_again(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = self._act_on_each(request, queryset, "push")
        self.message_user(request, f"{done} order(s) queued for a new push.")

    @admin.action(description="Resend the invitation", permissions=["change"])
    def resend_invitation(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = self._act_on_each(request, queryset, "resend")
        self.message_user(request, f"{done} invitation(s) sent again.")

    def _act_on_each(self, request: HttpRequest, queryset: QuerySet[Order], action: str) -> int:
        """Run a form-less action on every order; a refusal is reported, not fatal."""
        done = 0
        for order in queryset:
            try:
                ORDER_ACTIONS[action].run(request, order, {})
                self.log_change(request, order, ORDER_ACTIONS[action].label)
                done += 1
            except ServiceError as exc:
                self.message_user(request, f"{order}: {exc.message}", messages.WARNING)
        return done

    # -- the order page -----------------------------------------------------
    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/act/<str:action>/",
                self.admin_site.admin_view(self.order_action),
                name="assessments_order_action",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        order = self.get_object(request, object_id)
        # Read-only page: changes go through the actions below it, never "Save".
        context = {"show_save": False, "show_save_and_continue": False, **(extra_context or {})}
        if order is not None:
            context.update(self._page_context(order))
        return super().change_view(request, object_id, form_url, extra_context=context)

    def _page_context(self, order: Order, **bound: forms.Form) -> dict[str, Any]:
        manual = [
            r
            for r in order.results.select_related("assessment")
            if r.assessment.kind == Assessment.Kind.MANUAL
        ]
        summary = review.summary_for(order)
        timeline = sorted(
            [("event", e.at, e) for e in order.events.all()]
            + [("push", p.created_at, p) for p in order.pushes.all()],
            key=lambda item: item[1],
        )
        # Each action's form as "<action>_form": the one that failed, else a blank one.
        action_forms = {
            f"{name}_form": bound.get(name) or action.form(prefix=name)
            for name, action in ORDER_ACTIONS.items()
            if action.form is not None
        }
        return {
            "order": order,
            "timeline": timeline,
            "manual_results": manual,
            "summary": summary,
            **action_forms,
            "can_act": not order.is_terminal,
        }

    def order_action(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        order = get_object_or_404(Order, pk=pk)
        back = reverse("admin:assessments_order_change", args=[order.pk])
        chosen = ORDER_ACTIONS.get(action)
        if request.method != "POST" or chosen is None:
            return HttpResponseRedirect(back)
        if not self.has_change_permission(request, order):
            return HttpResponse(status=403)
        form = chosen.bound_form(request, action)
        if form is not None and not form.is_valid():
            return self._action_form_error(request, order, action, form)
        back = _safe_next(request, back)
        try:
            chosen.run(request, order, form.cleaned_data if form is not None else {})
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(back)
        # Recent actions on the admin index list these like any other change.
        self.log_change(request, order, chosen.label)
        self.message_user(request, f"{chosen.label}: done.", messages.SUCCESS)
        return HttpResponseRedirect(back)

    def _action_form_error(
        self, request: HttpRequest, order: Order, action: str, form: forms.Form
    ) -> HttpResponse:
        label = ORDER_ACTIONS[action].label
        self.message_user(request, f"{label}: please correct the form.", messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            **self._page_context(order, **{action: form}),
            "opts": self.model._meta,
            "title": f"{label}: {order}",
            "action_name": label,
            "failed_form": form,
        }
        return TemplateResponse(
            request, "assessments/admin/order_action_error.html", context, status=400
        )


def _safe_next(request: HttpRequest, default: str) -> str:
    """Back to the page the form was on (the answers view, the summary), on this site only."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


@admin.register(ResultPush)
class ResultPushAdmin(OutboxAdmin):
    list_display = ["order", "state", "attempts", "response_status", "created_at", "sent_at"]
    list_filter = ["state"]
    message_fields = ("order", "payload", "attach_report")
    trailing_fields = ("response_status", "created_at", "sent_at")
