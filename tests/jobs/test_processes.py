"""The scheduler and the worker ride out Redis outages, against a Redis server the test stops and flushes.

Each command runs in this process (the CLI runner, as `flask jobs ...` would) while a thread
beside it takes Redis away, brings it back empty and flushes it, then stops the command with
SIGTERM, as a process manager would.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import StopRequested
from sqlalchemy import select

from saas.database import utcnow
from saas.extensions import db
from saas.jobs import processes, schedule
from saas.jobs.heartbeats import ProcessHeartbeat, ProcessKind, heartbeat_record
from saas.jobs.processes import Pulse
from tests.jobs.commands import beside, wait_until

STARTED: list[str] = []
FINISHED: list[str] = []


def probe() -> None:
    """A periodic job for the scheduler test: enqueued, never run."""


def slow_job(tag: str) -> None:
    STARTED.append(tag)
    time.sleep(1.5)
    FINISHED.append(tag)


def quick_job(tag: str) -> None:
    FINISHED.append(tag)


def heartbeat(kind: ProcessKind) -> ProcessHeartbeat:
    (row,) = db.session.scalars(select(ProcessHeartbeat).where(ProcessHeartbeat.kind == kind))
    return row


def test_the_scheduler_keeps_ticking_through_a_redis_outage_and_a_flushall(
    app, own_redis, monkeypatch, caplog
):
    monkeypatch.setitem(app.extensions, "redis", own_redis.client())
    monkeypatch.setattr(schedule, "_registry", {})
    schedule.register_periodic("probe", probe, "* * * * * *")  # every second (croniter's sixth field)
    restarted = []

    def enqueued() -> int:
        try:
            return Queue(connection=own_redis.client()).count
        except (RedisError, OSError):
            return 0

    def outage() -> None:
        wait_until(lambda: enqueued() >= 2, "the first ticks")
        own_redis.stop()
        time.sleep(3)  # ticks fail meanwhile
        own_redis.start()  # back, and empty
        restarted.append(utcnow())
        wait_until(lambda: enqueued() >= 2, "ticks after the restart")
        own_redis.client().flushall()
        wait_until(lambda: enqueued() >= 2, "ticks after FLUSHALL")

    caplog.set_level(logging.WARNING, logger="saas.jobs.processes")
    with beside(outage) as failures:
        result = app.test_cli_runner().invoke(args=["jobs", "scheduler"])
    assert failures == []
    assert result.exit_code == 0, result.output
    assert any("ConnectionError" in record.message for record in caplog.records)  # it saw the outage
    beat = heartbeat(ProcessKind.SCHEDULER)
    assert beat.progress_at > restarted[0]
    assert beat.error == ""


def test_the_worker_survives_redis_dying_under_a_job_and_keeps_working(app, own_redis, monkeypatch):
    monkeypatch.setitem(app.extensions, "redis", own_redis.client())
    STARTED.clear()
    FINISHED.clear()

    def enqueue(func: Callable, tag: str) -> None:
        Queue(connection=own_redis.client()).enqueue(func, tag)

    def outage() -> None:
        enqueue(slow_job, "slow")
        wait_until(lambda: "slow" in STARTED, "the slow job to start")
        own_redis.stop()  # the job finishes while Redis is down
        wait_until(lambda: "slow" in FINISHED, "the slow job to finish")
        time.sleep(1)
        own_redis.start()
        enqueue(quick_job, "after restart")
        wait_until(lambda: "after restart" in FINISHED, "a job after the restart")
        own_redis.client().flushall()
        enqueue(quick_job, "after flushall")
        wait_until(lambda: "after flushall" in FINISHED, "a job after FLUSHALL")

    started = utcnow()
    with beside(outage) as failures:
        result = app.test_cli_runner().invoke(args=["jobs", "worker"])
    assert failures == []
    assert result.exit_code == 0, result.output
    assert FINISHED == ["slow", "after restart", "after flushall"]
    assert heartbeat(ProcessKind.WORKER).progress_at > started


def test_the_scheduler_forgets_processes_gone_for_a_week():
    with time_machine.travel(utcnow() - timedelta(days=8)):
        heartbeat_record(name="worker:old:1", kind=ProcessKind.WORKER, progress_at=None, error="")
    heartbeat_record(name="worker:recent:2", kind=ProcessKind.WORKER, progress_at=None, error="")
    Pulse(ProcessKind.SCHEDULER).beat(progress=True)
    names = set(db.session.scalars(select(ProcessHeartbeat.name)))
    assert "worker:old:1" not in names
    assert "worker:recent:2" in names
    assert heartbeat(ProcessKind.SCHEDULER).progress_at is not None


def test_a_stop_signal_during_the_heartbeat_write_waits_for_the_commit(monkeypatch):
    """RQ stops its loops by raising from the signal handler: never inside a database call."""
    real_record = processes.heartbeat_record

    def record_while_signalled(**kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of the write
        real_record(**kwargs)

    def stop(_signum, _frame):
        raise StopRequested

    monkeypatch.setattr(processes, "heartbeat_record", record_while_signalled)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(StopRequested):
            Pulse(ProcessKind.WORKER).beat(progress=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert heartbeat(ProcessKind.WORKER).progress_at is not None  # written, committed, then stopped
