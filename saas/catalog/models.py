"""The improvement models (global, read-only): areas, goals and practices, loaded from packs.

Rows are identified by stable keys from the pack (model key; "CAM"; "CAM:SG 1"; "CAM:SP 1.1";
"GG 2"; "GP 2.1"), so reloading a changed pack updates titles in place and tenants' data,
which points at row ids, keeps its references.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db


class PracticeKind(StrEnum):
    SPECIFIC = "specific"
    GENERIC = "generic"


class CatalogModel(db.Model):
    """One model, e.g. CMMI for Services v1.3; `scales` holds its level and characterisation names."""

    __tablename__ = "catalog_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    version: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    scales: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    areas: Mapped[list[ProcessArea]] = relationship(
        back_populates="model", order_by="ProcessArea.code", cascade="all, delete-orphan"
    )


class ProcessArea(db.Model):
    __tablename__ = "process_areas"
    __table_args__ = (UniqueConstraint("model_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("catalog_models.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    category_key: Mapped[str] = mapped_column(String(64))
    category_name: Mapped[str] = mapped_column(String(120))
    maturity_level: Mapped[int]
    purpose: Mapped[str] = mapped_column(Text, default="")
    suggested_order: Mapped[int] = mapped_column(default=0)
    optional_in_staging: Mapped[bool] = mapped_column(default=False)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)  # theme keys this area serves

    model: Mapped[CatalogModel] = relationship(back_populates="areas")
    goals: Mapped[list[Goal]] = relationship(back_populates="area", order_by="Goal.position")

    def __repr__(self) -> str:
        return f"<ProcessArea {self.code}>"


class Goal(db.Model):
    """A specific goal of an area (area set) or a generic goal of the model (area empty)."""

    __tablename__ = "goals"
    __table_args__ = (UniqueConstraint("model_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("catalog_models.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_areas.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(16))  # "SG 1", "GG 2"
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    capability_level: Mapped[int | None]  # generic goals: the level they institutionalise
    position: Mapped[int] = mapped_column(default=0)

    area: Mapped[ProcessArea | None] = relationship(back_populates="goals")
    practices: Mapped[list[Practice]] = relationship(back_populates="goal", order_by="Practice.position")


class Practice(db.Model):
    """A specific practice (SP, of one area) or a generic practice (GP, applying to every area)."""

    __tablename__ = "practices"
    __table_args__ = (UniqueConstraint("model_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("catalog_models.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_areas.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(16))  # "SP 1.1", "GP 2.1"
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)

    goal: Mapped[Goal] = relationship(back_populates="practices")
    area: Mapped[ProcessArea | None] = relationship()

    def __repr__(self) -> str:
        return f"<Practice {self.key}>"
