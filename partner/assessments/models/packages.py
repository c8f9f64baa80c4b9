"""Packages of tests: assessments, their questions and choices."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from partner.assessments.models.accounts import ClientAccount
from partner.assessments.models.common import AssessmentType, Named


class CandidateTask(models.TextChoices):
    """What a package asks of the candidate (declared per package, never guessed)."""

    TEST = "test", "Take a test"
    UPLOAD = "upload", "Upload files"
    NONE = "none", "Nothing: reviewed by our staff only"


class Package(Named):
    """What recruiters pick in SR: one or more assessments sold together."""

    class Remote(models.TextChoices):
        ANY = "any", "Remote and on-site jobs"
        REMOTE_ONLY = "remote", "Remote jobs only"
        ONSITE_ONLY = "onsite", "On-site jobs only"

    external_id = models.SlugField(
        "package id", max_length=100, unique=True, help_text="AssessmentPackage.id sent to SR"
    )
    description = models.TextField()
    type = models.CharField(max_length=30, choices=AssessmentType.choices)
    is_active = models.BooleanField(default=True)
    offered_to_all = models.BooleanField(
        default=True, help_text="Offer to every client account; otherwise only to those chosen."
    )
    clients = models.ManyToManyField(ClientAccount, blank=True, related_name="packages")
    country_codes = models.CharField(
        max_length=200,
        blank=True,
        help_text="Comma-separated ISO country codes where it is offered; empty = everywhere.",
    )
    remote = models.CharField(max_length=10, choices=Remote.choices, default=Remote.ANY)
    field_rules = models.JSONField(
        default=dict,
        blank=True,
        help_text='Allowed values per partner field id, e.g. {"cost-center": ["CC-42"]}; '
        "a field not listed accepts any value.",
    )
    candidate_task = models.CharField(
        "what the candidate does",
        max_length=10,
        choices=CandidateTask.choices,
        default=CandidateTask.TEST,
        help_text="Decides the invitation email and the candidate's pages. Review only: no "
        "email, the order goes straight to the review queue.",
    )

    @property
    def invites_candidate(self) -> bool:
        return self.candidate_task != CandidateTask.NONE


class Assessment(models.Model):
    """One test in a package: auto-scored by our test runner, or reviewed by staff."""

    class Kind(models.TextChoices):
        # The stored values predate manual question types: "auto" means the candidate
        # answers questions (scored by the runner, or graded by staff per question).
        AUTO = "auto", "Questions the candidate answers"
        MANUAL = "manual", "Staff review only (the candidate does nothing)"

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="assessments")
    external_id = models.SlugField(
        "assessment id", max_length=100, help_text="Assessment.id; reused in results"
    )
    name = models.CharField(max_length=200)
    description = models.TextField()
    type = models.CharField(max_length=30, choices=AssessmentType.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.AUTO)
    time_limit_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    shuffle_questions = models.BooleanField(
        default=True, help_text="Each candidate sees the questions in their own order."
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["package", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "external_id"], name="asm_assessment_unique_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.package.name}: {self.name}"


class Question(models.Model):
    class Kind(models.TextChoices):
        CHOICE = "choice", "Multiple choice"
        SHORT = "short", "Short answer"
        ESSAY = "essay", "Essay (graded by staff)"
        FILE = "file", "File upload (graded by staff)"
        CODE = "code", "Code (graded by staff)"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHOICE)
    text = models.TextField()
    points = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    accepted_answers = models.TextField(
        blank=True,
        help_text="Short answer: one accepted answer per line (case and spaces ignored).",
    )
    code_language = models.CharField(
        max_length=40, blank=True, help_text="Code: the language asked for, shown to the candidate."
    )
    grading_notes = models.TextField(
        blank=True, help_text="Staff only: what a good answer contains (shown while grading)."
    )
    # An import replaces a test's questions; the ones candidates already answered stay
    # (their answers point to them) but are no longer asked.
    retired = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_manual(self) -> bool:
        """Graded by staff, not by the runner."""
        return self.kind in MANUAL_QUESTION_KINDS


MANUAL_QUESTION_KINDS = frozenset({Question.Kind.ESSAY, Question.Kind.FILE, Question.Kind.CODE})


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text
