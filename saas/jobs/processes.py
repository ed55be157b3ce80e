"""The long-running job processes, the worker and the cron scheduler, made to ride out Redis outages.

RQ's own loops give up on a Redis error: a worker quits when Redis fails around a job, the
cron scheduler when it fails at a tick. Here each loop runs inside `run_until_stopped`, which
waits with a capped backoff and starts it again, so no transient error ends the process;
only a stop signal (SIGTERM, SIGINT) does. Each process beats into `process_heartbeats`.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.cron import CronScheduler
from rq.exceptions import StopRequested
from sqlalchemy.exc import SQLAlchemyError

from saas.database import utcnow
from saas.extensions import db
from saas.jobs.heartbeats import ProcessKind, heartbeat_record, heartbeats_forget_old

log = logging.getLogger(__name__)

BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0  # seconds between attempts to start again
BEAT_EVERY = 10.0  # seconds: at most one heartbeat write per process in this time
WORKER_TTL = 75  # RQ's worker TTL; an idle worker wakes (and beats) every WORKER_TTL - 15 seconds


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Hold SIGTERM and SIGINT while the heartbeat writes, then handle any that came.

    RQ's handlers stop a loop by raising; raised inside a database call, that would leave the
    connection in the middle of a command.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, Any]] = []
    previous = {
        number: signal.signal(number, lambda n, frame: caught.append((n, frame))) for number in STOP_SIGNALS
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number, frame in caught:
            handler = previous[number]
            if callable(handler):
                handler(number, frame)
            else:
                signal.raise_signal(number)  # the default action (or none, if ignored)


class Pulse:
    """A process's heartbeat row: written at most every BEAT_EVERY seconds, but at once on an error
    and on the first progress after one.

    A database error is logged, never raised: the heartbeat must not be what stops the process.
    """

    def __init__(self, kind: ProcessKind) -> None:
        self.kind = kind
        self.name = f"{kind}:{socket.gethostname()}:{os.getpid()}"
        self.progress_at: datetime | None = None
        self.error = ""
        self._written = float("-inf")

    def beat(self, *, progress: bool = False, error: str = "") -> None:
        recovered = progress and bool(self.error)
        if progress:
            self.progress_at, self.error = utcnow(), ""
        if error:
            self.error = error
        if not (error or recovered) and time.monotonic() - self._written < BEAT_EVERY:
            return
        try:
            with _stop_signals_held():
                heartbeat_record(
                    name=self.name, kind=self.kind, progress_at=self.progress_at, error=self.error
                )
                if self.kind == ProcessKind.SCHEDULER:
                    heartbeats_forget_old()
                db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("%s: could not write the heartbeat", self.name, exc_info=True)
            return
        self._written = time.monotonic()


class Worker(SimpleWorker):
    """RQ's in-process worker, beating into the database and remembering a stop request."""

    def __init__(self, *args: Any, pulse: Pulse, **kwargs: Any) -> None:
        super().__init__(*args, worker_ttl=WORKER_TTL, **kwargs)
        self.pulse = pulse
        self.stop_requested = False

    def request_stop(self, signum, frame) -> None:
        self.stop_requested = True
        super().request_stop(signum, frame)

    def heartbeat(self, *args: Any, **kwargs: Any) -> None:
        self.pulse.beat()  # first: the database hears of us even while Redis is down
        super().heartbeat(*args, **kwargs)

    def execute_job(self, job, queue) -> None:
        super().execute_job(job, queue)
        self.pulse.beat(progress=True)

    def teardown(self) -> None:
        """RQ's teardown, which stops at its first Redis error: never leave the pubsub thread behind."""
        try:
            super().teardown()
        finally:
            if self.pubsub_thread is not None and self.pubsub_thread.is_alive():
                self.pubsub_thread.stop()  # it closes its connection as it exits


class Scheduler(CronScheduler):
    """RQ's cron scheduler; its heartbeat, sent after each tick's enqueues reached Redis, is progress."""

    def __init__(self, *args: Any, pulse: Pulse, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pulse = pulse

    def heartbeat(self) -> None:
        super().heartbeat()
        self.pulse.beat(progress=True)


def run_until_stopped(start: Callable[[], bool], pulse: Pulse) -> None:
    """Call `start` until it returns True (it stopped on request) or a stop signal arrives.

    A Redis or network error, or `start` returning False (RQ's loop quit on an error it logged),
    is recorded in the heartbeat; the next start waits 1, 2, 4... up to 30 seconds, and the wait
    goes back to 1 second once a start has lasted a minute.
    """
    handlers = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        _run(start, pulse)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def _run(start: Callable[[], bool], pulse: Pulse) -> None:
    delay = BACKOFF_FIRST
    while True:
        began = time.monotonic()
        try:
            if start():
                return
            error = "stopped on an error (see the log above)"
        except (RedisError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        except (StopRequested, KeyboardInterrupt):
            return
        if time.monotonic() - began > 60:
            delay = BACKOFF_FIRST
        log.warning("%s: %s; starting again in %.0f s", pulse.name, error, delay)
        if not _sleep_unless_stopped(delay, pulse, error):
            return
        delay = min(delay * 2, BACKOFF_MAX)


def _sleep_unless_stopped(seconds: float, pulse: Pulse, error: str) -> bool:
    """Record the error and wait; False when a stop signal came meanwhile."""

    def stop(_signum, _frame) -> None:
        raise StopRequested

    signal.signal(signal.SIGTERM, stop)  # RQ's handlers belong to the loop that just ended
    signal.signal(signal.SIGINT, stop)
    try:
        pulse.beat(error=error)
        time.sleep(seconds)
    except (StopRequested, KeyboardInterrupt):
        return False
    return True
