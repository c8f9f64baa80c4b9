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


@pytest.mark.django_db(transaction=True)
def test_duplicate_orders_are_kept_and_told_apart_before_the_unique_constraint(back_to_latest):
    """Migration 0005: one SR order sent with three URL spellings made three rows; all stay."""
    old = _migrate([("assessments", "0004_outbox_finished_at")])
    client = old.get_model("assessments", "ClientAccount").objects.create(name="Acme Corp")
    integration = old.get_model("assessments", "Integration").objects.create(
        company_id="5f1c0c2e9b1d4a0012345678", client=client
    )
    package = old.get_model("assessments", "Package").objects.create(
        external_id="pkg-fullstack", name="Full-stack", description="JS", type="SKILL_TEST"
    )
    order_model = old.get_model("assessments", "Order")
    uuid = "8c0e7f5a-4b7e-4c61-9a55-1d2f3e4a5b6c"
    spellings = [
        (uuid.upper(), f"https://api.example/assessment-api/v202010/orders/{uuid.upper()}/results"),
        (uuid, f"https://api.example/assessment-api/v202010/orders/{uuid}/results"),
        (uuid, f"https://api.example/x/../assessment-api/v202010/orders/{uuid}/results"),
        ("2b7d1c9e-0f3a-4e8b-a1c2-3d4e5f6a7b8c", "https://api.example/orders/other/results"),
    ]
    rows = []
    for n, (order_id, url) in enumerate(spellings):
        fields = {"result_callback_url": url, "sr_order_id": order_id, "access_key_hash": f"h{n}"}
        rows.append(
            order_model.objects.create(
                integration=integration, package=package, candidate_email="a@example.org", **fields
            )
        )
    old.get_model("assessments", "OrderEvent").objects.create(order=rows[2], kind="created")

    new = _migrate([("assessments", "0005_order_unique_sr_order_id")])
    migrated = new.get_model("assessments", "Order").objects.order_by("pk")
    assert list(migrated.values_list("sr_order_id", flat=True)) == [
        uuid,
        f"{uuid}~duplicate-{rows[1].pk}",
        f"{uuid}~duplicate-{rows[2].pk}",
        "2b7d1c9e-0f3a-4e8b-a1c2-3d4e5f6a7b8c",
    ]
    assert list(migrated.values_list("result_callback_url", flat=True)) == [u for _, u in spellings]
    assert new.get_model("assessments", "OrderEvent").objects.get().order_id == rows[2].pk
