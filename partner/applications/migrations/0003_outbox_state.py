"""Applications become items of the shared outbox: "received" is stored as its "pending".

Existing rows keep their meaning: every received application is pending afterwards (and
back again on reverse). Candidates and admins still read "Received".
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def received_to_pending(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Application = apps.get_model("applications", "Application")
    Application.objects.filter(state="received").update(state="pending")


def pending_to_received(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Application = apps.get_model("applications", "Application")
    Application.objects.filter(state="pending").update(state="received")


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_rejected_question_ids")]

    # "pending" fits the old column too, so the rows can move first.
    operations = [
        migrations.RunPython(received_to_pending, pending_to_received),
        migrations.AlterField(
            model_name="application",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "Received"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                ],
                db_index=True,
                default="pending",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="submissionattempt",
            name="outcome",
            field=models.CharField(
                choices=[("sent", "Sent"), ("retry", "To retry"), ("failed", "Failed")],
                max_length=20,
            ),
        ),
    ]
