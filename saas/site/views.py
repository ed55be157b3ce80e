from __future__ import annotations

from datetime import datetime

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from saas.extensions import db, limiter
from saas.jobs.heartbeats import ProcessKind, processes_health
from saas.mail.models import ALERT_AFTER
from saas.mail.services import delivery_health
from saas.site import bp


@bp.get("/")
def landing():
    if current_user.is_authenticated:
        return redirect(url_for("tenants.home"))
    return render_template("site/landing.html")


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 when the database and Redis answer and the scheduler and a worker are alive; 503 otherwise,
    naming what is down and why under "problems". Mail that keeps failing is a warning (200).

    Heartbeats come from the database (Redis may be what is down); without it they are unknown.
    A scheduler or worker never seen counts as down only in production.
    """
    database, redis = _database_ok(), _redis_ok()
    body: dict = {"database": "ok" if database else "down", "redis": "ok" if redis else "down"}
    problems = [f"{name}: down" for name, ok in (("database", database), ("redis", redis)) if not ok]
    warnings: list[str] = []
    if database:
        problems += _processes(body)
        warnings += _mail(body)
    healthy = not problems
    body = {"status": "ok" if healthy else "unavailable", **body, "problems": problems, "warnings": warnings}
    return body, 200 if healthy else 503


_NAMES = {ProcessKind.SCHEDULER: "scheduler", ProcessKind.WORKER: "workers"}


def _processes(body: dict) -> list[str]:
    processes = processes_health(required=current_app.config["APP_ENV"] == "production")
    for kind, health in processes.items():
        body[_NAMES[kind]] = health.state
    body["scheduler_last_tick"] = _iso(processes[ProcessKind.SCHEDULER].last_progress)
    body["worker_last_job"] = _iso(processes[ProcessKind.WORKER].last_progress)
    return [health.problem for health in processes.values() if health.problem]


def _mail(body: dict) -> list[str]:
    failing, oldest = delivery_health()
    body["mail"] = "failing" if failing else "ok"
    if not failing:
        return []
    return [
        f"mail: {failing} message(s) failed {ALERT_AFTER} or more delivery attempts, "
        f"the oldest recorded {_iso(oldest)}"
    ]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@bp.get("/healthz/ping")
@limiter.exempt
def ping():
    """200 "ok" without touching the database or Redis: the server's own ceiling (benchmarks, probes)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("health check: database down", exc_info=True)
        db.session.rollback()
        return False
    return True


def _redis_ok() -> bool:
    try:
        return bool(Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2).ping())
    except (RedisError, OSError):
        current_app.logger.warning("health check: redis down", exc_info=True)
        return False
