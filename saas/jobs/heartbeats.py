"""Heartbeats of the long-running job processes, kept in the database (Redis may be what is down).

Each scheduler and worker process owns one row: `beat_at` says it is alive (its loop goes
round), `progress_at` that it gets work done (the scheduler's last tick that reached Redis, the
worker's last job). `/healthz` reads them through `processes_health`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from saas.database import utcnow
from saas.extensions import db

# A live scheduler beats at least once a minute (the outbox sweep's cron) and a live worker at
# least once a minute when idle; a job may keep a worker silent for its timeout (3 minutes).
STALE_AFTER = timedelta(minutes=5)
FORGET_AFTER = timedelta(days=7)  # rows of processes gone this long are deleted


class ProcessKind(StrEnum):
    SCHEDULER = "scheduler"
    WORKER = "worker"


class ProcessHeartbeat(db.Model):
    """One job process (named `<kind>:<host>:<pid>`) and when it last showed life and progress."""

    __tablename__ = "process_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow)
    progress_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(500), default="")  # since the last progress; "" when fine


def heartbeat_record(*, name: str, kind: ProcessKind, progress_at: datetime | None, error: str) -> None:
    """Write the process's row now (created on its first beat). Flushes; the caller commits."""
    values = {"beat_at": utcnow(), "progress_at": progress_at, "error": error[:500]}
    updated = db.session.execute(
        update(ProcessHeartbeat).where(ProcessHeartbeat.name == name).values(**values)
    )
    if not updated.rowcount:
        db.session.add(ProcessHeartbeat(name=name, kind=kind, **values))
    db.session.flush()


def heartbeats_forget_old() -> None:
    """Delete the rows of processes that stopped beating long ago (each restart makes a new row)."""
    db.session.execute(delete(ProcessHeartbeat).where(ProcessHeartbeat.beat_at < utcnow() - FORGET_AFTER))


@dataclass(frozen=True)
class ProcessHealth:
    """What /healthz says about one kind of process: a state and, unless ok, a sentence why."""

    state: str  # ok, down, not running
    last_progress: datetime | None
    problem: str = ""

    @property
    def healthy(self) -> bool:
        return self.state == "ok"


def processes_health(*, required: bool) -> dict[ProcessKind, ProcessHealth]:
    """The scheduler and the workers: ok when one of them beat lately and (scheduler) ticks.

    A kind never seen is "not running", unhealthy only when `required` (production), since a
    development or test setup often runs no scheduler.
    """
    rows = list(db.session.scalars(select(ProcessHeartbeat).order_by(ProcessHeartbeat.beat_at.desc())))
    return {
        kind: _health(kind, [r for r in rows if r.kind == kind], required=required) for kind in ProcessKind
    }


def _health(kind: ProcessKind, rows: list[ProcessHeartbeat], *, required: bool) -> ProcessHealth:
    if not rows:
        state = "down" if required else "not running"
        return ProcessHealth(state, None, f"{kind}: never seen (is it running?)" if required else "")
    fresh_after = utcnow() - STALE_AFTER
    alive = [row for row in rows if row.beat_at >= fresh_after]
    last_progress = max((row.progress_at for row in rows if row.progress_at), default=None)
    if not alive:
        return ProcessHealth(
            "down", last_progress, f"{kind}: no heartbeat since {rows[0].beat_at.isoformat()}"
        )
    if kind == ProcessKind.SCHEDULER and (last_progress is None or last_progress < fresh_after):
        since = last_progress.isoformat() if last_progress else "it started"
        return ProcessHealth(
            "down", last_progress, f"scheduler: alive but no tick reached Redis since {since}"
        )
    return ProcessHealth("ok", last_progress)
