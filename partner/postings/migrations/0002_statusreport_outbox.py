"""StatusReport becomes a jobboard.outbox.OutboxItem: a lease instead of a claim stamp.

A report being sent keeps its claim: its lease ends ``FEED_REPORT_CLAIM_TIMEOUT`` after
it was claimed, exactly when the old stale-claim reset would have freed it. Other rows
had no use for their stamp.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def leases_from_claims(apps, schema_editor):
    StatusReport = apps.get_model("postings", "StatusReport")
    lease = timedelta(seconds=int(getattr(settings, "FEED_REPORT_CLAIM_TIMEOUT", 600)))
    StatusReport.objects.filter(state="sending", claimed_at__isnull=False).update(
        claimed_until=F("claimed_at") + lease
    )


def claims_from_leases(apps, schema_editor):
    StatusReport = apps.get_model("postings", "StatusReport")
    lease = timedelta(seconds=int(getattr(settings, "FEED_REPORT_CLAIM_TIMEOUT", 600)))
    StatusReport.objects.filter(state="sending", claimed_until__isnull=False).update(
        claimed_at=F("claimed_until") - lease
    )


class Migration(migrations.Migration):

    dependencies = [
        ("postings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="statusreport",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(leases_from_claims, claims_from_leases),
        migrations.RemoveField(
            model_name="statusreport",
            name="claimed_at",
        ),
        migrations.AlterField(
            model_name="statusreport",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("superseded", "Superseded"),
                ],
                db_index=True,
                default="pending",
                max_length=12,
            ),
        ),
    ]
