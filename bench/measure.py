"""Measurements: page latency in process and under gunicorn, SQL statements per page, job throughput."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select

from saas.accounts import services as accounts
from saas.accounts.models import User
from saas.extensions import db
from saas.mail.models import OutboxMessage


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user_id: int


@dataclass
class Timing:
    """Latencies in milliseconds of one page (or endpoint), and what the server answered."""

    samples: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    wall: float = 0.0

    def add(self, seconds: float, status: int) -> None:
        self.samples.append(seconds * 1000)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        if len(self.samples) < 2:
            return self.median
        return statistics.quantiles(self.samples, n=20, method="inclusive")[18]

    @property
    def rate(self) -> float:
        return len(self.samples) / self.wall if self.wall else 0.0


# --- in process -----------------------------------------------------------------------------------


def session_cookie(app: Flask, user_id: int) -> str:
    """A signed-in session for the user, as the login page would leave it (one login session row)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        token = accounts.login_session_start(user, remember=False)
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        return serializer.dumps({"_user_id": token, "_fresh": True})


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def in_process(
    app: Flask, page: Page, cookie: str, *, count: int, warmup: int = 2
) -> tuple[Timing, int, int]:
    """Median/p95 through the test client (no network, no server), and SQL statements of one request."""
    client = app.test_client()
    client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookie, domain="localhost")
    base = "https://localhost"  # production settings redirect plain HTTP
    for _ in range(warmup):
        client.get(base + page.path)
    with counting_statements(app) as statements:
        response = client.get(base + page.path)
    size = len(response.data)
    timing = Timing()
    started = time.perf_counter()
    for _ in range(count):
        began = time.perf_counter()
        response = client.get(base + page.path)
        timing.add(time.perf_counter() - began, response.status_code)
    timing.wall = time.perf_counter() - started
    return timing, len(statements), size


# --- gunicorn on loopback -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, root: Path) -> Iterator[int]:
    """The Procfile's web process (gunicorn, sync workers) on a free loopback port."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "saas:create_app()",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--forwarded-allow-ips",
        "127.0.0.1",
    ]
    (root / "instance").mkdir(exist_ok=True)
    log = (root / "instance" / "bench-gunicorn.log").open("w")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see instance/bench-gunicorn.log")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start in time; see instance/bench-gunicorn.log")


def load(port: int, path: str, *, cookie: str | None, threads: int, count: int, seconds: float) -> Timing:
    """`threads` clients (http.client, keep-alive when the server allows) GET `path` until `count`
    requests are answered or `seconds` have passed, whichever comes first."""
    timing = Timing()
    lock = threading.Lock()
    issued = [0]
    deadline = time.perf_counter() + seconds
    headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = f"session={cookie}"

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            with lock:
                if issued[0] >= count:
                    break
                issued[0] += 1
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                with lock:
                    timing.errors += 1
                continue
            elapsed = time.perf_counter() - began
            with lock:
                timing.add(elapsed, response.status)
        connection.close()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    timing.wall = time.perf_counter() - started
    return timing


# --- jobs into an SMTP sink -----------------------------------------------------------------------


class SmtpSink:
    """An aiosmtpd server on loopback that counts what it receives."""

    def __init__(self) -> None:
        self.received = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, _server, _session, _envelope) -> str:
        with self._lock:
            self.received += 1
        return "250 OK"

    @contextmanager
    def running(self) -> Iterator[str]:
        from aiosmtpd.controller import Controller

        controller = Controller(self, hostname="127.0.0.1", port=free_port())
        controller.start()
        try:
            yield f"smtp://127.0.0.1:{controller.port}"
        finally:
            controller.stop()


@dataclass
class JobRun:
    name: str
    recorded: int
    record_seconds: float
    delivered: int
    deliver_seconds: float
    note: str = ""

    @property
    def per_second(self) -> float:
        total = self.record_seconds + self.deliver_seconds
        return self.delivered / total if total else 0.0


def pending_messages() -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )


def run_job(app: Flask, sink: SmtpSink, name: str, record: Callable[[], Any], *, note: str = "") -> JobRun:
    """Run `record` (a job that records messages in the outbox), then deliver them all with a worker."""
    from rq import SimpleWorker

    from saas.jobs import QUEUES, queue, redis_connection

    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        db.session.commit()
        started = time.perf_counter()
        record()
        record_seconds = time.perf_counter() - started
        recorded = db.session.scalar(select(func.count()).select_from(OutboxMessage)) - before
        db.session.commit()
        received = sink.received
        started = time.perf_counter()
        SimpleWorker([queue(name) for name in QUEUES], connection=redis_connection()).work(
            burst=True, logging_level="WARNING"
        )
        deliver_seconds = time.perf_counter() - started
        return JobRun(name, recorded, record_seconds, sink.received - received, deliver_seconds, note)


def reminder_and_digest_jobs(
    app: Flask, sink: SmtpSink, *, tenant_ids: list[int], consultant_id: int
) -> list[JobRun]:
    """The reminders and digests jobs of every tenant, and the consultant's portfolio digest, when the
    product has them; otherwise the outbox's delivery alone."""
    from saas.roadmaps.notifications import jobs as roadmap_jobs

    today = date.today()
    runs = []
    for name in ("send_reminders", "send_digests"):
        job = getattr(roadmap_jobs, name, None)
        if job is not None:
            label = f"{name.removeprefix('send_')} ({len(tenant_ids)} tenants)"
            runs.append(
                run_job(app, sink, label, lambda job=job: [job(tid, today.isoformat()) for tid in tenant_ids])
            )
    portfolio = getattr(roadmap_jobs, "send_portfolio_digest", None)
    if portfolio is not None:
        year, week, _ = today.isocalendar()
        runs.append(
            run_job(
                app,
                sink,
                "portfolio digest (1 consultant)",
                lambda: portfolio(consultant_id, f"{year}-W{week:02d}"),
            )
        )
    if runs:
        return runs
    return [
        run_job(
            app,
            sink,
            "outbox delivery",
            lambda: _queue_messages(500),
            note="reminder/digest jobs not available: 500 queued messages delivered instead",
        )
    ]


def _queue_messages(count: int) -> None:
    from saas.mail.services import mail_queue

    users = list(db.session.scalars(select(User).limit(count)))
    for n in range(count):
        user = users[n % len(users)]
        mail_queue(
            to=user.email,
            template="accounts/email/verify_email",
            dedupe_key=f"bench:{n}",
            user=user,
            token="t",  # noqa: S106
        )
    db.session.commit()


def environment(**values: str) -> dict[str, str]:
    return {**os.environ, **values}
