"""Practice assessments per roadmap x service line x area x practice, with history and evidence.

Organisation-level values, goal satisfaction and levels are derived (saas/roadmaps/rating.py),
never stored by hand; only the recorded judgements that the rules allow are stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.accounts.models import User
from saas.database import utcnow
from saas.extensions import db
from saas.tenants.scoping import TenantScoped

CHARACTERISATIONS = ("FI", "LI", "PI", "NI", "NY")
_VALID = "characterisation IS NULL OR characterisation IN ('FI', 'LI', 'PI', 'NI', 'NY')"


class PracticeAssessment(TenantScoped, db.Model):
    """How far one practice is implemented in one service line (None: not yet assessed)."""

    __tablename__ = "practice_assessments"
    __table_args__ = (
        UniqueConstraint("roadmap_id", "service_line_id", "area_id", "practice_id"),
        CheckConstraint(_VALID, name="characterisation_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    service_line_id: Mapped[int] = mapped_column(
        ForeignKey("service_lines.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("process_areas.id"))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"))
    characterisation: Mapped[str | None] = mapped_column(String(2))
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    updated_by: Mapped[User | None] = relationship()


class AssessmentChange(TenantScoped, db.Model):
    """One change of characterisation: who, when, from, to. Trends are drawn from these."""

    __tablename__ = "assessment_changes"
    __table_args__ = (Index("ix_assessment_changes_roadmap_created", "roadmap_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("practice_assessments.id", ondelete="CASCADE"), index=True
    )
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"))
    from_value: Mapped[str | None] = mapped_column(String(2))
    to_value: Mapped[str | None] = mapped_column(String(2))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


class PracticeRaise(TenantScoped, db.Model):
    """A program manager's recorded judgement raising an organisation-level PI to LI."""

    __tablename__ = "practice_raises"
    __table_args__ = (UniqueConstraint("roadmap_id", "area_id", "practice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("process_areas.id"))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"))
    raised_to: Mapped[str] = mapped_column(String(2), default="LI")
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


class GoalJudgement(TenantScoped, db.Model):
    """A recorded judgement that a goal is satisfied or not, overriding the computed answer."""

    __tablename__ = "goal_judgements"
    __table_args__ = (UniqueConstraint("roadmap_id", "area_id", "goal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("process_areas.id"))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"))
    satisfied: Mapped[bool]
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


class Evidence(TenantScoped, db.Model):
    """A link or an uploaded file supporting a practice assessment or an action item."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("assessment_id IS NOT NULL OR item_id IS NOT NULL", name="has_subject"),
        CheckConstraint("kind IN ('link', 'file')", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_assessments.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size_bytes: Mapped[int] = mapped_column(default=0)
    storage_key: Mapped[str] = mapped_column(String(255), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    added_by: Mapped[User | None] = relationship()


class RoadmapSnapshot(TenantScoped, db.Model):
    """The derived figures of a roadmap on one day (taken on each change and by a daily job)."""

    __tablename__ = "roadmap_snapshots"
    __table_args__ = (UniqueConstraint("roadmap_id", "taken_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    taken_on: Mapped[date]
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
