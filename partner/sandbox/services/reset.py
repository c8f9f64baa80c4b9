"""Reset: back to an empty SmartRecruiters with default switches and the wall clock."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction

from partner.sandbox.models import SandboxPartner, SandboxState
from partner.sandbox.ratelimit import limiter


def forget_tables(app_label: str, *, keep: tuple[type, ...] = ()) -> None:
    """Delete the rows of every table of the app but ``keep``. Children first (each model is
    defined after the tables it points to), so that each delete is one statement."""
    for model in reversed(list(apps.get_app_config(app_label).get_models())):
        if model not in keep:
            model._default_manager.all().delete()


@transaction.atomic
def reset_sandbox() -> None:
    """Forget all SR-side data, switches and the clock. Partners (and their keys) stay."""
    forget_tables("sandbox", keep=(SandboxPartner, SandboxState))
    if apps.is_installed("partner.sandbox.assessments"):
        # Imported here: the assessment side builds on this module, not the reverse.
        from partner.sandbox.assessments.services import reset_assessments

        reset_assessments()
    SandboxState.objects.update_or_create(
        pk=1, defaults={"switches": {}, "clock_offset_seconds": 0.0}
    )
    transaction.on_commit(limiter.clear)
