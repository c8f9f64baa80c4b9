"""Writes to the board. Sources of jobs call these; they never touch the models."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from jobboard import ratelimit
from jobboard.board import counts, search_index, selectors
from jobboard.board.html import sanitize_html
from jobboard.board.models import Company, JobAlert, Listing
from jobboard.board.search import JobSearch
from jobboard.safeurl import http_link

logger = logging.getLogger(__name__)

HTML_SECTIONS = (
    "company_description",
    "job_description",
    "qualifications",
    "additional_information",
)


# The salary periods ListingData may name; a source maps its own values onto these.
SALARY_PERIODS: frozenset[str] = frozenset(Listing.CompensationPeriod.values)


class ListingRejected(ValueError):
    """The data cannot make a listing; the message says why, for the source to report."""


@dataclass(frozen=True, kw_only=True)
class ListingData:
    """Everything a source knows about a job, in the board's own words."""

    title: str
    company_name: str
    company_key: str
    posted_at: datetime
    job_key: str = ""
    reference: str = ""
    valid_through: datetime | None = None
    city: str = ""
    region: str = ""
    region_code: str = ""
    country: str = ""
    country_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    remote: bool = False
    function: str = ""
    function_code: str = ""
    industry: str = ""
    industry_code: str = ""
    experience_level: str = ""
    experience_level_code: str = ""
    employment_type: str = ""
    employment_type_code: str = ""
    salary_min: Decimal | None = None
    salary_max: Decimal | None = None
    salary_currency: str = ""
    salary_period: str = ""
    # Raw, untrusted HTML: sanitised here, never by the caller.
    company_description: str = ""
    job_description: str = ""
    qualifications: str = ""
    additional_information: str = ""
    video_url: str = ""
    apply_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _validate(data: ListingData) -> None:
    if not data.title.strip():
        raise ListingRejected("The job has no title")
    if not data.company_name.strip():
        raise ListingRejected("The job has no hiring company name")
    if data.salary_period and data.salary_period not in SALARY_PERIODS:
        raise ListingRejected(f"Unknown compensation period {data.salary_period!r}")
    if (
        data.salary_min is not None
        and data.salary_max is not None
        and data.salary_min > data.salary_max
    ):
        raise ListingRejected("The minimum salary is above the maximum")
    if len(data.country_code) not in (0, 2):
        raise ListingRejected(f"Country code {data.country_code!r} is not ISO 3166-1 alpha-2")


# How many hours, months... make a year, to compare salaries quoted per hour, month or year.
PERIODS_PER_YEAR = {"YEAR": 1, "MONTH": 12, "HOUR": 2080}


def annual_salary(data: ListingData) -> Decimal | None:
    """The top of the salary range per year (the bottom when there is no top)."""
    amount = data.salary_max if data.salary_max is not None else data.salary_min
    if amount is None:
        return None
    return Decimal(amount) * PERIODS_PER_YEAR.get(data.salary_period or "YEAR", 1)


def refresh_search_vectors(*, listing_ids: list[int] | None = None) -> None:
    """Recompute the keyword index of some listings (all when ``None``): PostgreSQL's
    search vectors or SQLite's FTS5 rows, and the vocabulary for spelling suggestions."""
    search_index.refresh(listing_ids=listing_ids)


def live_url(listing: Listing) -> str:
    """The listing's public address, as a source reports it back (e.g. ``liveUrl``)."""
    return f"{settings.SITE_URL}{listing.get_absolute_url()}"


def company_slug(data: ListingData) -> str:
    """The company's slug in /companies/<slug>/: from its name, never empty.

    A name of letters slugify drops (株式会社, "&") falls back to the company's key.
    """
    key = data.company_key or data.company_name
    fallback = slugify(key) or hashlib.sha256(key.encode()).hexdigest()[:12]
    return (slugify(data.company_name) or f"company-{fallback}")[:200]


def _listing_values(data: ListingData) -> dict[str, object]:
    """The listing's columns from a source's data: HTML sanitised, links checked."""
    values: dict[str, object] = {
        f.name: getattr(data, f.name)
        for f in fields(ListingData)
        if f.name not in {"company_name", "company_key", "extra"}
    }
    for section in HTML_SECTIONS:
        values[section] = sanitize_html(getattr(data, section))
    for link in ("video_url", "apply_url"):
        # Links from a source become hrefs on our pages: http(s) only.
        values[link] = http_link(getattr(data, link))
    values["title"] = data.title.strip()[:300]
    values["slug"] = slugify(data.title)[:120] or "job"
    values["country_code"] = data.country_code.lower()
    values["salary_annual"] = annual_salary(data)
    return values


def _company_key(data: ListingData) -> str:
    return data.company_key or slugify(data.company_name)


def _companies(*, source: str, jobs: Sequence[ListingData]) -> dict[str, Company]:
    """The companies of some jobs by key, created or renamed as the jobs say: two
    queries for any number of jobs when nothing changed."""
    wanted = {
        _company_key(d): {"name": d.company_name.strip(), "slug": company_slug(d)} for d in jobs
    }
    found = {
        c.external_id: c for c in Company.objects.filter(source=source, external_id__in=wanted)
    }
    missing = [
        Company(source=source, external_id=key, **values)
        for key, values in wanted.items()
        if key not in found
    ]
    if missing:
        # Another writer may create one meanwhile: skip it, then read what exists.
        Company.objects.bulk_create(missing, ignore_conflicts=True)
        keys = [c.external_id for c in missing]
        found.update(
            (c.external_id, c) for c in Company.objects.filter(source=source, external_id__in=keys)
        )
    for key, values in wanted.items():
        company = found[key]
        if (company.name, company.slug) != (values["name"], values["slug"]):
            Company.objects.filter(pk=company.pk).update(**values)
            company.name, company.slug = values["name"], values["slug"]
    return found


@transaction.atomic
def publish_listing(*, source: str, external_id: str, data: ListingData) -> tuple[Listing, str]:
    """Create or update the listing for ``(source, external_id)`` and make it live.

    Idempotent: publishing the same data twice changes nothing visible. Returns the
    listing and its public URL. Raises ``ListingRejected`` for unusable data, before
    anything is written.
    """
    (outcome,) = publish_listings(source=source, jobs=[(external_id, data)])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


# A published job, or what kept it off the board: ``ListingRejected`` (its data is not a
# job), a ``DatabaseError`` or a number its data broke (``ArithmeticError``, ``ValueError``).
PublishOutcome = tuple[Listing, str] | Exception
_DATA_ERRORS = (DatabaseError, ArithmeticError, ValueError)


@transaction.atomic
def publish_listings(
    *, source: str, jobs: Sequence[tuple[str, ListingData]]
) -> list[PublishOutcome]:
    """``publish_listing`` for many jobs at once: a fixed number of queries per call.

    Returns, in order, ``(listing, url)`` or the error that kept a job off the board:
    ``ListingRejected`` (nothing written for it) or a database or number error its data
    caused (see ``PublishOutcome``).
    A feed pass publishes hundreds of jobs a minute; one by one, each cost eight queries.
    """
    outcomes: list[PublishOutcome | None] = [None] * len(jobs)
    ready: list[tuple[int, str, ListingData]] = []
    for index, (external_id, data) in enumerate(jobs):
        try:
            _validate(data)
        except ListingRejected as exc:
            outcomes[index] = exc
        else:
            ready.append((index, external_id, data))
    if len(ready) == 1:
        # One job: its error is its own, raised as publish_listing always did.
        index, external_id, data = ready[0]
        outcomes[index] = _publish_batch(source=source, jobs=[(external_id, data)])[0]
        return [o for o in outcomes if o is not None]
    if not ready:
        return [o for o in outcomes if o is not None]
    try:
        with transaction.atomic():
            published = _publish_batch(source=source, jobs=[(e, d) for _, e, d in ready])
    except _DATA_ERRORS:
        # One job's data broke the batch (a value too long, a number too big): publish
        # them one by one, each in its own savepoint, so the others still go live.
        logger.warning("a batch of %d listings failed; publishing one by one", len(ready))
        published = []
        for _, external_id, data in ready:
            try:
                with transaction.atomic():
                    published += _publish_batch(source=source, jobs=[(external_id, data)])
            except _DATA_ERRORS as exc:
                published.append(exc)
    for (index, _, _), outcome in zip(ready, published, strict=True):
        outcomes[index] = outcome
    return [o for o in outcomes if o is not None]


def _publish_batch(*, source: str, jobs: Sequence[tuple[str, ListingData]]) -> list[PublishOutcome]:
    """Write valid jobs: companies, listings, kept counts and search index, in bulk."""
    companies = _companies(source=source, jobs=[d for _, d in jobs])
    ids = [external_id for external_id, _ in jobs]
    existing = {
        listing.external_id: listing
        for listing in Listing.objects.select_for_update()
        .select_related("company")
        .filter(source=source, external_id__in=ids)
    }
    now = timezone.now()
    new: list[Listing] = []
    changed: list[Listing] = []
    moves: list[tuple[dict[str, object] | None, dict[str, object] | None]] = []
    listings: list[Listing] = []
    for external_id, data in jobs:
        values = _listing_values(data)
        values["company"] = companies[_company_key(data)]
        listing = existing.get(external_id)
        if listing is None:
            listing = Listing(
                source=source, external_id=external_id, state_changed_at=now, **values
            )
            listing.state = Listing.State.LIVE
            new.append(listing)
            before = None
        else:
            before = counts.snapshot(listing)
            for name, value in values.items():
                setattr(listing, name, value)
            if listing.state != Listing.State.LIVE:
                listing.state = Listing.State.LIVE
                listing.state_changed_at = now
            # bulk_update does not touch auto_now fields: the facet cache's change
            # marker must move all the same.
            listing.updated_at = now
            changed.append(listing)
        moves.append((before, counts.snapshot(listing)))
        listings.append(listing)
    if new:
        Listing.objects.bulk_create(new)
    if changed:
        Listing.objects.bulk_update(changed, _UPDATED_FIELDS)
    counts.apply_many(moves)
    search_index.index_listings(listings)
    for listing in new:
        logger.info("listing %s published (%s:%s)", listing.pk, source, listing.external_id)
    for listing in changed:
        logger.info("listing %s updated (%s:%s)", listing.pk, source, listing.external_id)
    return [(listing, live_url(listing)) for listing in listings]


# What publishing an existing listing writes: every column a source sets, and the state.
_SOURCE_FIELDS = [f.name for f in fields(ListingData)]
_UPDATED_FIELDS = list(
    dict.fromkeys(
        [
            *(
                name
                for name in _SOURCE_FIELDS
                if name not in {"company_name", "company_key", "extra"}
            ),
            *("slug", "salary_annual", "company", "state", "state_changed_at", "updated_at"),
        ]
    )
)


@transaction.atomic
def withdraw_listing(
    *, source: str, external_id: str, state: str = Listing.State.WITHDRAWN
) -> Listing | None:
    """Take a listing down; its page then answers 410 Gone. Idempotent.

    Returns the listing, or None when the source never published one under this key
    (which is fine: a posting may be withdrawn before we ever saw it live).
    """
    if state not in (Listing.State.WITHDRAWN, Listing.State.EXPIRED):
        raise ValueError(f"not a withdrawn state: {state!r}")
    listing = (
        Listing.objects.select_for_update().filter(source=source, external_id=external_id).first()
    )
    if listing is None:
        return None
    if listing.state == Listing.State.LIVE:
        before = counts.snapshot(listing)
        listing.state = state
        listing.state_changed_at = timezone.now()
        listing.save(update_fields=["state", "state_changed_at", "updated_at"])
        counts.apply(before=before, after=None)
        logger.info("listing %s %s", listing.pk, state)
    return listing


def expire_listings(*, now: datetime | None = None) -> list[Listing]:
    """Close every live listing whose valid-through date has passed; returns them."""
    now = now or timezone.now()
    expired: list[Listing] = []
    for listing_id in Listing.objects.past_valid_through(now=now).values_list("id", flat=True):
        with transaction.atomic():
            listing = (
                Listing.objects.select_for_update()
                .filter(pk=listing_id, state=Listing.State.LIVE, valid_through__lte=now)
                .first()
            )
            if listing is None:
                continue
            before = counts.snapshot(listing)
            listing.state = Listing.State.EXPIRED
            listing.state_changed_at = now
            listing.save(update_fields=["state", "state_changed_at", "updated_at"])
            counts.apply(before=before, after=None)
            expired.append(listing)
    if expired:
        logger.info("expired %d listings", len(expired))
    return expired


# ---------------------------------------------------------------------------
# Job alerts
# ---------------------------------------------------------------------------
_CONFIRM_SALT = "board.alert.confirm"
_UNSUBSCRIBE_SALT = "board.alert.unsubscribe"
_MANAGE_SALT = "board.alert.manage"
_RATE_WINDOW_SECONDS = 3600


class AlertRateLimited(Exception):
    """Too many sign-ups from this address or for this email in the last hour."""


def _token(alert: JobAlert, salt: str) -> str:
    # The email is part of the signed value, so a token can never act on a later row
    # that happens to reuse the id.
    return signing.dumps([alert.pk, alert.email], salt=salt, compress=True)


def _alert_from_token(token: str, *, salt: str, max_age: int | None = None) -> JobAlert | None:
    try:
        pk, email = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return JobAlert.objects.filter(pk=pk, email=email).first()


def alert_confirm_url(alert: JobAlert) -> str:
    path = reverse("board:alert_confirm", kwargs={"token": _token(alert, _CONFIRM_SALT)})
    return f"{settings.SITE_URL}{path}"


def alert_unsubscribe_url(alert: JobAlert) -> str:
    path = reverse("board:alert_unsubscribe", kwargs={"token": _token(alert, _UNSUBSCRIBE_SALT)})
    return f"{settings.SITE_URL}{path}"


def alert_manage_url(email: str) -> str:
    """The page that lists every alert of an address, reached by this signed link only.

    The token names the address (lower case: one page whatever the case it was typed
    in) and never expires, like the unsubscribe links beside it in every alert email.
    """
    token = signing.dumps(email.strip().lower(), salt=_MANAGE_SALT, compress=True)
    return f"{settings.SITE_URL}{reverse('board:alert_manage', kwargs={'token': token})}"


def manage_token_email(token: str) -> str | None:
    """The address a manage link was made for; None when the link is not ours."""
    try:
        email = signing.loads(token, salt=_MANAGE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return email if isinstance(email, str) and email else None


def _send_alert_email(alert: JobAlert, kind: str, context: dict[str, object]) -> None:
    unsubscribe = alert_unsubscribe_url(alert)
    context = {
        **context,
        "alert": alert,
        "unsubscribe_url": unsubscribe,
        "manage_url": alert_manage_url(alert.email),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string(f"emails/board_alert_{kind}_subject.txt", context)
    body = render_to_string(f"emails/board_alert_{kind}_body.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[alert.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe button.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()


def _check_rate(*, email: str, client_ip: str) -> None:
    email_key = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    if not ratelimit.allow(
        key=f"board:alert-rate:ip:{client_ip}",
        limit=settings.BOARD_ALERT_SIGNUPS_PER_IP,
        window=_RATE_WINDOW_SECONDS,
    ):
        raise AlertRateLimited("Too many sign-ups from your network; please try again later.")
    if not ratelimit.allow(
        key=f"board:alert-rate:email:{email_key}",
        limit=settings.BOARD_ALERT_SIGNUPS_PER_EMAIL,
        window=_RATE_WINDOW_SECONDS,
    ):
        raise AlertRateLimited("Too many sign-ups for this address; please try again later.")


def send_alert_manage_link(*, email: str, client_ip: str) -> bool:
    """Email the manage link to an address that has alerts; True if one was sent.

    Rate-limited like sign-ups (it sends mail to an address someone typed). The page
    that asks says the same whatever happened, so nobody learns who has alerts here.
    Raises ``AlertRateLimited``.
    """
    email = email.strip()
    _check_rate(email=email, client_ip=client_ip)
    alerts = selectors.alerts_for_email(email=email)
    if not alerts:
        return False
    context = {
        "alerts": alerts,
        "manage_url": alert_manage_url(email),
        "site_name": settings.SITE_NAME,
    }
    EmailMessage(
        subject=" ".join(
            render_to_string("emails/board_alert_manage_subject.txt", context).split()
        ),
        body=render_to_string("emails/board_alert_manage_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        # The address as the alerts hold it, not as typed into the form.
        to=[alerts[0].email],
    ).send()
    logger.info("job alerts: manage link sent for %d alerts", len(alerts))
    return True


def stop_job_alert(*, email: str, alert_id: int) -> bool:
    """Delete one alert of this address (from its manage page); False if it was gone."""
    deleted, _ = JobAlert.objects.filter(pk=alert_id, email__iexact=email).delete()
    if deleted:
        logger.info("job alert %s stopped from its manage page", alert_id)
    return bool(deleted)


def stop_all_job_alerts(*, email: str) -> int:
    """Delete every alert of this address; returns how many there were."""
    deleted, _ = JobAlert.objects.filter(email__iexact=email).delete()
    if deleted:
        logger.info("job alerts: %d stopped from their manage page", deleted)
    return deleted


def request_job_alert(*, email: str, search: JobSearch, client_ip: str) -> JobAlert:
    """Save a search for an email address and send the double opt-in link.

    Rate-limited per client IP and per email address. Asking again for the same search
    re-sends the link while it is unconfirmed and changes nothing once confirmed.
    Raises ``AlertRateLimited``.
    """
    email = email.strip()
    _check_rate(email=email, client_ip=client_ip)
    with transaction.atomic():
        alert, _ = JobAlert.objects.get_or_create(
            email=email,
            query=search.alert_query,
            defaults={"description": selectors.describe_search(search)[:300]},
        )
    # Sent outside the transaction: no network I/O while rows are locked.
    if not alert.is_confirmed:
        _send_alert_email(
            alert, "confirm", {"confirm_url": alert_confirm_url(alert), "search": search}
        )
        logger.info("job alert %s: confirmation sent", alert.pk)
    return alert


def confirm_job_alert(*, token: str) -> JobAlert | None:
    """Confirm from the emailed link; idempotent. None when the link is bad or stale."""
    max_age = settings.BOARD_ALERT_CONFIRM_DAYS * 86_400
    alert = _alert_from_token(token, salt=_CONFIRM_SALT, max_age=max_age)
    if alert is None:
        return None
    now = timezone.now()
    # Conditional update: a double click confirms once and keeps the first cut-off.
    if JobAlert.objects.filter(pk=alert.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, last_sent_at=now
    ):
        logger.info("job alert %s confirmed", alert.pk)
    alert.refresh_from_db()
    return alert


def unsubscribe_job_alert(*, token: str) -> bool:
    """Delete the alert named by an unsubscribe token; True if the token was valid."""
    try:
        pk, email = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return False
    deleted, _ = JobAlert.objects.filter(pk=pk, email=email).delete()
    if deleted:
        logger.info("job alert %s unsubscribed", pk)
    return True


def send_job_alert_digest(*, alert_id: int, now: datetime | None = None) -> int:
    """Email one alert's new matching jobs as a single digest; returns the jobs sent.

    The alert's cut-off moves forward with a conditional UPDATE before anything is
    sent, so two overlapping runs can never send the same digest twice.
    """
    now = now or timezone.now()
    alert = JobAlert.objects.filter(pk=alert_id, confirmed_at__isnull=False).first()
    if alert is None:
        return 0
    since = alert.last_sent_at or alert.confirmed_at
    if since is None:  # unreachable: the query above only takes confirmed alerts
        return 0
    search = JobSearch.from_params(_parse_query(alert.query))
    jobs = selectors.alert_matches(
        search=search, since=since, until=now, limit=settings.BOARD_ALERT_MAX_JOBS + 1
    )
    claimed = JobAlert.objects.filter(pk=alert.pk, last_sent_at=alert.last_sent_at).update(
        last_sent_at=now
    )
    if not claimed or not jobs:
        return 0
    shown = jobs[: settings.BOARD_ALERT_MAX_JOBS]
    search_url = f"{settings.SITE_URL}{reverse('board:job_list')}"
    if alert.query:
        search_url += f"?{alert.query}"
    try:
        _send_alert_email(
            alert,
            "digest",
            {
                "jobs": [(job, live_url(job)) for job in shown],
                "more": len(jobs) > len(shown),
                "search_url": search_url,
            },
        )
    except Exception:
        # Give the jobs back to the next run rather than lose them.
        JobAlert.objects.filter(pk=alert.pk, last_sent_at=now).update(last_sent_at=since)
        raise
    logger.info("job alert %s: digest with %d jobs sent", alert.pk, len(shown))
    return len(shown)


def send_job_alerts(*, now: datetime | None = None) -> int:
    """Send every confirmed alert its digest; returns how many emails went out."""
    now = now or timezone.now()
    sent = 0
    ids = JobAlert.objects.filter(confirmed_at__isnull=False).values_list("pk", flat=True)
    for alert_id in list(ids.iterator()):
        try:
            if send_job_alert_digest(alert_id=alert_id, now=now):
                sent += 1
        except Exception:  # one bad address must not stop everyone else's digest
            logger.exception("job alert %s: digest failed", alert_id)
    return sent


def _parse_query(query: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs

    return parse_qs(query, keep_blank_values=False)
