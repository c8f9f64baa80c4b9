"""Reset: back to an empty SmartRecruiters with default switches and the wall clock."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction

from partner.sandbox.models import SR_SIDE_DATA, SandboxState
from partner.sandbox.ratelimit import limiter


@transaction.atomic
def reset_sandbox() -> None:
    """Forget all SR-side data, switches and the clock. Partners (and their keys) stay."""
    for model in SR_SIDE_DATA:
        model._default_manager.all().delete()
    if apps.is_installed("partner.sandbox.assessments"):
        # Imported here: the assessment side builds on this module, not the reverse.
        from partner.sandbox.assessments.services import reset_assessments

        reset_assessments()
    SandboxState.objects.update_or_create(
        pk=1, defaults={"switches": {}, "clock_offset_seconds": 0.0}
    )
    transaction.on_commit(limiter.clear)
