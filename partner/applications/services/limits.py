"""How often the apply form may be used: three limits, counted apart (jobboard.ratelimit).

- Accepted applications per client address (``APPLICATION_RATE_LIMIT`` per
  ``APPLICATION_RATE_WINDOW``): the candidates' budget. Only an application we store
  counts, so a candidate fixing a typo or clicking "add another" spends none of it.
- Every other apply POST per client address (``APPLICATION_ATTEMPT_LIMIT`` per the same
  window): invalid submissions, "add another"/"remove" clicks, the honeypot. Looser, and
  apart, so a long form filled in on a shared network does not lock out the next person,
  while a script hammering the form is still stopped.
- Accepted applications per email address and posting (``APPLICATION_EMAIL_LIMIT`` per
  ``APPLICATION_EMAIL_WINDOW``): a duplicate flood for one job, from any number of
  addresses, reaches SmartRecruiters at most this often.

The client address is ``jobboard.clientaddr.client_address`` (trusted proxies included).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from django.conf import settings

from jobboard import ratelimit


class Refusal(StrEnum):
    """Why an application that passed validation is not accepted now."""

    NETWORK = "network"  # this client address sent its share of applications
    EMAIL = "email"  # this email address applied to this job often enough already


def _client_key(kind: str, client: str) -> str:
    return f"apply:{kind}:{client}"


def _email_key(email: str, posting_uuid: str) -> str:
    # Hashed: cache keys show up in Redis tools; an address is personal data.
    digest = hashlib.sha256(f"{email.strip().lower()}|{posting_uuid}".encode()).hexdigest()
    return f"apply:email:{digest[:40]}"


def attempts_exhausted(*, client: str) -> bool:
    """The client used up its attempts (looked up, not counted)."""
    return ratelimit.exceeded(
        key=_client_key("attempts", client), limit=settings.APPLICATION_ATTEMPT_LIMIT
    )


def attempt_record(*, client: str) -> None:
    """Count an apply POST that stored nothing."""
    ratelimit.allow(
        key=_client_key("attempts", client),
        limit=settings.APPLICATION_ATTEMPT_LIMIT,
        window=settings.APPLICATION_RATE_WINDOW,
    )


def application_refusal(*, client: str, email: str, posting_uuid: str) -> Refusal | None:
    """Why a valid application may not be accepted now, or None (counts nothing)."""
    if ratelimit.exceeded(
        key=_client_key("accepted", client), limit=settings.APPLICATION_RATE_LIMIT
    ):
        return Refusal.NETWORK
    if ratelimit.exceeded(
        key=_email_key(email, posting_uuid), limit=settings.APPLICATION_EMAIL_LIMIT
    ):
        return Refusal.EMAIL
    return None


def application_record(*, client: str, email: str, posting_uuid: str) -> None:
    """Count an accepted application against both of its budgets."""
    ratelimit.allow(
        key=_client_key("accepted", client),
        limit=settings.APPLICATION_RATE_LIMIT,
        window=settings.APPLICATION_RATE_WINDOW,
    )
    ratelimit.allow(
        key=_email_key(email, posting_uuid),
        limit=settings.APPLICATION_EMAIL_LIMIT,
        window=settings.APPLICATION_EMAIL_WINDOW,
    )
