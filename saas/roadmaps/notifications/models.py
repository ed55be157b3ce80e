"""When a tenant's people are reminded of their action items and sent progress digests."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.tenants.scoping import TenantScoped


class DigestFrequency(StrEnum):
    WEEKLY = "weekly"
    DAILY = "daily"
    OFF = "off"


class NotificationSettings(TenantScoped, db.Model):
    """One row per tenant; times are in the tenant's timezone. Missing row = the defaults."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        CheckConstraint("days_before BETWEEN 0 AND 30", name="days_before_range"),
        CheckConstraint("overdue_every_days BETWEEN 0 AND 30", name="overdue_every_range"),
        CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="digest_weekday_range"),
        CheckConstraint("send_hour BETWEEN 0 AND 23", name="send_hour_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    days_before: Mapped[int] = mapped_column(default=3)  # 0: no advance reminder
    on_due_date: Mapped[bool] = mapped_column(default=True)
    overdue_every_days: Mapped[int] = mapped_column(default=3)  # 0: no overdue repeats
    quiet_weekdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [5, 6])  # Monday = 0
    digest_frequency: Mapped[str] = mapped_column(String(16), default=DigestFrequency.WEEKLY)
    digest_weekday: Mapped[int] = mapped_column(default=0)
    send_hour: Mapped[int] = mapped_column(default=8)
