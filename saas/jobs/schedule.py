"""The periodic jobs the scheduler enqueues. Each is safe to run twice (dedupe keys).

Cron expressions are read on the scheduler process's clock: run it in UTC (TZ=UTC). Entries
without a cron are never scheduled; `flask jobs run NAME` runs any entry by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from saas.billing.jobs import send_trial_reminders
from saas.mail.jobs import sweep_outbox
from saas.roadmaps.jobs import (
    dispatch_digests_now,
    dispatch_notifications,
    dispatch_reminders_now,
    send_portfolio_digests,
    snapshot_sweep,
)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable
    cron: str | None  # None: by hand only


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("outbox-sweep", sweep_outbox, "* * * * *"),
    PeriodicJob("roadmap-snapshots", snapshot_sweep, "15 2 * * *"),
    PeriodicJob("trial-reminders", send_trial_reminders, "0 7 * * *"),
    # Hourly: each tenant's reminders and digests at its own send hour (its time zone).
    PeriodicJob("notifications", dispatch_notifications, "5 * * * *"),
    PeriodicJob("portfolio-digests", send_portfolio_digests, "0 7 * * 1"),
    # By hand: what the hourly dispatch sends, now, for every tenant (dedupe keys still hold).
    PeriodicJob("reminders", dispatch_reminders_now, None),
    PeriodicJob("digests", dispatch_digests_now, None),
]
