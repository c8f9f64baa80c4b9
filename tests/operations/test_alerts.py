"""Alert mails: one when a condition starts, one when it clears, never a flood."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jobboard.operations import alerts
from jobboard.operations.models import Alert, PeriodicJob
from jobboard.operations.recording import register_schedule

pytestmark = pytest.mark.django_db


class Condition:
    def __init__(self) -> None:
        self.problem: str | None = None

    def __call__(self) -> Iterator[alerts.Finding]:
        yield "feed unreadable", self.problem


@pytest.fixture
def condition(settings) -> Iterator[Condition]:
    settings.ADMINS = [("Ops", "ops@example.org")]
    saved = dict(alerts._checks)
    alerts._checks.clear()
    check = Condition()
    alerts.register_alert_check("test", check)
    yield check
    alerts._checks.clear()
    alerts._checks.update(saved)


def test_a_condition_mails_the_admins_once_when_it_starts_and_once_when_it_clears(
    condition: Condition,
) -> None:
    condition.problem = "SmartRecruiters answered 401 to the feed."
    assert alerts.evaluate() == ["feed unreadable"]
    assert alerts.evaluate() == []  # still failing: no second mail
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.org"]
    assert "feed unreadable" in mail.outbox[0].subject
    assert "answered 401" in mail.outbox[0].body
    condition.problem = None
    assert alerts.evaluate() == ["feed unreadable"]
    assert alerts.evaluate() == []
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("[Django] Resolved") or "Resolved" in (
        mail.outbox[1].subject
    )
    assert Alert.objects.get(name="feed unreadable").active is False


def test_a_condition_that_flaps_within_the_hour_is_not_mailed_again(
    condition: Condition,
) -> None:
    now = timezone.now()
    condition.problem = "down"
    alerts.evaluate(now=now)
    condition.problem = None
    alerts.evaluate(now=now + timedelta(minutes=5))
    condition.problem = "down again"
    alerts.evaluate(now=now + timedelta(minutes=10))
    condition.problem = None
    alerts.evaluate(now=now + timedelta(minutes=15))
    assert [m.subject.split(":")[0].split()[-1] for m in mail.outbox] == ["Alert", "Resolved"]
    condition.problem = "down after an hour"
    alerts.evaluate(now=now + timedelta(minutes=75))
    assert len(mail.outbox) == 3


def test_one_broken_check_does_not_silence_the_others(condition: Condition) -> None:
    def broken() -> Iterator[alerts.Finding]:
        raise RuntimeError("bug")

    alerts.register_alert_check("broken", broken)
    condition.problem = "down"
    assert alerts.evaluate() == ["feed unreadable"]


def test_a_dead_beat_and_an_overdue_job_are_alert_conditions(settings) -> None:
    settings.HEARTBEAT_INTERVAL = 10
    settings.JOB_OVERDUE_FACTOR = 3
    register_schedule()
    old = timezone.now() - timedelta(days=3)
    PeriodicJob.objects.update(created_at=old, last_sent_at=old)
    PeriodicJob.objects.exclude(name="sync-feed").update(last_success_at=timezone.now())
    PeriodicJob.objects.filter(name="sync-feed").update(
        last_failure_at=timezone.now(), last_error="ConnectError: refused"
    )
    found = dict(alerts.periodic_job_findings())
    assert "has not sent its heartbeat" in (found["beat heartbeat"] or "")
    assert "ConnectError: refused" in (found["job overdue: sync-feed"] or "")
    assert found["job overdue: send-job-alerts"] is None


@pytest.fixture
def periodic_job_alerts(settings) -> Iterator[None]:
    """Only the periodic jobs' check, as the operations app registers it."""
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.HEARTBEAT_INTERVAL = 10
    settings.JOB_OVERDUE_FACTOR = 3
    saved = dict(alerts._checks)
    alerts._checks.clear()
    alerts.register_alert_check("periodic jobs", alerts.periodic_job_alerts)
    register_schedule()
    yield
    alerts._checks.clear()
    alerts._checks.update(saved)


def _beat(*, sent_at) -> None:
    PeriodicJob.objects.filter(name="heartbeat").update(last_sent_at=sent_at)


def test_a_dead_beat_is_mailed_once_and_not_again_for_each_job_it_leaves_overdue(
    periodic_job_alerts: None,
) -> None:
    old = timezone.now() - timedelta(days=3)
    # Beat stopped three days ago: its heartbeat and every job are long overdue.
    PeriodicJob.objects.update(created_at=old, last_sent_at=old, last_success_at=old)
    assert dict(alerts.periodic_job_findings())["job overdue: sync-feed"]  # detected

    assert alerts.evaluate() == ["beat heartbeat"]
    assert alerts.evaluate() == []
    assert len(mail.outbox) == 1
    assert "beat heartbeat" in mail.outbox[0].subject
    assert not Alert.objects.filter(name__startswith="job overdue", active=True).exists()

    # Beat is back and every job has run again: the one alert is resolved.
    now = timezone.now()
    PeriodicJob.objects.update(last_sent_at=now, last_success_at=now)
    assert alerts.evaluate() == ["beat heartbeat"]
    assert len(mail.outbox) == 2
    assert "Resolved" in mail.outbox[1].subject


def test_a_job_alerted_before_beat_died_stays_alerted_until_it_succeeds_again(
    periodic_job_alerts: None,
) -> None:
    now = timezone.now()
    old = now - timedelta(days=3)
    PeriodicJob.objects.update(created_at=old, last_sent_at=now, last_success_at=now)
    PeriodicJob.objects.filter(name="sync-feed").update(
        last_success_at=old, last_failure_at=now, last_error="ConnectError: refused"
    )
    assert alerts.evaluate() == ["job overdue: sync-feed"]

    _beat(sent_at=old)
    assert alerts.evaluate() == ["beat heartbeat"]
    assert Alert.objects.get(name="job overdue: sync-feed").active  # neither cleared nor mailed

    _beat(sent_at=now)
    PeriodicJob.objects.filter(name="sync-feed").update(last_success_at=timezone.now())
    assert alerts.evaluate() == ["beat heartbeat", "job overdue: sync-feed"]
    assert ["Resolved" in m.subject for m in mail.outbox] == [False, False, True, True]


def test_once_beat_is_back_each_job_has_its_window_to_run_before_it_is_alerted(
    periodic_job_alerts: None,
) -> None:
    old = timezone.now() - timedelta(days=3)
    PeriodicJob.objects.update(created_at=old, last_sent_at=old, last_success_at=old)
    assert alerts.evaluate() == ["beat heartbeat"]

    # Beat sends its heartbeat again; the jobs have not run yet.
    _beat(sent_at=timezone.now())
    assert alerts.evaluate() == ["beat heartbeat"]  # resolved
    assert alerts.evaluate() == []
    assert not Alert.objects.filter(name__startswith="job overdue", active=True).exists()

    # A day later they still have not run: now each one is alerted.
    Alert.objects.filter(name="beat heartbeat").update(cleared_at=old)
    _beat(sent_at=timezone.now())
    mailed = alerts.evaluate()
    assert "job overdue: sync-feed" in mailed
    assert "beat heartbeat" not in mailed
