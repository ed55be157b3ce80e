"""The periodic jobs the scheduler enqueues, registered by the wings that own them.

Infrastructure imports no wing: each wing calls `register_periodic` when it is initialised
(as `tenants.nav.add_nav_item` does for the navigation), and the scheduler and
`flask jobs run NAME` read `periodic_jobs()`. Each job is safe to run twice (dedupe keys).

Cron expressions are read on the scheduler process's clock: run it in UTC (TZ=UTC). Entries
without a cron are never scheduled; `flask jobs run NAME` runs any entry by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable[[], Any]
    cron: str | None  # None: by hand only


_registry: dict[str, PeriodicJob] = {}


def register_periodic(name: str, func: Callable[[], Any], cron: str | None = None) -> None:
    """Add a periodic job; registering the same name again replaces it (wings init once per app)."""
    _registry[name] = PeriodicJob(name, func, cron)


def periodic_jobs() -> list[PeriodicJob]:
    """Every registered job, in the order the wings registered them."""
    return list(_registry.values())


def periodic_job(name: str) -> PeriodicJob | None:
    return _registry.get(name)
