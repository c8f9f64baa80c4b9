"""Give live applications their repeat key, so a repeat of an earlier one is found too.

The key is ``intake.repeat_key`` (copied here: a migration must not change with the
code; a test checks that both agree). Where the same person already has several live
applications for one job, only the oldest gets the key: the unique constraint added
next allows one, and it is the one a repeat is answered with.
"""

import json

from django.conf import settings
from django.db import migrations
from django.utils.crypto import salted_hmac

LIVE_STATES = ("pending", "sending", "sent")


def _repeat_key(posting_uuid, email):
    normalised = (email or "").strip().lower()
    if not posting_uuid or not normalised:
        return ""
    return salted_hmac(
        "partner.applications.repeat_key",
        f"{posting_uuid}\n{normalised}",
        secret=settings.SECRET_KEY,
        algorithm="sha256",
    ).hexdigest()


def backfill(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    seen = set()
    live = Application.objects.filter(
        state__in=LIVE_STATES, erased_at__isnull=True, repeat_key=""
    ).order_by("created_at", "id")
    for application in live.iterator():
        payload = json.loads(application.payload_json) if application.payload_json else {}
        email = payload.get("email") if isinstance(payload, dict) else ""
        key = _repeat_key(application.posting_uuid, email if isinstance(email, str) else "")
        if not key or key in seen:
            continue
        seen.add(key)
        Application.objects.filter(pk=application.pk).update(repeat_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0005_repeats_and_candidate_mails"),
    ]

    operations = [
        # Backwards: the column goes with 0005; nothing to undo here.
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
