"""Action items: the work that turns practices into reality, with per-tenant keys (AI-42), their
comments, and the personal calendar feeds that list them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.accounts.models import User
from saas.catalog.models import Practice
from saas.database import utcnow
from saas.extensions import db
from saas.roadmaps.planning.models import Roadmap, RoadmapArea
from saas.tenants.scoping import TenantScoped


class ItemStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ItemPriority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class TenantCounter(TenantScoped, db.Model):
    """Per-tenant sequences (e.g. the number in AI-42), incremented under a row lock."""

    __tablename__ = "tenant_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    value: Mapped[int] = mapped_column(default=0)


class ActionItem(TenantScoped, db.Model):
    __tablename__ = "action_items"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    roadmap_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadmap_areas.id", ondelete="SET NULL"), index=True
    )
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practices.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.TODO, index=True)
    priority: Mapped[str] = mapped_column(String(16), default=ItemPriority.MEDIUM)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]

    roadmap: Mapped[Roadmap] = relationship()
    roadmap_area: Mapped[RoadmapArea | None] = relationship()
    practice: Mapped[Practice | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def key(self) -> str:
        return f"AI-{self.number}"


class ItemComment(TenantScoped, db.Model):
    __tablename__ = "item_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


# Personal calendar feeds: one secret URL per user, of which only the SHA-256 digest is kept.
class CalendarFeed(db.Model):
    """A user's iCalendar feed across all their tenants; not tenant-scoped (it belongs to a person)."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
