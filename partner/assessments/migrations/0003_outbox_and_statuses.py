"""Result pushes join the shared outbox; statuses and timeline kinds become choices.

- ``ResultPush`` gains the outbox's ``claimed_until`` lease and its SENDING state. Rows
  keep their state: a push that an old worker held through ``next_attempt_at`` is simply
  pending and due once that time has passed.
- ``Order.status`` and ``AssessmentResult.status`` were empty before the invitation (or
  the start): that is now the NEW choice, and existing empty rows are moved to it.
"""

from typing import Any

from django.db import migrations, models

NEW = "NEW"
STATUS_CHOICES = [
    ("NEW", "New"),
    ("PENDING", "Pending"),
    ("IN_PROGRESS", "In Progress"),
    ("COMPLETED", "Completed"),
    ("EXPIRED", "Expired"),
    ("REJECTED", "Rejected"),
]
STATUS_MODELS = ["Order", "AssessmentResult"]
PUSH_STATES = [
    ("pending", "Pending"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("failed", "Failed (permanent)"),
    ("dropped", "Dropped (disconnected)"),
]
EVENT_KINDS = [
    (kind, kind.replace("_", " ").title())
    for kind in (
        "created",
        "invited",
        "invitation_resent",
        "started",
        "submitted",
        "reviewed",
        "completed",
        "rejected",
        "expired",
        "report",
        "push_again",
        "push_sent",
        "push_failed",
        "push_dropped",
    )
]


def empty_to_new(apps: Any, schema_editor: Any) -> None:
    for name in STATUS_MODELS:
        apps.get_model("assessments", name).objects.filter(status="").update(status=NEW)


def new_to_empty(apps: Any, schema_editor: Any) -> None:
    for name in STATUS_MODELS:
        apps.get_model("assessments", name).objects.filter(status=NEW).update(status="")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_assessment_staff_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="resultpush",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="resultpush",
            name="state",
            field=models.CharField(choices=PUSH_STATES, default="pending", max_length=12),
        ),
        migrations.AlterField(
            model_name="order",
            name="status",
            field=models.CharField(choices=STATUS_CHOICES, default=NEW, max_length=20),
        ),
        migrations.AlterField(
            model_name="assessmentresult",
            name="status",
            field=models.CharField(choices=STATUS_CHOICES, default=NEW, max_length=20),
        ),
        migrations.RunPython(empty_to_new, new_to_empty),
        migrations.AlterField(
            model_name="orderevent",
            name="kind",
            field=models.CharField(choices=EVENT_KINDS, max_length=40),
        ),
    ]
