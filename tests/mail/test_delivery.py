"""Delivery in batches over one connection, the same Message-ID on every attempt, a short timeout on
its own queue, a backoff capped at 15 minutes, and the operator told when mail keeps failing."""

from __future__ import annotations

import logging
import socket
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from rq.job import Job
from rq.registry import FinishedJobRegistry
from sqlalchemy import select

from saas.database import utcnow
from saas.extensions import db
from saas.jobs import DEFAULT_QUEUE, MAIL_QUEUE, enqueue, queue
from saas.mail import jobs, services
from saas.mail.models import ALERT_AFTER, MessageStatus, OutboxMessage, retry_delay
from tests.mail.test_outbox import queue_notice
from tests.mailbox import Mailbox, body_text
from tests.support import run_jobs


def rows(prefix: str = "notice:") -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like(f"{prefix}%"))
            .order_by(OutboxMessage.id)
        )
    )


def connections_seen(mailbox: Mailbox, monkeypatch) -> list[tuple]:
    """The client address (host, port) of each message the server accepts: one per SMTP connection."""
    peers: list[tuple] = []
    real = mailbox.handle_DATA

    async def handle_DATA(server, session, envelope):
        peers.append(session.peer)
        return await real(server, session, envelope)

    monkeypatch.setattr(mailbox, "handle_DATA", handle_DATA)
    return peers


def test_the_messages_of_a_transaction_go_out_in_batches_over_one_connection_each(
    db_session, mailbox, monkeypatch
):
    peers = connections_seen(mailbox, monkeypatch)
    for n in range(150):
        queue_notice(key=f"notice:{n}", to=f"person{n}@example.com")
    db_session.commit()

    assert queue(MAIL_QUEUE).count == 2  # 100 + 50
    assert run_jobs() == 2
    assert len(mailbox.messages) == 150
    assert len(set(peers)) == 2
    assert {row.status for row in rows()} == {MessageStatus.SENT}


def test_messages_of_many_small_transactions_share_a_connection(db_session, mailbox, monkeypatch):
    peers = connections_seen(mailbox, monkeypatch)
    for n in range(5):  # five reminder jobs of five tenants, say: five delivery jobs
        queue_notice(key=f"notice:{n}", to=f"person{n}@example.com")
        db_session.commit()
    assert queue(MAIL_QUEUE).count == 5
    assert run_jobs() == 5
    assert len(mailbox.messages) == 5
    assert len(set(peers)) == 1  # the first job took them all; the others found nothing left


def dies_before_marking_sent(nth: int, monkeypatch) -> None:
    """The worker dies after the server accepted the nth message, before its row is marked sent."""
    real_sent, calls = services.message_sent, []

    def dies(message):
        calls.append(message.id)
        if len(calls) == nth:
            raise SystemError("worker killed between the server's 250 and the commit")
        real_sent(message)

    monkeypatch.setattr(services, "message_sent", dies)


def test_every_attempt_sends_the_same_message_id_recorded_with_the_row(db_session, mailbox, monkeypatch):
    message = queue_notice()
    assert message.message_id.startswith("<")
    assert message.message_id.endswith("@localhost>")
    db_session.commit()
    dies_before_marking_sent(1, monkeypatch)
    assert run_jobs() == 0
    assert jobs.sweep_outbox() == 0  # the row stays leased to the dead job...
    with time_machine.travel(utcnow() + timedelta(minutes=6)):  # ...until the lease ends
        assert jobs.sweep_outbox() == 1
        run_jobs()
    first, second = mailbox.messages
    assert first["Message-ID"] == second["Message-ID"] == message.message_id  # receivers can drop it
    assert rows()[0].status == MessageStatus.SENT


def test_a_job_dying_mid_batch_sends_again_only_the_message_in_flight(db_session, mailbox, monkeypatch):
    for n in range(10):
        queue_notice(key=f"notice:{n}", to=f"person{n}@example.com")
    db_session.commit()
    dies_before_marking_sent(4, monkeypatch)
    run_jobs()
    assert [row.status for row in rows()].count(MessageStatus.SENT) == 3  # each committed as it went
    monkeypatch.undo()
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        assert jobs.sweep_outbox() == 7
        run_jobs()
    copies = Counter(m["Message-ID"] for m in mailbox.messages)
    assert len(copies) == 10
    assert [count for count in copies.values() if count > 1] == [2]  # the fourth, once more
    assert {row.status for row in rows()} == {MessageStatus.SENT}


def test_a_refused_recipient_fails_alone_and_the_batch_goes_on(db_session, mailbox, monkeypatch):
    real = mailbox.handle_DATA

    async def refuses_bob(server, session, envelope):
        if "bob@example.com" in envelope.rcpt_tos:
            return "550 No such user"
        return await real(server, session, envelope)

    monkeypatch.setattr(mailbox, "handle_DATA", refuses_bob)
    for name in ("ann", "bob", "cy"):
        queue_notice(key=f"notice:{name}", to=f"{name}@example.com")
    db_session.commit()
    run_jobs()
    assert sorted(m["To"] for m in mailbox.messages) == ["ann@example.com", "cy@example.com"]
    statuses = {row.to_email: row.status for row in rows()}
    assert statuses["bob@example.com"] == MessageStatus.PENDING
    assert "550" in rows("notice:bob")[0].last_error


@pytest.fixture
def hung_smtp_server(app, monkeypatch) -> Iterator[None]:
    """A server that accepts connections and never says a word (as a SIGSTOPped one)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(50)
        monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{listener.getsockname()[1]}")
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 0.5)
        yield


def dispatch_probe() -> str:
    return "dispatched"


def test_a_hung_smtp_server_holds_a_delivery_job_for_the_timeout_and_never_delays_dispatch(
    db_session, hung_smtp_server
):
    for n in range(3):  # three transactions, three delivery jobs
        queue_notice(key=f"notice:{n}")
        db_session.commit()
    enqueue(dispatch_probe)  # enqueued last

    began = time.monotonic()
    run_jobs()
    assert time.monotonic() - began < 5  # 3 x 0.5 s, not the old 15 s per message

    def started(queue_name: str) -> list:
        registry = FinishedJobRegistry(queue=queue(queue_name))
        return [
            Job.fetch(job_id, connection=queue().connection).started_at for job_id in registry.get_job_ids()
        ]

    (dispatch_started,) = started(DEFAULT_QUEUE)
    assert dispatch_started < min(started(MAIL_QUEUE))  # the worker takes the dispatch queue first
    assert all(row.status == MessageStatus.PENDING and "timed out" in row.last_error for row in rows())
    assert jobs.sweep_outbox() == 0  # backing off


def test_backoff_doubles_from_two_minutes_and_stops_at_fifteen():
    assert [retry_delay(n) // timedelta(minutes=1) for n in range(1, 7)] == [2, 4, 8, 15, 15, 15]


def test_the_operator_is_told_once_when_mail_keeps_failing(
    app, client, db_session, mailbox, monkeypatch, caplog
):
    monkeypatch.setitem(app.config, "MAIL_ALERT_TO", "ops@example.com")
    mailbox.refuse = True
    queue_notice(key="notice:1")
    queue_notice(key="notice:2")
    db_session.commit()
    caplog.set_level(logging.ERROR)
    moment = utcnow()
    run_jobs()
    for _attempt in range(ALERT_AFTER + 2):
        moment += timedelta(minutes=16)
        with time_machine.travel(moment):
            jobs.sweep_outbox()
            run_jobs()
    assert [row.attempts for row in rows()] == [ALERT_AFTER + 3] * 2
    (alert,) = rows("mail-alert:")  # once, for both messages, and not about itself
    assert alert.to_email == "ops@example.com"
    assert alert.subject == "Mail is failing: 2 messages not delivered"
    assert any("failed 5 times" in record.message for record in caplog.records)
    with time_machine.travel(moment):
        health = client.get("/healthz").json
    assert health["mail"] == "failing"
    assert health["warnings"][0].startswith("mail: 2 message(s) failed 5 or more delivery attempts")

    mailbox.refuse = False  # the server is back: everything, the alert included, goes out
    with time_machine.travel(moment + timedelta(minutes=16)):
        jobs.sweep_outbox()
        run_jobs()
        assert client.get("/healthz").json["mail"] == "ok"
    assert sorted(m["To"] for m in mailbox.messages) == [
        "ann@example.com",
        "ann@example.com",
        "ops@example.com",
    ]


def test_without_smtp_each_message_is_one_file_named_by_its_message_id(
    app, db_session, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_URL", "")
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path))
    first, second = queue_notice(key="notice:1"), queue_notice(key="notice:2")
    db_session.commit()
    assert run_jobs() == 1
    files = sorted(path.name for path in tmp_path.iterdir())
    expected = sorted(m.message_id.strip("<>").replace("@", "_") + ".eml" for m in (first, second))
    assert files == expected
    assert {row.status for row in rows()} == {MessageStatus.SENT}


def test_non_ascii_names_and_subjects_arrive_intact(app, db_session, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_FROM", "Équipe CMMI <no-reply@example.com>")
    queue_notice(name="Zoë Ångström")
    db_session.commit()
    run_jobs()
    (received,) = mailbox.messages
    assert received["Subject"] == "A notice for Zoë Ångström"
    assert received["From"].addresses[0].display_name == "Équipe CMMI"
    assert "Hello Zoë Ångström" in body_text(received)
