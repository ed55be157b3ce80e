"""The outbox: a message is recorded once, delivered once, and survives SMTP or Redis outages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from saas.database import utcnow
from saas.extensions import db
from saas.jobs import queue
from saas.mail import jobs
from saas.mail.models import MessageStatus, OutboxMessage
from saas.mail.services import build_email, mail_queue
from tests.mailbox import body_text
from tests.support import run_jobs


def queue_notice(key: str = "notice:1", to: str = "ann@example.com", **context) -> OutboxMessage | None:
    context.setdefault("name", "Ann")
    return mail_queue(to=to, template="mail/test/notice", dedupe_key=key, **context)


def test_message_is_recorded_once_per_dedupe_key(db_session):
    first = queue_notice()
    second = queue_notice()
    assert first is not None
    assert second is None
    assert db_session.scalar(select(db.func.count(OutboxMessage.id))) == 1


def test_message_is_delivered_after_commit_over_smtp(db_session, mailbox):
    message = queue_notice()
    assert queue().count == 0  # nothing is enqueued before the commit
    db_session.commit()
    assert run_jobs() == 1
    (received,) = mailbox.to("ann@example.com")
    assert received["Subject"] == "A notice for Ann"
    assert "Hello Ann" in body_text(received)
    assert db_session.get(OutboxMessage, message.id).status == MessageStatus.SENT


def test_rolled_back_transaction_sends_nothing(db_session, mailbox):
    with db_session.begin_nested():
        queue_notice()
        db_session.rollback()
    db_session.commit()
    assert run_jobs() == 0
    assert mailbox.messages == []


def test_delivery_job_run_twice_sends_once(db_session, mailbox):
    message = queue_notice()
    db_session.commit()
    jobs.deliver(message.id)
    jobs.deliver(message.id)
    assert len(mailbox.messages) == 1


def test_smtp_down_keeps_message_pending_until_it_returns(db_session, mailbox):
    mailbox.refuse = True
    message = queue_notice()
    db_session.commit()
    run_jobs()
    db_session.expire_all()
    assert db_session.get(OutboxMessage, message.id).status == MessageStatus.PENDING
    assert mailbox.messages == []

    mailbox.refuse = False
    assert jobs.sweep_outbox() == 0  # not due yet: backoff
    with time_machine.travel(utcnow() + timedelta(minutes=5)):
        assert jobs.sweep_outbox() == 1
        run_jobs()
        assert jobs.sweep_outbox() == 0
    assert len(mailbox.messages) == 1
    db_session.expire_all()
    assert db_session.get(OutboxMessage, message.id).status == MessageStatus.SENT


def test_redis_down_at_commit_loses_nothing(app, db_session, mailbox, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def redis_down(*_args, **_kwargs):
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr("rq.Queue.enqueue", redis_down)
    message = queue_notice()
    db_session.commit()  # the request succeeds although nothing could be enqueued
    monkeypatch.undo()

    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        assert jobs.sweep_outbox() == 1
        run_jobs()
    assert len(mailbox.to("ann@example.com")) == 1
    db_session.expire_all()
    assert db_session.get(OutboxMessage, message.id).status == MessageStatus.SENT


def test_redis_emptied_mid_run_is_recovered_by_the_sweep(db_session, mailbox, redis):
    for n in range(3):
        queue_notice(key=f"notice:{n}")
    db_session.commit()
    redis.flushdb()  # Redis lost every queued job
    assert run_jobs() == 0
    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        assert jobs.sweep_outbox() == 3
        run_jobs()
    assert len(mailbox.messages) == 3


def test_header_injection_in_subject_is_neutralised(db_session):
    message = queue_notice(name="Ann\r\nBcc: victim@example.com")
    email = build_email(message)
    assert "Bcc" not in email
    assert "\n" not in email["Subject"]


def test_header_injection_in_recipient_is_refused(db_session):
    message = queue_notice(to="ann@example.com\r\nBcc: victim@example.com")
    with pytest.raises(ValueError, match=r"linefeed|carriage return|invalid"):
        build_email(message)
