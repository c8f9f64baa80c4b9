"""Django admin for the vendor's staff: clients, integrations, packages, orders.

Thin: every action validates a form and calls one service. The order page shows the
candidate, the job, a timeline of events and result pushes, and the actions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from partner.assessments import services
from partner.assessments.forms import RejectForm, ReportForm, ReviewForm, ScoreForm
from partner.assessments.models import (
    AccessToken,
    Assessment,
    AssessmentResult,
    Choice,
    ClientAccount,
    Integration,
    Order,
    Package,
    Question,
    ResultPush,
)


# ---------------------------------------------------------------------------
# Clients and integrations
# ---------------------------------------------------------------------------
class IntegrationInline(admin.TabularInline):
    model = Integration
    extra = 0
    can_delete = False
    fields = ["company_id", "status", "connected_at", "disconnected_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClientAccount)
class ClientAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_email", "integration_state", "created_at"]
    search_fields = ["name", "contact_email", "integrations__company_id"]
    inlines = [IntegrationInline]

    @admin.display(description="SmartRecruiters companies")
    def integration_state(self, obj: ClientAccount) -> str:
        rows = [f"{i.company_id} ({i.get_status_display()})" for i in obj.integrations.all()]
        return ", ".join(rows) or "—"


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    """Read-only: integrations are made on the consent page and ended by SR's DELETE.
    Secrets are never shown (the P-secret is a hash; the SR-secret stays encrypted)."""

    list_display = [
        "company_id",
        "client",
        "status",
        "connected_at",
        "disconnected_at",
        "live_tokens",
    ]
    list_filter = ["status", "client"]
    search_fields = ["company_id", "client__name", "p_client_id", "sr_client_id"]
    fields = [
        "company_id",
        "client",
        "status",
        "p_client_id",
        "sr_client_id",
        "connected_by",
        "connected_at",
        "disconnected_at",
    ]
    readonly_fields = [f for f in fields if f != "client"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Live tokens")
    def live_tokens(self, obj: Integration) -> int:
        from django.utils import timezone

        return obj.tokens.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).count()


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ["integration", "created_at", "expires_at", "revoked_at"]
    list_filter = ["integration__company_id"]
    readonly_fields = ["integration", "created_at", "expires_at", "revoked_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# ---------------------------------------------------------------------------
# Packages, assessments, questions
# ---------------------------------------------------------------------------
class AssessmentInline(admin.StackedInline):
    model = Assessment
    extra = 0
    fields = [
        ("external_id", "name"),
        "description",
        ("type", "kind"),
        ("time_limit_minutes", "position"),
    ]
    show_change_link = True


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "type", "is_active", "offered_to_all", "order_count"]
    list_filter = ["is_active", "type", "offered_to_all"]
    search_fields = ["name", "external_id"]
    filter_horizontal = ["clients"]
    inlines = [AssessmentInline]

    @admin.display(description="Orders")
    def order_count(self, obj: Package) -> int:
        return obj.orders.count()


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 3
    fields = ["text", "is_correct", "position"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 1
    fields = [("kind", "points", "position"), "text", "accepted_answers"]
    show_change_link = True


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["name", "package", "external_id", "kind", "time_limit_minutes", "questions"]
    list_filter = ["kind", "package"]
    search_fields = ["name", "external_id", "package__name"]
    inlines = [QuestionInline]

    @admin.display(description="Questions")
    def questions(self, obj: Assessment) -> int:
        return obj.questions.count()


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "assessment", "kind", "points"]
    list_filter = ["kind", "assessment__package"]
    inlines = [ChoiceInline]


# ---------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------
class ResultInline(admin.TabularInline):
    model = AssessmentResult
    extra = 0
    can_delete = False
    fields = [
        "assessment",
        "status",
        "started_at",
        "submitted_at",
        "score_raw",
        "score_min",
        "score_max",
        "score_label",
        "summary",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


ACTIONS = {
    "complete": "Complete with a score",
    "reject": "Reject",
    "resend": "Resend the invitation",
    "push": "Push results again",
    "report": "Upload a report",
    "review": "Record a manual review",
}


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    change_form_template = "assessments/admin/order_change_form.html"
    list_display = ["created_at", "candidate", "package", "client", "status_badge"]
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
        return f"{obj.candidate_name} <{obj.candidate_email}>"

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Order) -> str:
        return obj.status or "ordered"

    @admin.display(description="Report")
    def report_link(self, obj: Order) -> str:
        if not obj.report:
            return "—"
        url = reverse("assessments:order_report", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, obj.report.name.rsplit("/", 1)[-1])

    # -- list actions ---------------------------------------------------------
    @admin.action(description="Push results again", permissions=["change"])
    def push_again(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = 0
        for order in queryset:
            try:
                services.order_push_again(order=order, user=request.user)
                done += 1
            except services.ServiceError as exc:
                self.message_user(request, f"{order}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{done} order(s) queued for a new push.")

    @admin.action(description="Resend the invitation", permissions=["change"])
    def resend_invitation(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = 0
        for order in queryset:
            try:
                services.order_resend_invitation(order=order, user=request.user)
                done += 1
            except services.ServiceError as exc:
                self.message_user(request, f"{order}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{done} invitation(s) sent again.")

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

    def _page_context(self, order: Order, **forms: Any) -> dict[str, Any]:
        manual = [
            r
            for r in order.results.select_related("assessment")
            if r.assessment.kind == Assessment.Kind.MANUAL
        ]
        timeline = sorted(
            [("event", e.at, e) for e in order.events.all()]
            + [("push", p.created_at, p) for p in order.pushes.all()],
            key=lambda item: item[1],
        )
        return {
            "order": order,
            "timeline": timeline,
            "manual_results": manual,
            "score_form": forms.get("complete") or ScoreForm(prefix="complete"),
            "reject_form": forms.get("reject") or RejectForm(prefix="reject"),
            "report_form": forms.get("report") or ReportForm(prefix="report"),
            "review_form": forms.get("review") or ReviewForm(prefix="review"),
            "can_act": not order.is_terminal,
        }

    def order_action(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        order = get_object_or_404(Order, pk=pk)
        back = reverse("admin:assessments_order_change", args=[order.pk])
        if request.method != "POST" or action not in ACTIONS:
            return HttpResponseRedirect(back)
        if not self.has_change_permission(request, order):
            return HttpResponse(status=403)
        form: Any = None
        try:
            if action == "complete":
                form = ScoreForm(request.POST, prefix="complete")
                if form.is_valid():
                    services.order_complete(order=order, user=request.user, **form.cleaned_data)
            elif action == "reject":
                form = RejectForm(request.POST, prefix="reject")
                if form.is_valid():
                    services.order_reject(
                        order=order, reason=form.cleaned_data["reason"], user=request.user
                    )
            elif action == "resend":
                services.order_resend_invitation(order=order, user=request.user)
            elif action == "push":
                services.order_push_again(order=order, user=request.user)
            elif action == "report":
                form = ReportForm(request.POST, request.FILES, prefix="report")
                if form.is_valid():
                    services.order_attach_report(
                        order=order, upload=form.cleaned_data["report"], user=request.user
                    )
            elif action == "review":
                form = ReviewForm(request.POST, prefix="review")
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    result = get_object_or_404(AssessmentResult, pk=data.pop("result"), order=order)
                    services.assessment_review(result=result, user=request.user, **data)
        except services.ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(back)
        if form is not None and not form.is_valid():
            self.message_user(
                request, f"{ACTIONS[action]}: please correct the form.", messages.ERROR
            )
            context = {
                **self.admin_site.each_context(request),
                **self._page_context(order, **{action: form}),
                "opts": self.model._meta,
                "title": f"{ACTIONS[action]}: {order}",
                "action_name": ACTIONS[action],
                "failed_form": form,
            }
            return TemplateResponse(
                request, "assessments/admin/order_action_error.html", context, status=400
            )
        self.message_user(request, f"{ACTIONS[action]}: done.", messages.SUCCESS)
        return HttpResponseRedirect(back)


@admin.register(ResultPush)
class ResultPushAdmin(admin.ModelAdmin):
    list_display = ["order", "state", "attempts", "response_status", "created_at", "sent_at"]
    list_filter = ["state"]
    readonly_fields = [
        "order",
        "payload",
        "attach_report",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "response_status",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
