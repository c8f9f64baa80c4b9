"""Alert mails to ADMINS: one when a condition starts, one when it clears.

Conditions come from checks that apps (and this app) register in ``AppConfig.ready()``;
a check yields ``(condition name, problem or None)``. Every worker evaluates them every
ALERT_CHECK_INTERVAL seconds (``watch.AlertWatch``), so a dead beat is noticed too. The
``Alert`` row per condition makes the mails happen once across processes: only the
process whose conditional UPDATE flips the row sends. A condition that starts again
within the hour after its last mail is recorded but not mailed again (a flapping check
must not flood anyone), and its clearing is then not mailed either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mail_admins
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from jobboard.operations import callstats, outboxes, selectors
from jobboard.operations.models import Alert

logger = logging.getLogger(__name__)

Finding = tuple[str, str | None]
AlertCheck = Callable[[], Iterable[Finding]]

QUIET_PERIOD = timedelta(hours=1)

BEAT_HEARTBEAT = "beat heartbeat"
JOB_OVERDUE = "job overdue: "

_checks: dict[str, AlertCheck] = {}


def register_alert_check(name: str, check: AlertCheck) -> None:
    _checks[name] = check


def _mail(kind: str, alert: Alert, problem: str) -> None:
    context = {
        "kind": kind,
        "name": alert.name,
        "problem": problem,
        "since": alert.since,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("emails/ops_alert_subject.txt", context)
    body = render_to_string("emails/ops_alert_body.txt", context)
    mail_admins(" ".join(subject.split()), body, fail_silently=False)
    logger.warning("alert %s %s: %s", alert.name, kind, problem)


def _raise(alert: Alert, problem: str, now: datetime) -> bool:
    quiet = alert.last_mailed_at is not None and now - alert.last_mailed_at < QUIET_PERIOD
    flipped = Alert.objects.filter(pk=alert.pk, active=False).update(
        active=True,
        since=now,
        message=problem[:2000],
        cleared_at=None,
        **({} if quiet else {"last_mailed_at": now}),
    )
    if flipped and not quiet:
        _mail("started", alert, problem)
        return True
    return False


def _clear(alert: Alert, now: datetime) -> bool:
    # The clearing is mailed only when the start was (last_mailed_at within the episode).
    mailed_start = (
        alert.last_mailed_at is not None
        and alert.since is not None
        and (alert.last_mailed_at >= alert.since)
    )
    flipped = Alert.objects.filter(pk=alert.pk, active=True).update(active=False, cleared_at=now)
    if flipped and mailed_start:
        _mail("cleared", alert, alert.message)
        return True
    return False


def evaluate(*, now: datetime | None = None) -> list[str]:
    """Evaluate every registered check; returns the names of the conditions mailed."""
    now = now or timezone.now()
    mailed = []
    for check_name, check in list(_checks.items()):
        try:
            findings = list(check())
        except Exception:  # one broken check must not silence the others
            logger.exception("alert check %s failed", check_name)
            continue
        for name, problem in findings:
            alert, _ = Alert.objects.get_or_create(name=name)
            if problem and not alert.active:
                sent = _raise(alert, problem, now)
            elif problem:
                Alert.objects.filter(pk=alert.pk).update(message=problem[:2000])
                sent = False
            elif alert.active:
                sent = _clear(alert, now)
            else:
                sent = False
            if sent:
                mailed.append(name)
    return mailed


def active_alerts() -> list[Alert]:
    return list(Alert.objects.filter(active=True))


def forget_cleared(*, older_than: timedelta = timedelta(days=30)) -> int:
    """Old cleared conditions of checks that no longer report them."""
    cutoff = timezone.now() - older_than
    return Alert.objects.filter(Q(active=False), Q(cleared_at__lt=cutoff)).delete()[0]


# --- this app's own conditions -------------------------------------------------------------


def _beat_finding(now: datetime) -> Finding | None:
    age = selectors.beat_age(now=now)
    if age is None:  # beat never ran against this database
        return None
    limit = selectors.beat_stale_after()
    problem = None
    if age > limit:
        problem = (
            f"Celery beat has not sent its heartbeat for {int(age.total_seconds())} s "
            f"(limit {int(limit.total_seconds())} s): no periodic job is being started."
        )
    return BEAT_HEARTBEAT, problem


def _job_problem(job: selectors.JobHealth) -> str | None:
    if not job.overdue or job.age is None:
        return None
    problem = (
        f"Periodic job {job.name} has not succeeded for {int(job.age.total_seconds())} s "
        f"(every {int(job.interval.total_seconds())} s)."
    )
    if job.last_error:
        problem += f" Last error: {job.last_error}"
    return problem


def _scheduled_jobs(now: datetime) -> list[selectors.JobHealth]:
    return [
        job
        for job in selectors.job_health(now=now)
        if job.row is not None and job.name != selectors.HEARTBEAT
    ]


def periodic_job_findings() -> Iterable[Finding]:
    """Beat's heartbeat, and every periodic job overdue past its factor."""
    now = timezone.now()
    beat = _beat_finding(now)
    if beat is not None:
        yield beat
    for job in _scheduled_jobs(now):
        yield f"{JOB_OVERDUE}{job.name}", _job_problem(job)


def _beat_back_since(now: datetime) -> datetime | None:
    """When beat came back after its last stale spell (now, if it is coming back now)."""
    row = Alert.objects.filter(name=BEAT_HEARTBEAT).first()
    if row is None:
        return None
    return now if row.active else row.cleared_at


def periodic_job_alerts() -> Iterable[Finding]:
    """The periodic jobs' conditions as they are mailed: a dead beat is one alert.

    While beat's heartbeat is stale every job falls overdue in turn, for that one cause
    (with the default intervals, six more mails within the hour); and once beat is back
    each job needs one run to catch up. So a job's condition is left as it is, neither
    raised nor cleared, while beat is dead, and an overdue job is judged again only once
    it has had its own overdue window since beat came back.
    """
    now = timezone.now()
    beat = _beat_finding(now)
    if beat is not None:
        yield beat
        if beat[1] is not None:
            return
    back = _beat_back_since(now)
    for job in _scheduled_jobs(now):
        problem = _job_problem(job)
        if problem and back is not None and now - back <= job.overdue_after:
            continue
        yield f"{JOB_OVERDUE}{job.name}", problem


def outbox_findings() -> Iterable[Finding]:
    """Each outbox: behind (oldest due item too old), and items that gave up lately."""
    for box in outboxes.outbox_health():
        behind = None
        if box.stale and box.oldest_due_age is not None:
            behind = (
                f"The oldest due item of the {box.name} outbox has waited "
                f"{int(box.oldest_due_age.total_seconds())} s "
                f"(limit {int(box.stale_after.total_seconds())} s); {box.waiting} waiting."
            )
        yield f"outbox behind: {box.label}", behind
        gave_up = None
        if box.gave_up_last_hour:
            gave_up = (
                f"{box.gave_up_last_hour} item(s) of the {box.name} outbox gave up in the last "
                "hour; retry them from the health page once the cause is fixed."
            )
        yield f"outbox gave up: {box.label}", gave_up


def credential_findings() -> Iterable[Finding]:
    """SmartRecruiters answering 401/403: a revoked key or locked traffic."""
    window = max(timedelta(minutes=15), 3 * timedelta(seconds=settings.ALERT_CHECK_INTERVAL))
    refused = callstats.auth_refusals(since=timezone.now() - window)
    problem = None
    if refused:
        apis = ", ".join(f"{api} ({n})" for api, n in sorted(refused.items()))
        problem = (
            "SmartRecruiters refused our credentials (401/403) in the last "
            f"{int(window.total_seconds() // 60)} minutes: {apis}. The key may be revoked or "
            "our traffic locked."
        )
    yield "smartrecruiters refused our credentials", problem
