from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from saas.extensions import db, limiter
from saas.site import bp


@bp.get("/")
def landing():
    if current_user.is_authenticated:
        return redirect(url_for("tenants.home"))
    return render_template("site/landing.html")


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 when the database and Redis answer; 503 naming what is down."""
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        **{k: "ok" if v else "down" for k, v in checks.items()},
    }
    return body, 200 if healthy else 503


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
