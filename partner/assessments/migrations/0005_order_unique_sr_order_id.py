"""One order per (integration, SR order id), and the invitation's claim.

Orders used to be idempotent by the exact resultCallbackURL string, so one SR order sent
with several spellings of its URL made several rows. Every row is kept: in each group of
rows with the same integration and order id (compared in lower case, as UUIDs are), the
oldest keeps the id; the others get ``<id>~duplicate-<pk>``, which keeps them (with their
results, timeline and pushes) visible to staff and out of the new constraint.
"""

import re

from django.db import migrations, models

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def dedupe_order_ids(apps, schema_editor):
    Order = apps.get_model("assessments", "Order")
    seen = set()
    rows = Order.objects.order_by("integration_id", "created_at", "pk").values_list(
        "pk", "integration_id", "sr_order_id"
    )
    for pk, integration_id, sr_order_id in rows.iterator():
        key = (integration_id, sr_order_id.lower())
        if key in seen:
            renamed = f"{sr_order_id[:60]}~duplicate-{pk}"
            Order.objects.filter(pk=pk).update(sr_order_id=renamed)
            continue
        seen.add(key)
        if _UUID.fullmatch(sr_order_id.lower()) and sr_order_id != sr_order_id.lower():
            # New orders are looked up by the lower-case id: the kept row must be found.
            Order.objects.filter(pk=pk).update(sr_order_id=sr_order_id.lower())


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0004_outbox_finished_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="invite_claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(dedupe_order_ids, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.UniqueConstraint(
                fields=("integration", "sr_order_id"), name="asm_order_unique_sr_order_id"
            ),
        ),
    ]
