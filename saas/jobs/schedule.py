"""The periodic jobs the scheduler enqueues. Each is safe to run twice (dedupe keys)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from saas.mail.jobs import sweep_outbox
from saas.roadmaps.jobs import snapshot_sweep


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable
    cron: str


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("outbox-sweep", sweep_outbox, "* * * * *"),
    PeriodicJob("roadmap-snapshots", snapshot_sweep, "15 2 * * *"),
]
