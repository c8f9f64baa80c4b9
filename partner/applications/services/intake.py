"""Taking an application in: storing it with its files, confirming it.

The application and its submission (an outbox item) are one row written in one
transaction; sending and the confirmation email are enqueued after commit, so nothing is
sent for a rolled-back application and a broker outage loses nothing (the sweeper sends
it later).

The same person (email, case-insensitively) applying again to the same job while the
first application is live gets nothing new: ``AlreadyApplied``, and the status link
mailed again (``status_link_resend``).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from jobboard import ratelimit
from jobboard.crypto import hash_token, new_token
from jobboard.outbox import enqueue_on_commit
from partner.applications import files as file_store
from partner.applications import selectors
from partner.applications.files import CheckedFile
from partner.applications.models import Application, ApplicationFile, CandidateMail
from partner.applications.selectors import ApplyListing
from partner.applications.services import mails

logger = logging.getLogger(__name__)

# The ApplyRequest key of each file role; attachments are a list, the others one object.
_FILE_KEYS = (
    (ApplicationFile.Role.RESUME, "resume"),
    (ApplicationFile.Role.AVATAR, "avatar"),
    (ApplicationFile.Role.ATTACHMENT, "attachments"),
)


# Status links mailed again per application and hour: enough for a forgetful candidate,
# too few to flood their inbox by typing their address into the form.
STATUS_LINK_RESENDS_PER_HOUR = 3


class AlreadyApplied(Exception):
    """The same person has a live application for this job: nothing new is stored."""

    def __init__(self, application_id: int) -> None:
        super().__init__(f"already applied: application #{application_id}")
        self.application_id = application_id


def repeat_key(*, posting_uuid: str, email: str) -> str:
    """The key that finds a person's application for a posting; "" when one is missing.

    An HMAC under SECRET_KEY rather than a plain hash: an email address is easy to guess,
    so a plain hash of it would be personal data in clear. (After a SECRET_KEY rotation
    older applications are no longer matched: a repeat then goes through as before.)
    Migration 0006 holds a copy of this function.
    """
    normalised = email.strip().lower()
    if not posting_uuid or not normalised:
        return ""
    return salted_hmac(
        "partner.applications.repeat_key", f"{posting_uuid}\n{normalised}", algorithm="sha256"
    ).hexdigest()


def source_details() -> dict[str, str]:
    """``sourceDetails`` for the ApplyRequest, or {} when it must not be sent.

    SR's spec requires ``sourceTypeId`` and ``sourceId`` in the object, so it goes out only
    when both are configured (production refuses to start with one alone; in development
    a half configuration is left out, with a warning, rather than costing a 400).
    """
    type_id = settings.APPLICATION_SOURCE_TYPE_ID
    source_id = settings.APPLICATION_SOURCE_ID
    if not (type_id and source_id):
        if type_id or source_id or settings.APPLICATION_SOURCE_SUBTYPE_ID:
            logger.warning(
                "sourceDetails not sent: set both APPLICATION_SOURCE_TYPE_ID and "
                "APPLICATION_SOURCE_ID"
            )
        return {}
    details = {
        "sourceTypeId": type_id,
        "sourceSubTypeId": settings.APPLICATION_SOURCE_SUBTYPE_ID,
        "sourceId": source_id,
    }
    return {key: value for key, value in details.items() if value}


@transaction.atomic
def application_create(
    *,
    listing: ApplyListing,
    language: str,
    candidate: dict[str, Any],
    answers: list[dict[str, Any]],
    files: dict[str, list[CheckedFile]],
    notify_status_changes: bool = False,
    now: datetime | None = None,
) -> tuple[Application, str]:
    """Store an application and its submission job together; returns it and its status token.

    The candidate gets the token once (confirmation page and email); only its hash is kept.
    Raises ``AlreadyApplied`` (storing nothing) when the same email has a live
    application for this posting.
    """
    now = now or timezone.now()
    token = new_token()
    key = repeat_key(posting_uuid=listing.posting_uuid, email=str(candidate.get("email", "")))
    earlier = selectors.live_application_id(repeat_key=key)
    if earlier is not None:
        raise AlreadyApplied(earlier)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                listing_id=listing.pk,
                posting_uuid=listing.posting_uuid,
                job_title=listing.title[:300],
                language=language,
                status_token_hash=hash_token(token),
                repeat_key=key,
                notify_status_changes=notify_status_changes,
                next_attempt_at=now,
                give_up_at=now + timedelta(hours=settings.APPLICATION_RETRY_WINDOW_HOURS),
                created_at=now,
            )
    except IntegrityError:
        # Two submits at once (a double click): the other one was stored first.
        earlier = selectors.live_application_id(repeat_key=key)
        if earlier is None:
            raise
        raise AlreadyApplied(earlier) from None
    payload: dict[str, Any] = dict(candidate)
    source = source_details()
    if source:
        payload["sourceDetails"] = source
    if answers:
        payload["answers"] = answers
    stored: list[str] = []
    try:
        for role, key in _FILE_KEYS:
            for checked in files.get(key, []):
                path = file_store.store_private(checked.content, folder=str(application.pk))
                stored.append(path)
                row = ApplicationFile.objects.create(
                    application=application,
                    role=role,
                    file_name=checked.name,
                    mime_type=checked.mime_type,
                    size=len(checked.content),
                    path=path,
                )
                entry = {"fileName": checked.name, "mimeType": checked.mime_type, "fileRef": row.pk}
                if role == ApplicationFile.Role.ATTACHMENT:
                    payload.setdefault("attachments", []).append(entry)
                else:
                    payload[key] = entry
        application.payload_json = json.dumps(payload)
        application.save(update_fields=["payload_json"])
    except BaseException:
        # The rows roll back with the transaction; the files on disk would not.
        for path in stored:
            file_store.delete_private(path)
        raise

    from partner.applications import tasks

    # The token travels in this one message (see the task's docstring). Should the broker
    # be down, the email is lost, but the candidate has the link on the confirmation page.
    # Asked for before the submission, so that a failure mail never comes first.
    enqueue_on_commit(tasks.send_confirmation, application.pk, token)
    enqueue_on_commit(tasks.submit_application, application.pk)
    logger.info("application %s received", application.pk)
    return application, token


def status_link_resend(*, application_id: int) -> bool:
    """Mail the candidate a working link to their status page again (a repeat
    application); False when enough were sent this hour."""
    if not ratelimit.allow(
        key=f"apply-status-link:{application_id}", limit=STATUS_LINK_RESENDS_PER_HOUR, window=3600
    ):
        return False
    with transaction.atomic():
        mails.mail_queue(application_id=application_id, kind=CandidateMail.Kind.STATUS_LINK)
    return True


def confirmation_send(*, application_id: int, token: str) -> bool:
    """Email the candidate the private status link; False when there is nobody to tell."""
    application = Application.objects.filter(pk=application_id, erased_at__isnull=True).first()
    if application is None:
        return False
    payload = application.payload
    if not payload.get("email"):
        return False
    # Sent by a worker: in the language the candidate applied in, words and link alike.
    with translation.override(application.language):
        context = {
            "first_name": payload.get("firstName", ""),
            "job_title": application.job_title,
            "status_url": mails.status_url(token),
            "site_name": settings.SITE_NAME,
        }
        subject = render_to_string("emails/application_received_subject.txt", context).strip()
        body = render_to_string("emails/application_received_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [payload["email"]])
    return True
