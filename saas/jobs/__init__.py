"""Background jobs on RQ: enqueue after commit, run inside the app, retry with backoff.

Jobs take ids, reload what they need and are idempotent; the database (e.g. the mail
outbox) is the source of truth, so a job lost with Redis is re-created by a sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from saas.extensions import db

AFTER_COMMIT_KEY = "after_commit"
DEFAULT_QUEUE = "default"
MAIL_QUEUE = "mail"  # delivery alone: a hung SMTP server delays mail, never the dispatch and the rest
QUEUES = (DEFAULT_QUEUE, MAIL_QUEUE)  # a worker takes the next job from the first of them that has one
DEFAULT_RETRY = Retry(max=4, interval=[10, 60, 300, 900])


def init_app(app: Flask) -> None:
    from saas.jobs import heartbeats  # noqa: F401  (the model)
    from saas.jobs.cli import jobs_cli

    app.extensions["redis"] = Redis.from_url(
        app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2
    )
    app.cli.add_command(jobs_cli)


def redis_connection() -> Redis:
    return current_app.extensions["redis"]


def queue(name: str = DEFAULT_QUEUE) -> Queue:
    return Queue(name, connection=redis_connection())


def enqueue(
    func: Callable,
    *args: Any,
    retry: Retry | None = DEFAULT_RETRY,
    queue_name: str = DEFAULT_QUEUE,
    **kwargs: Any,
) -> None:
    """Put a job on the queue now. Redis being down is logged, not raised: sweeps catch up."""
    try:
        queue(queue_name).enqueue(func, args=args, kwargs=kwargs, retry=retry)
    except (RedisError, OSError):
        current_app.logger.warning("could not enqueue %s; a sweep will retry", func.__name__, exc_info=True)


@dataclass(frozen=True)
class _BatchItem:
    """One argument of a job `func(*items)` that collects the items of a whole transaction."""

    func: Callable
    item: Any
    queue_name: str
    size: int


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the whole transaction commits; dropped if it, or the savepoint it was
    registered in, rolls back."""
    _register(callback)


def _register(entry: Callable[[], None] | _BatchItem) -> None:
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(AFTER_COMMIT_KEY, []).append((transaction, entry))


def enqueue_after_commit(func: Callable, *args: Any, **kwargs: Any) -> None:
    after_commit(lambda: enqueue(func, *args, **kwargs))


def enqueue_batch_after_commit(func: Callable, item: Any, *, queue_name: str, size: int) -> None:
    """After the commit, enqueue `func(*items)` (no retry) with the items of every such call on `func` in
    the transaction, `size` at most per job; an item added in a rolled-back savepoint is dropped."""
    _register(_BatchItem(func, item, queue_name, size))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    # SQLAlchemy sends this event for a released SAVEPOINT too: the transaction goes on, wait for it.
    if session.get_nested_transaction() is not None:
        return
    batches: dict[tuple[Callable, str, int], list[Any]] = {}
    for _transaction, entry in session.info.pop(AFTER_COMMIT_KEY, []):
        if isinstance(entry, _BatchItem):
            batches.setdefault((entry.func, entry.queue_name, entry.size), []).append(entry.item)
        else:
            entry()
    for (func, queue_name, size), items in batches.items():
        for start in range(0, len(items), size):
            enqueue(func, *items[start : start + size], retry=None, queue_name=queue_name)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, previous_transaction: SessionTransaction) -> None:
    """A rolled-back savepoint drops only what was registered inside it; the transaction drops all."""
    if previous_transaction.parent is None:
        session.info.pop(AFTER_COMMIT_KEY, None)
        return
    pending = session.info.get(AFTER_COMMIT_KEY, [])
    session.info[AFTER_COMMIT_KEY] = [
        (transaction, callback)
        for transaction, callback in pending
        if not _inside(transaction, previous_transaction)
    ]


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def job(func: Callable) -> Callable:
    """An RQ entry point: a fresh app context and DB session per run, one commit on success."""

    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _job_app().app_context():  # a context of its own: a fresh session, `g` and scope
            try:
                result = func(*args, **kwargs)
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
            return result

    return run


def _job_app() -> Flask:
    """The app the worker runs in: `flask jobs worker` (and the tests) run jobs inside an app
    context. Infrastructure never builds the app itself, so it imports no wing."""
    if not has_app_context():
        raise RuntimeError("jobs run inside the app: start workers with `flask jobs worker`")
    return current_app._get_current_object()  # type: ignore[attr-defined]
