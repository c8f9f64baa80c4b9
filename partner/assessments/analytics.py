"""Analytics for staff (reads only): per package and per client company, how many orders,
how many completed, how long candidates took, and how the scores spread.

Counts come from grouped queries; times and scores from one ``values_list`` each over
the selected orders (a few columns, not model rows), so a page costs a fixed handful of
queries however many orders there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from partner.assessments.models import (
    Assessment,
    AssessmentResult,
    ClientAccount,
    Order,
    Package,
    ResultStatus,
)

BINS = 10  # score distribution: 0-9 %, 10-19 %, ..., 90-100 %


@dataclass
class GroupStats:
    """One row: a package, a client company, or everything selected."""

    name: str
    key: int | None = None
    slug: str = "all"
    orders: int = 0
    invited: int = 0
    completed: int = 0
    expired: int = 0
    rejected: int = 0
    candidate_minutes: list[float] = field(default_factory=list)
    turnaround_hours: list[float] = field(default_factory=list)
    percents: list[float] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        """Completed orders out of those whose candidate was invited (NEW ones wait)."""
        return 100 * self.completed / self.invited if self.invited else None

    @property
    def mean_candidate_time(self) -> timedelta | None:
        if not self.candidate_minutes:
            return None
        return timedelta(seconds=round(mean(self.candidate_minutes) * 60))

    @property
    def mean_turnaround(self) -> timedelta | None:
        if not self.turnaround_hours:
            return None
        return timedelta(seconds=round(mean(self.turnaround_hours) * 3600))

    @property
    def mean_percent(self) -> float | None:
        return mean(self.percents) if self.percents else None

    @property
    def histogram(self) -> list[int]:
        counts = [0] * BINS
        for percent in self.percents:
            counts[min(int(percent // (100 / BINS)), BINS - 1)] += 1
        return counts

    @property
    def chart(self) -> Chart:
        return bar_chart(self.histogram)

    @property
    def spark(self) -> Chart:
        return bar_chart(self.histogram, width=120, height=28, gap=1)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Chart:
    """A bar chart's geometry, drawn as SVG by the template (no script, no CDN)."""

    width: int
    height: int
    bars: list[Bar]
    peak: int
    baseline: float

    @property
    def empty(self) -> bool:
        return self.peak == 0

    @property
    def description(self) -> str:
        return "; ".join(f"{bar.label}: {bar.count}" for bar in self.bars)


def bar_chart(counts: list[int], *, width: int = 640, height: int = 220, gap: int = 6) -> Chart:
    """Bars for the score bins; room at the bottom for the bin labels on the big chart."""
    peak = max(counts) if counts else 0
    label_room = 22 if height > 60 else 0
    top_room = 16 if height > 60 else 0
    plot = height - label_room - top_room
    step = width / max(len(counts), 1)
    bars = []
    for index, count in enumerate(counts):
        bar_height = (plot * count / peak) if peak else 0
        low = index * (100 // BINS)
        high = 100 if index == len(counts) - 1 else low + (100 // BINS) - 1
        bars.append(
            Bar(
                x=round(index * step + gap / 2, 1),
                y=round(top_room + plot - bar_height, 1),
                width=round(step - gap, 1),
                height=round(bar_height, 1),
                count=count,
                label=f"{low}-{high} %",
            )
        )
    return Chart(width=width, height=height, bars=bars, peak=peak, baseline=top_room + plot)


@dataclass
class AnalyticsReport:
    total: GroupStats
    packages: list[GroupStats]
    clients: list[GroupStats]


def _selected(
    *,
    package: Package | None = None,
    client: ClientAccount | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Order]:
    orders = Order.objects.all()
    if package is not None:
        orders = orders.filter(package=package)
    if client is not None:
        orders = orders.filter(integration__client=client)
    zone = timezone.get_current_timezone()
    if since is not None:
        orders = orders.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until is not None:
        orders = orders.filter(
            created_at__lt=datetime.combine(until, time.min, tzinfo=zone) + timedelta(days=1)
        )
    return orders


def _counts(orders: QuerySet[Order], group: str, name: str, prefix: str) -> dict[Any, GroupStats]:
    rows = (
        orders.values(group, name)
        .annotate(
            orders_count=Count("id"),
            invited_count=Count("id", filter=~Q(status=ResultStatus.NEW)),
            completed_count=Count("id", filter=Q(status=ResultStatus.COMPLETED)),
            expired_count=Count("id", filter=Q(status=ResultStatus.EXPIRED)),
            rejected_count=Count("id", filter=Q(status=ResultStatus.REJECTED)),
        )
        .order_by(name)
    )
    return {
        row[group]: GroupStats(
            name=row[name],
            key=row[group],
            slug=f"{prefix}-{row[group]}",
            orders=row["orders_count"],
            invited=row["invited_count"],
            completed=row["completed_count"],
            expired=row["expired_count"],
            rejected=row["rejected_count"],
        )
        for row in rows
    }


def _add(stats: Iterable[GroupStats | None], attribute: str, value: float) -> None:
    for group in stats:
        if group is not None:
            getattr(group, attribute).append(value)


def analytics_report(
    *,
    package: Package | None = None,
    client: ClientAccount | None = None,
    since: date | None = None,
    until: date | None = None,
) -> AnalyticsReport:
    orders = _selected(package=package, client=client, since=since, until=until)
    packages = _counts(orders, "package_id", "package__name", "package")
    clients = _counts(orders, "integration__client_id", "integration__client__name", "client")
    total = GroupStats(name="All selected orders")
    for group in packages.values():
        total.orders += group.orders
        total.invited += group.invited
        total.completed += group.completed
        total.expired += group.expired
        total.rejected += group.rejected

    completed = orders.filter(status=ResultStatus.COMPLETED).values_list(
        "package_id",
        "integration__client_id",
        "invited_at",
        "finished_at",
        "score_raw",
        "score_min",
        "score_max",
    )
    for package_id, client_id, invited_at, finished_at, raw, low, high in completed:
        groups = (total, packages.get(package_id), clients.get(client_id))
        if invited_at and finished_at:
            _add(groups, "turnaround_hours", (finished_at - invited_at).total_seconds() / 3600)
        if raw is not None and low is not None and high is not None and high > low:
            _add(groups, "percents", 100 * (raw - low) / (high - low))

    attempts = AssessmentResult.objects.filter(
        order__in=orders,
        assessment__kind=Assessment.Kind.AUTO,
        started_at__isnull=False,
        submitted_at__isnull=False,
    ).values_list(
        "order__package_id", "order__integration__client_id", "started_at", "submitted_at"
    )
    for package_id, client_id, started_at, submitted_at in attempts:
        if started_at is None or submitted_at is None:  # filtered out above
            continue
        minutes = (submitted_at - started_at).total_seconds() / 60
        _add(
            (total, packages.get(package_id), clients.get(client_id)), "candidate_minutes", minutes
        )

    def ordered(groups: dict[Any, GroupStats]) -> list[GroupStats]:
        return sorted(groups.values(), key=lambda g: (-g.orders, g.name))

    return AnalyticsReport(total=total, packages=ordered(packages), clients=ordered(clients))
