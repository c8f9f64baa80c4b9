"""Packages, their assessments and the question bank (with JSON import and export)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from partner.assessments import selectors, transfer
from partner.assessments.models import Assessment, Choice, Package, Question


class AssessmentInline(admin.StackedInline):
    model = Assessment
    extra = 0
    fields = [
        ("external_id", "name"),
        "description",
        ("type", "kind"),
        ("time_limit_minutes", "shuffle_questions", "position"),
    ]
    show_change_link = True


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Questions file (JSON)",
        help_text="As exported from a package. The questions of every assessment named in the "
        "file are replaced; nothing changes if the file has a problem.",
    )


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "external_id",
        "candidate_task",
        "is_active",
        "offered_to_all",
        "order_count",
        "question_count",
    ]
    list_filter = ["is_active", "candidate_task", "type", "offered_to_all"]
    search_fields = ["name", "external_id"]
    filter_horizontal = ["clients"]
    inlines = [AssessmentInline]
    change_form_template = "assessments/admin/package_change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Package]:
        packages: QuerySet[Package] = super().get_queryset(request)
        return packages.annotate(
            orders_count=Count("orders", distinct=True),
            questions_count=Count(
                "assessments__questions",
                filter=Q(assessments__questions__retired=False),
                distinct=True,
            ),
        )

    @admin.display(description="Orders", ordering="orders_count")
    def order_count(self, obj: Any) -> int:
        return int(obj.orders_count)

    @admin.display(description="Questions", ordering="questions_count")
    def question_count(self, obj: Any) -> int:
        return int(obj.questions_count)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/questions.json",
                wrap(self.export_view),
                name="assessments_package_export",
            ),
            path(
                "<int:pk>/import-questions/",
                wrap(self.import_view),
                name="assessments_package_import",
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
        package = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if package is not None:
            context["package_problems"] = selectors.package_problems(package=package)
        return super().change_view(request, object_id, form_url, extra_context=context)

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        package = get_object_or_404(Package, pk=pk)
        if not self.has_view_permission(request, package):
            raise PermissionDenied
        body = json.dumps(transfer.questions_export(package=package), indent=2, ensure_ascii=False)
        response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{package.external_id}-questions.json"'
        )
        return response

    def import_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        package = get_object_or_404(Package, pk=pk)
        if not self.has_change_permission(request, package):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                counts = transfer.questions_import(
                    package=package, raw=upload.read(transfer.MAX_BYTES + 1)
                )
            except transfer.ImportRejected as exc:
                problems = exc.problems
            else:
                done = ", ".join(f"{count} in {name}" for name, count in counts.items())
                self.log_change(request, package, f"Questions imported: {done}")
                self.message_user(request, f"Questions imported: {done}.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:assessments_package_change", args=[package.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": package,
            "title": f"Import questions into {package.name}",
            "form": form,
            "problems": problems,
        }
        status = 400 if problems else 200
        return TemplateResponse(
            request, "assessments/admin/import_questions.html", context, status=status
        )


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 3
    fields = ["text", "is_correct", "position"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 1
    fields = [
        ("kind", "points", "position", "retired"),
        "text",
        "accepted_answers",
        ("code_language", "grading_notes"),
    ]
    show_change_link = True


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["name", "package", "external_id", "kind", "time_limit_minutes", "questions"]
    list_filter = ["kind", "package"]
    search_fields = ["name", "external_id", "package__name"]
    list_select_related = ["package"]
    inlines = [QuestionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assessment]:
        assessments: QuerySet[Assessment] = super().get_queryset(request)
        return assessments.annotate(
            questions_count=Count("questions", filter=Q(questions__retired=False))
        )

    @admin.display(description="Questions", ordering="questions_count")
    def questions(self, obj: Any) -> int:
        return int(obj.questions_count)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "assessment", "kind", "points", "retired"]
    list_filter = ["kind", "retired", "assessment__package"]
    list_select_related = ["assessment__package"]
    fields = [
        "assessment",
        ("kind", "points", "position", "retired"),
        "text",
        "accepted_answers",
        "code_language",
        "grading_notes",
    ]
    inlines = [ChoiceInline]
