"""Packages, their assessments and the auto tests' questions."""

from __future__ import annotations

from django.contrib import admin

from partner.assessments.models import Assessment, Choice, Package, Question


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
