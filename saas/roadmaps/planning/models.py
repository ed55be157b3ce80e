"""Roadmaps, the process areas they select, their phases and the service lines they cover."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.accounts.models import User
from saas.catalog.models import CatalogModel, ProcessArea
from saas.database import utcnow
from saas.extensions import db
from saas.tenants.scoping import TenantScoped


class TargetKind(StrEnum):
    MATURITY_LEVEL = "maturity_level"  # staged: reach ML n
    CAPABILITY_PROFILE = "capability_profile"  # continuous: a target level per chosen area
    FREE = "free"  # a free choice of areas, each with its target level


class RoadmapStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class ServiceLine(TenantScoped, db.Model):
    """A unit where practices are carried out (a service, team or site; SCAMPI's basic unit).

    A tenant that has defined none gets one default line, so the concept stays out of sight
    until a second line is added.
    """

    __tablename__ = "service_lines"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_default: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User | None] = relationship()


class Roadmap(TenantScoped, db.Model):
    __tablename__ = "roadmaps"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint(
            "target_maturity_level IS NULL OR target_maturity_level BETWEEN 2 AND 5", name="target_ml"
        ),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_in_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("catalog_models.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    target_kind: Mapped[str] = mapped_column(String(32), default=TargetKind.MATURITY_LEVEL)
    target_maturity_level: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=RoadmapStatus.ACTIVE, index=True)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    model: Mapped[CatalogModel] = relationship()
    created_by: Mapped[User | None] = relationship()
    areas: Mapped[list[RoadmapArea]] = relationship(
        back_populates="roadmap", cascade="all, delete-orphan", order_by="RoadmapArea.position"
    )
    phases: Mapped[list[Phase]] = relationship(
        back_populates="roadmap", cascade="all, delete-orphan", order_by="Phase.position"
    )
    service_line_links: Mapped[list[RoadmapServiceLine]] = relationship(
        back_populates="roadmap", cascade="all, delete-orphan"
    )


class RoadmapServiceLine(TenantScoped, db.Model):
    """A service line a roadmap covers."""

    __tablename__ = "roadmap_service_lines"
    __table_args__ = (UniqueConstraint("roadmap_id", "service_line_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    service_line_id: Mapped[int] = mapped_column(
        ForeignKey("service_lines.id", ondelete="CASCADE"), index=True
    )

    roadmap: Mapped[Roadmap] = relationship(back_populates="service_line_links")
    service_line: Mapped[ServiceLine] = relationship()


class Phase(TenantScoped, db.Model):
    """A wave of the roadmap with dates; areas are placed into phases."""

    __tablename__ = "phases"
    __table_args__ = (
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_in_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    position: Mapped[int] = mapped_column(default=0)

    roadmap: Mapped[Roadmap] = relationship(back_populates="phases")


class RoadmapArea(TenantScoped, db.Model):
    """A process area selected in a roadmap, with why it matters and the level aimed for."""

    __tablename__ = "roadmap_areas"
    __table_args__ = (
        UniqueConstraint("roadmap_id", "area_id"),
        CheckConstraint("target_capability_level BETWEEN 1 AND 3", name="target_cl"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("process_areas.id"), index=True)
    target_capability_level: Mapped[int] = mapped_column(default=2)
    priority: Mapped[int] = mapped_column(default=2)  # 1 high, 2 medium, 3 low
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("phases.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rationale: Mapped[str] = mapped_column(Text, default="")
    # Scoped out of the appraisal (the model allows it for SSD); excluded from level ratings.
    not_applicable: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    roadmap: Mapped[Roadmap] = relationship(back_populates="areas")
    area: Mapped[ProcessArea] = relationship()
    phase: Mapped[Phase | None] = relationship()
    owner: Mapped[User | None] = relationship()
