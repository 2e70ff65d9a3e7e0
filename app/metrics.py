"""One process's figures for Prometheus at `/metrics` of its web server.

Counters and histograms are per process (scrape every instance); cases by status are read from
the database at scrape time, so every instance reports the same street-wide figures.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.base import BaseScheduler
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Case, CaseStatus, DeliveryState
from storage.types import utcnow

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
RECENT_LATENCIES = 100_000


class RetryAfterCollector(Collector):
    """Telegram's 429 answers, counted where they are handled (the request middleware)."""

    def __init__(self, count: object) -> None:
        self.count = count  # anything with a `retry_after_count`

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "minqing_telegram_retry_after", "429 Too Many Requests answers received from Telegram"
        )
        family.add_metric([], getattr(self.count, "retry_after_count", 0))
        yield family


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "minqing_updates",
            "Updates taken from Telegram, by outcome (handled, failed, duplicate)",
            ["outcome"],
            registry=self.registry,
        )
        self.handling = Histogram(
            "minqing_update_handling_seconds",
            "Time to handle one update inside the bot",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.deliveries = Counter(
            "minqing_deliveries",
            "Notice deliveries finished, by state (sent, blocked, failed, pending again)",
            ["state"],
            registry=self.registry,
        )
        self.scheduler_lag = Histogram(
            "minqing_scheduler_lag_seconds",
            "How late a scheduler tick was submitted after its scheduled time",
            ["job"],
            buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300),
            registry=self.registry,
        )
        self.in_progress = Gauge(
            "minqing_updates_in_progress",
            "Updates being handled now (at most UPDATE_CONCURRENCY)",
            registry=self.registry,
        )
        self.cases = Gauge(
            "minqing_cases", "Cases by status (all instances)", ["status"], registry=self.registry
        )
        self.recent_latencies: deque[float] = deque(maxlen=RECENT_LATENCIES)

    def tracking(self) -> AbstractContextManager[Any]:
        """Counts an update as in progress while it is handled."""
        return self.in_progress.track_inprogress()

    def handled(self, outcome: str, started: float) -> None:
        """One update done: its outcome and, for handled ones, its handling time."""
        self.updates.labels(outcome).inc()
        if outcome != "duplicate":
            seconds = time.perf_counter() - started
            self.handling.observe(seconds)
            self.recent_latencies.append(seconds)

    def count_retry_after(self, source: object) -> None:
        self.registry.register(RetryAfterCollector(source))

    def count_delivery(self, state: DeliveryState) -> None:
        """One notice delivery finished (sent, blocked, failed, or pending again)."""
        self.deliveries.labels(state.value).inc()

    def watch(self, scheduler: BaseScheduler) -> None:
        """Record each tick's lag behind its schedule."""

        def submitted(event: JobSubmissionEvent) -> None:
            if event.scheduled_run_times:
                lag = (utcnow() - event.scheduled_run_times[-1]).total_seconds()
                self.scheduler_lag.labels(event.job_id).observe(max(0.0, lag))

        scheduler.add_listener(submitted, EVENT_JOB_SUBMITTED)

    async def render(self, database: Database) -> bytes:
        """The text exposition, with cases by status read now."""
        async with database.sessions() as session:
            rows = (
                await session.execute(
                    select(Case.status, func.count())
                    .where(Case.status != CaseStatus.DRAFT)
                    .group_by(Case.status)
                )
            ).all()
        counts = dict(rows)
        for status in CaseStatus:
            if status != CaseStatus.DRAFT:
                self.cases.labels(status.value).set(counts.get(status, 0))
        return generate_latest(self.registry)
