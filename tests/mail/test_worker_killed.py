"""A real worker process SIGKILLed mid-batch, while the SMTP server holds its answer to one message:
after the lease, a new worker sends the rest, and only that message arrives twice, under the same
Message-ID. The rows are committed for real (separate processes must see them) and removed after."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email.utils import make_msgid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from rq import Queue
from sqlalchemy import create_engine, delete, func, insert, pool, select, update
from sqlalchemy.engine import Engine

from saas.database import utcnow
from saas.jobs import DEFAULT_QUEUE, MAIL_QUEUE
from saas.jobs.heartbeats import ProcessHeartbeat
from saas.mail.jobs import deliver, sweep_outbox
from saas.mail.models import MessageStatus, OutboxMessage
from tests.conftest import TEST_DATABASE_URL
from tests.mailbox import free_port

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
MESSAGES, HELD = 20, 5  # the server holds its answer to the fifth message


class HoldingSink:
    """Keeps the Message-ID of each message; at the HELD-th tells the test and holds its "250"."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.holding = threading.Event()

    async def handle_DATA(self, _server, _session, envelope) -> str:
        self.received.append(email.message_from_bytes(envelope.content)["Message-ID"])
        if len(self.received) == HELD:
            self.holding.set()
            await asyncio.sleep(20)  # the worker waits for the answer here, and is killed
        return "250 OK"


@pytest.fixture
def sink() -> Iterator[tuple[HoldingSink, str]]:
    handler = HoldingSink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


@pytest.fixture
def committed() -> Iterator[Engine]:
    """The owner's engine, outside the test's transaction; what the test commits is deleted after."""
    engine = create_engine(TEST_DATABASE_URL, poolclass=pool.NullPool)
    began = utcnow()
    yield engine
    with engine.begin() as connection:
        connection.execute(delete(OutboxMessage).where(OutboxMessage.dedupe_key.like("killed:%")))
        connection.execute(delete(ProcessHeartbeat).where(ProcessHeartbeat.started_at >= began))
    engine.dispose()


def record_messages(engine: Engine) -> list[int]:
    now = utcnow()
    rows = [
        {
            "dedupe_key": f"killed:{n}",
            "message_id": make_msgid(domain="localhost"),
            "to_email": f"person{n}@example.com",
            "subject": f"Message {n}",
            "text_body": "Hello",
            "html_body": "",
            "status": MessageStatus.PENDING,
            "attempts": 0,
            "last_error": "",
            "created_at": now,
            "next_attempt_at": now + timedelta(minutes=2),
        }
        for n in range(MESSAGES)
    ]
    with engine.begin() as connection:
        return list(connection.scalars(insert(OutboxMessage).returning(OutboxMessage.id), rows))


def worker(redis_url: str, mail_url: str, tmp_path: Path, *args: str) -> subprocess.Popen:
    """`flask jobs worker` in a process (and session) of its own, as the Procfile runs it."""
    env = {
        **os.environ,
        "APP_ENV": "test",
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": TEST_DATABASE_URL,
        "REDIS_URL": redis_url,
        "MAIL_URL": mail_url,
        "INSTANCE_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "flask", "--app", "saas", "jobs", "worker", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def test_a_worker_killed_mid_batch_doubles_only_the_message_in_flight(own_redis, sink, committed, tmp_path):
    handler, mail_url = sink
    ids = record_messages(committed)
    Queue(MAIL_QUEUE, connection=own_redis.client()).enqueue(deliver, *ids, retry=None)

    killed = worker(own_redis.url, mail_url, tmp_path, "--queue", MAIL_QUEUE)
    try:
        assert handler.holding.wait(timeout=60), "the worker never reached the fifth message"
    finally:
        os.killpg(killed.pid, signal.SIGKILL)  # the worker and the scheduler it forked
        killed.wait(timeout=10)

    with committed.begin() as connection:
        sent = connection.scalar(
            select(func.count()).where(OutboxMessage.id.in_(ids), OutboxMessage.status == MessageStatus.SENT)
        )
        # The lease of the dead job's rows ends (CLAIM_LEASE later, as the sweep would find them).
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like("killed:%"), OutboxMessage.status == MessageStatus.PENDING)
            .values(next_attempt_at=utcnow())
        )
    assert sent == HELD - 1  # each committed as it went

    Queue(DEFAULT_QUEUE, connection=own_redis.client()).enqueue(sweep_outbox)
    restarted = worker(own_redis.url, mail_url, tmp_path, "--burst")
    assert restarted.wait(timeout=120) == 0

    copies = Counter(handler.received)
    with committed.connect() as connection:
        message_ids, statuses = zip(
            *connection.execute(
                select(OutboxMessage.message_id, OutboxMessage.status).where(OutboxMessage.id.in_(ids))
            ),
            strict=True,
        )
    assert set(statuses) == {MessageStatus.SENT}
    assert set(copies) == set(message_ids)  # nothing lost
    assert sum(copies.values()) == MESSAGES + 1
    assert [message_id for message_id, count in copies.items() if count > 1] == [handler.received[HELD - 1]]
