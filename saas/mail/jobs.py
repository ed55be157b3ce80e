"""Delivery jobs on the mail queue: a batch of outbox rows over one SMTP connection, each row
committed as it is sent, so a worker killed mid-batch sends again at most the row in flight."""

from __future__ import annotations

import time
from collections.abc import Sequence
from email.message import EmailMessage

from saas.extensions import db
from saas.jobs import MAIL_QUEUE, enqueue, job
from saas.mail import services
from saas.mail.models import CLAIM_LEASE, OutboxMessage
from saas.mail.transport import SEND_ERRORS, MailConnection, mail_connection

Batch = list[tuple[OutboxMessage, EmailMessage]]


@job
def deliver(*message_ids: int) -> int:
    """Send those of these rows still pending and due, and other rows never tried, up to a batch;
    returns how many were sent.

    Rows sent already, backing off, or held by another job are skipped, so running it twice
    sends once. Failures stay pending with a backoff time the sweep honours.
    """
    db.session().expire_on_commit = False  # the rows are this job's for the lease: keep them loaded
    batch = _claim(message_ids)
    db.session.commit()  # the lease, before anything leaves
    if not batch:
        return 0
    try:
        with mail_connection() as connection:
            return _send_each(batch, connection)
    except SEND_ERRORS as exc:  # no connection: nothing was attempted, all wait alike
        services.messages_failed([message for message, _email in batch], exc)
        db.session.commit()
        return 0


def _claim(message_ids: Sequence[int]) -> Batch:
    batch = []
    for message in services.messages_claim(message_ids):
        try:
            batch.append((message, services.build_email(message)))
        except ValueError as exc:  # a header the email package refuses: no attempt will succeed
            services.message_undeliverable(message, exc)
    return batch


def _send_each(batch: Batch, connection: MailConnection) -> int:
    # Stop well inside the lease: past it the sweep could hand a row still here to another job.
    deadline = time.monotonic() + CLAIM_LEASE.total_seconds() / 2
    sent = 0
    for done, (message, email) in enumerate(batch):
        if time.monotonic() > deadline:
            services.messages_release([message for message, _email in batch[done:]])
            db.session.commit()
            break
        try:
            connection.send(email)
        except SEND_ERRORS as exc:
            if connection.broken:  # the rest would fail alike: they wait for the next attempt
                services.messages_failed([message for message, _email in batch[done:]], exc)
                db.session.commit()
                break
            services.messages_failed([message], exc)
        else:
            services.message_sent(message)
            sent += 1
        db.session.commit()
    return sent


@job
def sweep_outbox() -> int:
    """Enqueue the pending rows whose attempt is due (Redis lost the job, SMTP was down, a job died)."""
    ids = services.due_message_ids()
    for start in range(0, len(ids), services.BATCH_SIZE):
        enqueue(deliver, *ids[start : start + services.BATCH_SIZE], retry=None, queue_name=MAIL_QUEUE)
    return len(ids)
