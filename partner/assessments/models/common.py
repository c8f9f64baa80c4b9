"""What the assessment models share: private file storage, SR's assessment types and
result statuses, the named base."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone


class PrivateStorage(FileSystemStorage):
    """Reports live under PRIVATE_MEDIA_ROOT (never under MEDIA_URL) and are served by a
    staff-only view. The location is read from settings on every use so that tests (and
    operators) can move it without reloading models."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _private_storage


class AssessmentType(models.TextChoices):
    VIDEO_INTERVIEW = "VIDEO_INTERVIEW", "Video interview"
    BEHAVIORAL_ASSESSMENT = "BEHAVIORAL_ASSESSMENT", "Behavioral assessment"
    BACKGROUND_CHECK = "BACKGROUND_CHECK", "Background check"
    REFERENCE_CHECK = "REFERENCE_CHECK", "Reference check"
    SKILL_TEST = "SKILL_TEST", "Skill test"
    INLINE_ASSESSMENT = "INLINE_ASSESSMENT", "Inline assessment"


class ResultStatus(models.TextChoices):
    """SR's result status values (contract §5), and NEW before them.

    NEW is ours: an order not yet invited, an assessment not yet started. SR has no status
    for those, so ``results`` never sends it.
    """

    NEW = "NEW", "New"
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"


TERMINAL_STATUSES = frozenset({ResultStatus.COMPLETED, ResultStatus.EXPIRED, ResultStatus.REJECTED})


class Named(models.Model):
    """A record staff pick by its name: listed by it and shown as it."""

    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
