"""Data migrations keep existing applications."""

from __future__ import annotations

import json
from datetime import timedelta

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


def test_live_applications_get_their_repeat_key_and_only_the_oldest_of_a_pair():
    from partner.applications.services.intake import repeat_key

    def payload(email: str) -> str:
        return json.dumps({"firstName": "Jane", "email": email})

    try:
        apps = _migrate([("applications", "0005_repeats_and_candidate_mails")])
        Application = apps.get_model("applications", "Application")
        now = timezone.now()
        rows = {
            "first": ("sent", "Jane@Example.test", now - timedelta(days=2)),
            "second": ("pending", "jane@example.test", now - timedelta(days=1)),
            "failed": ("failed", "jane@example.test", now - timedelta(days=3)),
            "other": ("sent", "joe@example.test", now),
        }
        for name, (state, email, created) in rows.items():
            Application.objects.create(
                posting_uuid="p-1",
                status_token_hash=name,
                give_up_at=now,
                state=state,
                created_at=created,
                payload_json=payload(email),
            )

        apps = _migrate([("applications", "0007_one_live_application")])
        Application = apps.get_model("applications", "Application")
        keys = dict(Application.objects.values_list("status_token_hash", "repeat_key"))

        assert keys == {
            "first": repeat_key(posting_uuid="p-1", email="jane@example.test"),
            "second": "",
            "failed": "",
            "other": repeat_key(posting_uuid="p-1", email="joe@example.test"),
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
