"""Personal calendar feeds: one secret URL per user, of which only the SHA-256 digest is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.accounts.models import User
from saas.database import utcnow
from saas.extensions import db


class CalendarFeed(db.Model):
    """A user's iCalendar feed across all their tenants; not tenant-scoped (it belongs to a person)."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
