"""Migration 0003 keeps existing rows: empty statuses become NEW, queued pushes stay queued."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("assessments", "0002_assessment_staff_group")]
AFTER = [("assessments", "0003_outbox_and_statuses")]


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest() -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_uninvited_orders_and_unstarted_assessments_become_new(back_to_latest):
    old = _migrate(BEFORE)
    client = old.get_model("assessments", "ClientAccount").objects.create(name="Acme Corp")
    integration = old.get_model("assessments", "Integration").objects.create(
        company_id="5f1c0c2e9b1d4a0012345678", client=client
    )
    package = old.get_model("assessments", "Package").objects.create(
        external_id="pkg-fullstack", name="Full-stack", description="JS", type="SKILL_TEST"
    )
    assessment = old.get_model("assessments", "Assessment").objects.create(
        package=package, external_id="js", name="JavaScript", description="JS", type="SKILL_TEST"
    )
    order_model = old.get_model("assessments", "Order")
    orders = [
        order_model.objects.create(
            integration=integration,
            package=package,
            result_callback_url=f"https://api.example/orders/{n}/results",
            sr_order_id=str(n),
            candidate_email="ana@example.org",
            access_key_hash=f"hash-{n}",
            status=status,
        )
        for n, status in enumerate(["", "PENDING", "COMPLETED"])
    ]
    old.get_model("assessments", "AssessmentResult").objects.create(
        order=orders[1], assessment=assessment
    )
    old.get_model("assessments", "ResultPush").objects.create(
        order=orders[1], payload={"status": "PENDING"}, next_attempt_at=timezone.now()
    )

    new = _migrate(AFTER)
    statuses = new.get_model("assessments", "Order").objects.order_by("sr_order_id")
    assert list(statuses.values_list("status", flat=True)) == ["NEW", "PENDING", "COMPLETED"]
    result = new.get_model("assessments", "AssessmentResult").objects.get()
    assert result.status == "NEW"
    push = new.get_model("assessments", "ResultPush").objects.get()
    assert (push.state, push.claimed_until, push.attempts) == ("pending", None, 0)
