"""Prometheus metrics: what the process counts, and what the database knows at scrape time.

Counters and histograms live in the process that counts them (web, worker). Under
gunicorn or Celery's prefork pool there are several such processes; with
``PROMETHEUS_MULTIPROC_DIR`` set (before start) each writes its own files there and a
scrape adds them up (prometheus-client's multiprocess mode). Depths, ages and lags are
read from the database at scrape time by ``DatabaseCollector``, so they are right
whichever process answers the scrape. Apps add their own database gauges with
``register_gauge`` in ``AppConfig.ready()``; this module imports no app.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from jobboard.operations import callstats

SR_REQUESTS = Counter(
    "smartrecruiters_requests",
    "Requests sent to SmartRecruiters, by API, endpoint and HTTP status (or 'network').",
    ["api", "endpoint", "status"],
)
SR_RETRIES = Counter(
    "smartrecruiters_retries", "Requests to SmartRecruiters retried.", ["api", "endpoint"]
)
SR_RATE_LIMITED = Counter(
    "smartrecruiters_rate_limited", "429 answers from SmartRecruiters.", ["api", "endpoint"]
)
SR_LATENCY = Histogram(
    "smartrecruiters_request_seconds",
    "Time to an answer from SmartRecruiters.",
    ["api"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
HTTP_REQUESTS = Counter(
    "http_requests", "Requests answered, by method, view and status class.",
    ["method", "view", "status"],
)  # fmt: skip
HTTP_LATENCY = Histogram(
    "http_request_seconds", "Time to answer a request, by view.", ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)  # fmt: skip
TASK_RUNS = Counter(
    "celery_task_runs", "Celery task runs by task and outcome.", ["task", "outcome"]
)

# A sample per labelled series: ({label: value}, value).
Samples = Iterable[tuple[dict[str, str], float]]


@dataclass(frozen=True)
class _Gauge:
    name: str
    documentation: str
    labels: tuple[str, ...]
    read: Callable[[], Samples]


_gauges: dict[str, _Gauge] = {}


def register_gauge(
    name: str, documentation: str, labels: Iterable[str], read: Callable[[], Samples]
) -> None:
    """A gauge computed from the database at each scrape (apps call this in ready())."""
    _gauges[name] = _Gauge(name, documentation, tuple(labels), read)


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        for gauge in _gauges.values():
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labels)
            for labels, value in gauge.read():
                family.add_metric([labels[key] for key in gauge.labels], value)
            yield family


def record_sr_call(
    *, api: str, endpoint: str, status: int | None, seconds: float, retried: bool
) -> None:
    """Count one HTTP exchange with SmartRecruiters (the transport calls this)."""
    callstats.count(api=api, status=status)
    SR_REQUESTS.labels(api, endpoint, str(status) if status else "network").inc()
    SR_LATENCY.labels(api).observe(seconds)
    if retried:
        SR_RETRIES.labels(api, endpoint).inc()
    if status == 429:
        SR_RATE_LIMITED.labels(api, endpoint).inc()


class TaskOutcome(StrEnum):
    """How a Celery task run ended: the ``outcome`` label of ``celery_task_runs``."""

    SUCCESS = "success"
    FAILURE = "failure"


def record_task_run(task: str, outcome: TaskOutcome) -> None:
    TASK_RUNS.labels(task, outcome).inc()


def exposition() -> bytes:
    """The text a scrape receives."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    return generate_latest(registry) + generate_latest(database)
