"""Data migrations keep existing applications."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("applications", "0002_rejected_question_ids")]
AFTER = [("applications", "0003_outbox_state")]


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _states(apps) -> dict[str, str]:
    Application = apps.get_model("applications", "Application")
    return dict(Application.objects.values_list("status_token_hash", "state"))


def test_received_applications_become_the_outboxs_pending_and_back():
    try:
        apps = _migrate(BEFORE)
        Application = apps.get_model("applications", "Application")
        for state in ("received", "sending", "sent", "failed"):
            Application.objects.create(
                posting_uuid="p", status_token_hash=state, give_up_at=timezone.now(), state=state
            )

        after = _states(_migrate(AFTER))
        assert after == {
            "received": "pending",
            "sending": "sending",
            "sent": "sent",
            "failed": "failed",
        }

        assert _states(_migrate(BEFORE)) == {
            s: s for s in ("received", "sending", "sent", "failed")
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
