"""Reads for applications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, cast

from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from jobboard import outbox
from jobboard.board import selectors as board_selectors
from jobboard.crypto import hash_token
from partner.applications.models import Application, CandidateMail, ConfigurationCache
from partner.postings import selectors as postings_selectors
from partner.smartrecruiters.applications import ApplyErrorCode

# Recorded on an application that was not sent because submissions are paused (it made
# no request, so it does not itself prolong the pause).
PAUSED_CODE = "PAUSED_TRAFFIC_LOCKED"

# SmartRecruiters' status values in the candidate's words (application-api.md §5).
# Marked here, translated when shown: gettext() at the call, in the reader's language.
STATUS_WORDS: dict[str, str] = {
    "NEW": gettext_noop("Your application has arrived and has not been reviewed yet."),
    "IN_REVIEW": gettext_noop("Your application is being reviewed."),
    "INTERVIEW": gettext_noop("You are in the interview stage."),
    "OFFER": gettext_noop("An offer has been made."),
    "HIRE": gettext_noop("You have been hired. Congratulations!"),
    "REJECTED": gettext_noop("The company has decided not to go ahead with your application."),
    "WITHDRAWN": gettext_noop("The application has been withdrawn."),
    "TRANSFERRED": gettext_noop("Your application has been moved to another job."),
    "LEAD": gettext_noop("The company has you on file as a potential candidate."),
    "OTHER": gettext_noop("The company has updated your application."),
}

STATE_WORDS: dict[str, str] = {
    Application.State.RECEIVED: gettext_noop(
        "We have received your application and will send it to the employer shortly."
    ),
    Application.State.SENDING: gettext_noop(
        "We are sending your application to the employer right now."
    ),
    Application.State.SENT: gettext_noop("Your application has been delivered to the employer."),
    Application.State.FAILED: gettext_noop("We could not deliver your application."),
}


# The delivery states as the candidate's status page names them.
STATE_LABELS: dict[str, str] = {
    Application.State.RECEIVED: gettext_noop("Received"),
    Application.State.SENDING: gettext_noop("Sending"),
    Application.State.SENT: gettext_noop("Sent"),
    Application.State.FAILED: gettext_noop("Failed"),
}


def state_label(state: str) -> str:
    return gettext(STATE_LABELS[state]) if state in STATE_LABELS else state


def state_words(state: str) -> str:
    return gettext(STATE_WORDS[state]) if state in STATE_WORDS else state


class ApplyListing(Protocol):
    """What applying needs of a board listing (templates also show its company)."""

    pk: int
    slug: str
    title: str
    apply_url: str
    updated_at: datetime

    @property
    def is_visible(self) -> bool: ...

    @property
    def posting_uuid(self) -> str:
        """SmartRecruiters' posting UUID, from the feed posting; "" when there is none."""


def status_words(status: str) -> str:
    """Plain words for a status; an unknown value is shown as it is (contract §7)."""
    return gettext(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def application_by_token(*, token: str) -> Application | None:
    """The application of a status link: the first one, or one mailed later."""
    if not token or len(token) > 100:
        return None
    # Lookup by hash: the token itself is never stored, and an unguessable 256-bit token
    # makes timing on the index lookup useless to an attacker.
    hashed = hash_token(token)
    # Two unique-index lookups; one OR across the join could not use either index.
    return (
        Application.objects.filter(status_token_hash=hashed).first()
        or Application.objects.filter(status_links__token_hash=hashed).first()
    )


LIVE_STATES = (Application.State.RECEIVED, Application.State.SENDING, Application.State.SENT)


def live_application_id(*, repeat_key: str) -> int | None:
    """The live (not failed, not erased) application with this repeat key, if any."""
    if not repeat_key:
        return None
    return (
        Application.objects.filter(
            repeat_key=repeat_key, state__in=LIVE_STATES, erased_at__isnull=True
        )
        .values_list("pk", flat=True)
        .first()
    )


def apply_listing(*, pk: int) -> ApplyListing | None:
    """A listing in any state, with its SmartRecruiters posting UUID, in one query."""
    listing = board_selectors.listing_with(
        pk=pk, annotations={"posting_uuid": postings_selectors.listing_posting_uuid()}
    )
    # The annotation gives the listing its ``posting_uuid``.
    return cast("ApplyListing | None", listing)


def rejected_questions(*, application: Application) -> list[str]:
    """Labels of the questions SmartRecruiters' 400 named, from the cached form."""
    if not application.rejected_question_ids:
        return []
    cached = ConfigurationCache.objects.filter(
        posting_uuid=application.posting_uuid, language=application.language
    ).first()
    labels = {q["id"]: q["label"] for q in (cached.data["questions"] if cached else [])}
    return [labels.get(qid) or qid for qid in application.rejected_question_ids]


def submittable() -> models.QuerySet[Application]:
    """Applications the outbox may send: erased ones never are."""
    return Application.objects.filter(erased_at__isnull=True)


def due_mail_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Candidate mails due now, or left in ``sending`` by a worker that died."""
    due = outbox.due(CandidateMail.objects.all(), now=now or timezone.now())
    return list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])


def due_application_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Due now, or left in ``sending`` by a worker that died."""
    due = outbox.due(submittable(), now=now or timezone.now())
    return list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])


@dataclass(frozen=True)
class TrafficLock:
    """SmartRecruiters answered TRAFFIC_LOCKED: submissions wait until ``until``."""

    until: datetime
    waiting: int


def submissions_paused_until(
    *, now: datetime | None = None, exclude_pk: int | None = None
) -> datetime | None:
    """When submissions may go out again after a TRAFFIC_LOCKED answer; None: not paused.

    The pause lives in the outbox rows themselves, so every process sees it: an
    application that got TRAFFIC_LOCKED waits, postponed, until the pause ends and is
    then the one that tries again. ``exclude_pk`` leaves out the caller's own row.
    (Served by the ``application_due`` index: pending rows due in the future are few.)
    """
    locked = Application.objects.filter(
        state=Application.State.RECEIVED,
        next_attempt_at__gt=now or timezone.now(),
        last_error_code=ApplyErrorCode.TRAFFIC_LOCKED,
        erased_at__isnull=True,
    )
    if exclude_pk is not None:
        locked = locked.exclude(pk=exclude_pk)
    until: datetime | None = locked.aggregate(until=Max("next_attempt_at"))["until"]
    return until


def traffic_lock(*, now: datetime | None = None) -> TrafficLock | None:
    """The pause for operators (alert, admin): until when, and how many applications wait."""
    now = now or timezone.now()
    # While the application that tries again is in flight the pause has ended, but the
    # lock is not known to be lifted: it still counts until SmartRecruiters answers.
    evidence = Application.objects.filter(
        state__in=(Application.State.RECEIVED, Application.State.SENDING),
        last_error_code=ApplyErrorCode.TRAFFIC_LOCKED,
        erased_at__isnull=True,
    )
    until = evidence.aggregate(until=Max("next_attempt_at"))["until"]
    if until is None:
        return None
    waiting = (
        submittable()
        .filter(state__in=(Application.State.RECEIVED, Application.State.SENDING))
        .count()
    )
    return TrafficLock(until=max(until, now), waiting=waiting)
