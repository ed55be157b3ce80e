from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from saas.database import utcnow
from saas.extensions import db

RETRY_FIRST = timedelta(minutes=2)
RETRY_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 20  # about three days of retries before a message is marked failed


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
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the sweep should (re)try, if no job has delivered it by then.
    next_attempt_at: Mapped[datetime] = mapped_column(default=lambda: utcnow() + RETRY_FIRST, index=True)
    sent_at: Mapped[datetime | None]
