"""What application submissions tell operators (jobboard.operations): their outbox, alerts."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from jobboard.operations import alerts
from partner.applications import selectors

TRAFFIC_LOCKED_ALERT = "applications: SmartRecruiters locked our traffic"


def traffic_lock_message(lock: selectors.TrafficLock) -> str:
    return (
        "SmartRecruiters answered TRAFFIC_LOCKED: it has blocked our traffic to its "
        f"Application API. Submissions are paused until {lock.until:%Y-%m-%d %H:%M} UTC "
        f"({lock.waiting} application(s) waiting, none of them loses a retry); then one "
        "application is tried again. Ask SmartRecruiters support to lift the lock."
    )


def traffic_lock_findings() -> Iterable[alerts.Finding]:
    lock = selectors.traffic_lock(now=timezone.now())
    yield TRAFFIC_LOCKED_ALERT, traffic_lock_message(lock) if lock else None


def register() -> None:
    alerts.register_alert_check("applications traffic lock", traffic_lock_findings)
