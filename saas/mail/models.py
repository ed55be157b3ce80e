from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from saas.database import utcnow
from saas.extensions import db

RETRY_FIRST = timedelta(minutes=2)
RETRY_MAX = timedelta(minutes=15)  # after an outage, "due today" arrives within 15 minutes
MAX_ATTEMPTS = 300  # about three days of retries before a message is marked failed
ALERT_AFTER = 5  # failed attempts (about half an hour) before the operator is told
CLAIM_LEASE = timedelta(minutes=5)  # a delivery job's hold on its rows; a killed job's rows return after it


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff between delivery attempts, capped."""
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One email. The dedupe key (e.g. reminder:<item>:<kind>:<date>) makes recording idempotent."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # Set when recorded: every attempt sends the same message, so a receiver can drop a double.
    message_id: Mapped[str] = mapped_column(String(255))
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)  # counted when a delivery job claims the row
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the sweep should (re)try, if no job has delivered it by then (the end of a claim's lease).
    next_attempt_at: Mapped[datetime] = mapped_column(default=lambda: utcnow() + RETRY_FIRST, index=True)
    sent_at: Mapped[datetime | None]
